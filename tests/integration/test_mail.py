"""Mail in, on a real Synapse: a Korean Outlook-style mail sent to a task room's address over
real SMTP appears in the room, readable, with its attachment; a reply lands in its thread; a
duplicate is posted once; refusals post nothing; broken MIME never stops the listener."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
import pytest_asyncio
from nio import DownloadResponse

from bot.app import Bot
from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.support.officials import Official, bot_settings, running_bot
from tests.support.plans import MINI
from tests.unit.mail.korean_mail import BODY, SUBJECT, outlook_mail

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

DOMAIN = "mail.example.go.kr"
TO = f"mail-core-01@{DOMAIN}"
PLAN = (
    MINI.replace('key = "demo"', 'key = "mail"', 1)
    .replace("committee_room = true", "committee_room = true\nencrypted = false", 1)
    .replace('office = "sejong"', 'office = "sejong"\nemail = "park@moef.go.kr"', 1)
)


@dataclass
class MailRoom:
    bot: Bot
    room_id: str
    reader: Official


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def mail_room(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[MailRoom]:
    data_dir = tmp_path_factory.mktemp("mail")
    plan_file = data_dir / "plan.toml"
    plan_file.write_text(PLAN)
    settings = bot_settings(
        synapse,
        data_dir,
        PLAN_FILE=str(plan_file),
        MAIL_LISTEN="127.0.0.1:0",
        MAIL_DOMAIN=DOMAIN,
        MAIL_ALLOWED_SENDERS="moef.go.kr",
        MAIL_MAX_BYTES="300000",
    )
    assert await run_provision(settings, plan_file, False, False, data_dir) == 0
    db = Database(settings.database_url)
    room_id = (await PlanRoomRepository(db).all("mail"))["core-01"].room_id
    await db.close()
    reader = officials["kim"]
    await reader.join(room_id)
    async with running_bot(settings, Path(data_dir)) as bot:
        yield MailRoom(bot, room_id, reader)


async def _send(room: MailRoom, raw: bytes, sender: str = "park@moef.go.kr", to: str = TO) -> int:
    assert room.bot.mail is not None
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=room.bot.mail.port, timeout=30)
    async with client:
        try:
            await client.sendmail(sender, [to], raw)
        except aiosmtplib.SMTPRecipientsRefused as refused:
            return refused.recipients[0].code
        except aiosmtplib.SMTPResponseException as error:
            return error.code
    return 250


async def _mail_events(room: MailRoom, bot_user: str) -> list[dict[str, Any]]:
    return [
        e
        for e in await room.reader.history(room.room_id)
        if e.get("sender") == bot_user and e.get("type") == "m.room.message"
    ]


async def _wait_for(room: MailRoom, bot_user: str, words: str) -> dict[str, Any]:
    for _ in range(60):
        for event in await _mail_events(room, bot_user):
            if words in str(event["content"].get("body", "")):
                return event
        await asyncio.sleep(0.5)
    raise AssertionError(f"no message with {words!r}")


async def test_korean_mail_arrives_readable_with_its_attachment_once(
    mail_room: MailRoom, bot_user: str
) -> None:
    assert await _send(mail_room, outlook_mail()) == 250
    assert await _send(mail_room, outlook_mail()) == 250
    notice = await _wait_for(mail_room, bot_user, SUBJECT)
    assert "보낸 사람: 이지은 <park@moef.go.kr>" in notice["content"]["body"]
    assert BODY.splitlines()[1] in notice["content"]["body"]
    file = await _wait_for(mail_room, bot_user, "보고서.hwp")
    assert file["content"]["m.relates_to"]["event_id"] == notice["event_id"]
    download = await mail_room.reader.client.download(file["content"]["url"])
    assert isinstance(download, DownloadResponse)
    assert download.body == b"HWP Document File\x00\x01\x02"
    events = await _mail_events(mail_room, bot_user)
    assert sum(SUBJECT in str(e["content"].get("body", "")) for e in events) == 1


async def test_a_reply_lands_in_the_mails_thread(mail_room: MailRoom, bot_user: str) -> None:
    first = outlook_mail("<thread-1@moef.go.kr>", attachment=None, subject="스레드 시작")
    assert await _send(mail_room, first) == 250
    root = await _wait_for(mail_room, bot_user, "스레드 시작")
    reply = outlook_mail(
        "<thread-2@moef.go.kr>",
        attachment=None,
        in_reply_to="<thread-1@moef.go.kr>",
        subject="RE: 스레드 답장",
    )
    assert await _send(mail_room, reply) == 250
    answered = await _wait_for(mail_room, bot_user, "RE: 스레드 답장")
    relation = answered["content"]["m.relates_to"]
    assert (relation["rel_type"], relation["event_id"]) == ("m.thread", root["event_id"])


async def test_refused_mail_posts_nothing_and_broken_mime_is_survived(
    mail_room: MailRoom, bot_user: str
) -> None:
    before = len(await _mail_events(mail_room, bot_user))
    assert await _send(mail_room, outlook_mail("<x1@a>"), to=f"nobody@{DOMAIN}") == 550
    assert await _send(mail_room, outlook_mail("<x2@a>"), sender="spam@evil.example") == 550
    assert await _send(mail_room, outlook_mail("<x3@a>", attachment=b"x" * 400_000)) == 552
    broken = b"From: park@moef.go.kr\r\nContent-Type: multipart/mixed\r\n\r\n\xb1\xe8 broken"
    assert await _send(mail_room, broken) == 250
    await _wait_for(mail_room, bot_user, "broken")
    assert len(await _mail_events(mail_room, bot_user)) == before + 1
