"""The personal digest by mail, through the real dispatcher, digest jobs, SQLite store, web
route and a capturing SMTP relay on loopback, with a fixed clock: subscribe with a mailed code,
one mail per working day (the same ledger as chat digests, so a second run sends nothing),
one-click unsubscribe, `off`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.mail.client import SmtpMailer
from bot.web.unsubscribe import add_unsubscribe
from commands.digests.jobs import fire_digest
from commands.jobs import JOB_CONTEXT, JobContext
from commands.mail import MAILER
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.smtp import Relay, capturing_relay
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR, LEE = CORE.wg.chairs[0], "@lee:localhost"
WG = "!wg:gov.kr"
SEOUL = ZoneInfo("Asia/Seoul")


def kst(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SEOUL)


class Outbox:
    """What reached the capturing relay, as parsed messages."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, _, message in self.relay.received]

    def clear(self) -> None:
        self.relay.received.clear()


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[tuple[Transcript, Outbox]]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    transcript.room_id = WG
    for user in CORE.wg.everyone():
        await repos.rooms.set_member(WG, user, "join", None)
    await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, CORE.key, WG, "room", "#gov3-x:gov.kr"))
    context = JobContext(
        transcript.messenger,
        repos,
        transcript.settings,
        lambda: transcript.now,
        PLAN,
        transcript.scheduler,
    )
    JOB_CONTEXT.set(context)
    async with capturing_relay() as relay:
        MAILER.set(SmtpMailer.from_url(f"smtp://127.0.0.1:{relay.port}"))
        yield transcript, Outbox(relay)
    MAILER.set(None)
    await db.close()


async def _subscribe(t: Transcript, outbox: Outbox) -> None:
    reply = await t.say_one("!요약 email lee@moef.go.kr", sender=LEE)
    assert "lee@moef.go.kr(으)로 확인 코드를 보냈습니다" in reply
    [mail] = outbox.messages
    assert mail["To"] == "lee@moef.go.kr"
    code = re.search(r"confirm (\d{6})", mail.get_content())
    assert code is not None
    assert "확인 코드가 맞지 않습니다" in await t.say_one("!요약 email confirm 12", sender=LEE)
    confirmed = await t.say_one(f"!요약 email confirm {code.group(1)}", sender=LEE)
    assert "08:30에 lee@moef.go.kr(으)로 개인 요약을 보냅니다" in confirmed
    outbox.clear()


async def test_digest_is_mailed_once_per_working_day_multipart_with_unsubscribe(
    t: tuple[Transcript, Outbox],
) -> None:
    transcript, outbox = t
    transcript.now = kst(27, 10)
    await transcript.send('!할일 추가 "예산안 작성" @lee:localhost 기한 11월 30일', sender=CHAIR)
    await _subscribe(transcript, outbox)
    transcript.now = kst(28, 8, 30)  # Saturday: no digest
    await fire_digest("2026-11-28", "08:30")
    assert outbox.messages == []
    transcript.now = kst(30, 8, 30)
    await fire_digest("2026-11-30", "08:30")
    await fire_digest("2026-11-30", "08:30")  # a second run (or a restart) sends nothing more
    [mail] = outbox.messages
    assert mail["Subject"] == "[소통] 개인 요약 · 2026-11-30 (월)"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "예산안 작성" in text and "예산안 작성" in html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = mail["List-Unsubscribe"].strip().strip("<>")  # the relay may fold the long line
    assert link.startswith("http://127.0.0.1:8080/mail/unsubscribe/") and link in text


async def test_one_click_unsubscribe_and_off(t: tuple[Transcript, Outbox]) -> None:
    transcript, outbox = t
    repos = transcript.dispatcher.repos
    await _subscribe(transcript, outbox)
    [subscriber] = await repos.mail_subscriptions.confirmed()
    app = web.Application()
    add_unsubscribe(app, repos)
    async with TestClient(TestServer(app)) as client:
        path = f"/mail/unsubscribe/{subscriber.token}"
        page = await client.get(path)
        assert page.status == 200 and "<form" in await page.text()
        assert await repos.mail_subscriptions.confirmed() != []  # a GET changes nothing
        assert (await client.post(path, data={"List-Unsubscribe": "One-Click"})).status == 200
        assert await repos.mail_subscriptions.confirmed() == []
        assert (await client.post(path)).status == 404
    await _subscribe(transcript, outbox)
    assert "메일 요약을 끊었습니다" in await transcript.say_one("!요약 email off", sender=LEE)
    assert "받고 있지 않습니다" in await transcript.say_one("!요약 email off", sender=LEE)
