"""Mail into the bot's real SMTP listener on loopback (aiosmtplib as the sending MTA), a real
SQLite store and a recording messenger: what a room would show, and every refusal code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import aiosmtplib
import pytest
import pytest_asyncio

from bot.config import settings_from_mapping
from bot.mail.server import MailServer, start_mail
from commands.mail import MailDesk
from commands.plan.file import parse_plan
from storage.archive import SearchQuery
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.plans import MINI
from tests.support.transcript import BASE_ENV, RecordingMessenger
from tests.unit.mail.korean_mail import SUBJECT, outlook_mail

DOMAIN = "mail.example.go.kr"
ROOM = "!core01:localhost"
PLAN = parse_plan(
    MINI.replace('office = "sejong"', 'office = "sejong"\nemail = "park@moef.go.kr"', 1)
)
NOW = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)


@dataclass
class Listener:
    server: MailServer
    messenger: RecordingMessenger
    repos: Repositories

    async def send(
        self, raw: bytes, sender: str = "park@moef.go.kr", to: str = f"demo-core-01@{DOMAIN}"
    ) -> tuple[int, str]:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=self.server.port, timeout=10)
        async with client:
            try:
                _, reply = await client.sendmail(sender, [to], raw)
            except aiosmtplib.SMTPRecipientsRefused as refused:
                return refused.recipients[0].code, refused.recipients[0].message
            except aiosmtplib.SMTPResponseException as error:
                return error.code, error.message
        return 250, reply


@pytest_asyncio.fixture
async def listener(sqlite_url: str) -> AsyncIterator[Listener]:
    settings = settings_from_mapping(
        {
            **BASE_ENV,
            "MAIL_LISTEN": "127.0.0.1:0",
            "MAIL_DOMAIN": DOMAIN,
            "MAIL_ALLOWED_SENDERS": "nia.or.kr",
            "MAIL_MAX_BYTES": "200000",
        }
    )
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    await repos.plan_rooms.save(
        PlanRoomRecord(PLAN.key, "core-01", ROOM, "room", "#demo-core-01:localhost")
    )
    messenger = RecordingMessenger()
    server = await start_mail(settings, MailDesk(messenger, repos, PLAN, lambda: NOW))
    yield Listener(server, messenger, repos)
    await server.stop()
    await db.close()


async def test_korean_outlook_mail_becomes_one_message_with_its_attachment(
    listener: Listener,
) -> None:
    code, _ = await listener.send(outlook_mail())
    assert code == 250
    [sent] = listener.messenger.sent
    assert sent.room_id == ROOM
    assert sent.notice.body.startswith("✉️ 보낸 사람: 이지은 <park@moef.go.kr>\n")
    assert f"제목: {SUBJECT}" in sent.notice.body
    assert "첨부한 보고서를 검토해 주십시오." in sent.notice.body
    [file] = listener.messenger.sent_files
    assert (file.filename, file.data) == ("보고서.hwp", b"HWP Document File\x00\x01\x02")
    assert file.relates_to is not None and file.relates_to["rel_type"] == "m.thread"
    hits = await listener.repos.archive.search(SearchQuery("햏사 예산", (ROOM,)))
    assert [hit.sender for hit in hits.hits] == ["@lee:localhost"]


async def test_reply_lands_in_the_thread_and_a_duplicate_is_posted_once(
    listener: Listener,
) -> None:
    await listener.send(outlook_mail(attachment=None))
    assert (await listener.send(outlook_mail(attachment=None)))[0] == 250
    assert len(listener.messenger.sent) == 1
    await listener.send(
        outlook_mail(
            "<reply-1@moef.go.kr>",
            attachment=None,
            in_reply_to="<outlook-1@moef.go.kr>",
            subject="RE: 답장",
        )
    )
    first, reply = listener.messenger.sent
    assert first.thread_root is None
    assert reply.thread_root == "$sent1"


@pytest.mark.parametrize(
    ("sender", "to", "code", "words"),
    [
        ("park@moef.go.kr", f"nobody@{DOMAIN}", 550, "No such task room"),
        ("park@moef.go.kr", "demo-core-01@other.example", 550, "No such task room"),
        ("spam@evil.example", f"demo-core-01@{DOMAIN}", 550, "Sender not allowed"),
    ],
)
async def test_refusals_post_nothing(
    listener: Listener, sender: str, to: str, code: int, words: str
) -> None:
    got, message = await listener.send(outlook_mail(), sender=sender, to=to)
    assert (got, words in message) == (code, True)
    assert listener.messenger.sent == []


async def test_oversized_mail_is_refused_at_data(listener: Listener) -> None:
    got, _ = await listener.send(outlook_mail(attachment=b"x" * 300_000))
    assert got == 552
    assert listener.messenger.sent == []


async def test_malformed_mime_is_posted_as_text_and_the_listener_lives_on(
    listener: Listener,
) -> None:
    raw = (
        b"From: lee@nia.or.kr\r\nSubject: =?ks_c_5601-1987?B?!!!?=\r\n"
        b'Content-Type: multipart/mixed; boundary="never"\r\n\r\n\xb1\xe8\xff broken'
    )
    assert (await listener.send(raw, sender="lee@nia.or.kr"))[0] == 250
    assert (await listener.send(outlook_mail()))[0] == 250
    assert len(listener.messenger.sent) == 2
    assert "broken" in listener.messenger.sent[0].notice.body


async def test_a_failed_post_is_a_temporary_refusal_and_the_retry_posts_once(
    listener: Listener,
) -> None:
    posting = listener.messenger.send_notice

    async def homeserver_down(*args: object, **kwargs: object) -> str:
        raise ConnectionError("homeserver unreachable")

    listener.messenger.send_notice = homeserver_down  # type: ignore[method-assign]
    assert (await listener.send(outlook_mail(attachment=None)))[0] == 451
    listener.messenger.send_notice = posting  # type: ignore[method-assign]
    assert (await listener.send(outlook_mail(attachment=None)))[0] == 250
    assert len(listener.messenger.sent) == 1


async def test_a_from_header_cannot_claim_a_directory_person(listener: Listener) -> None:
    forged = outlook_mail(sender="park@moef.go.kr", attachment=None)
    assert (await listener.send(forged, sender="someone@nia.or.kr"))[0] == 250
    [sent] = listener.messenger.sent
    assert sent.notice.body.startswith("✉️ 보낸 사람: 박서준 <someone@nia.or.kr>\n")
    hits = await listener.repos.archive.search(SearchQuery("햏사", (ROOM,)))
    assert [hit.sender for hit in hits.hits] == ["mailto:someone@nia.or.kr"]
