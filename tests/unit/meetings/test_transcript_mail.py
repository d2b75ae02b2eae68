"""`!회의 invite` of a mail address: the invitation arrives at a capturing SMTP relay on
loopback with the .ics (METHOD:REQUEST, inline for Outlook's Accept/Decline, and attached);
cancelling mails METHOD:CANCEL with the same UID and a higher SEQUENCE."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from icalendar import Calendar

from bot.mail.client import SmtpMailer
from commands.mail import MAILER
from commands.plan.file import load_plan
from tests.support.smtp import Relay, capturing_relay
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR = CORE.wg.chairs[0]
PARTNER = "kim@partner.co.kr"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[tuple[Transcript, Relay]]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript, capturing_relay() as relay:
        MAILER.set(SmtpMailer.from_url(f"smtp://127.0.0.1:{relay.port}"))
        yield transcript, relay
        MAILER.set(None)


def _calendar(relay: Relay, n: int) -> tuple[str, Calendar]:
    _, to, mail = relay.received[n]
    inline = mail.get_body(("calendar",))
    assert (
        inline is not None
        and inline.get_param("method") == Calendar.from_ical(inline.get_content())["METHOD"]
    )
    [attached] = list(mail.iter_attachments())
    assert attached.get_filename() in {"invite.ics", "cancel.ics"}
    return to[0], Calendar.from_ical(attached.get_content())


async def test_an_external_invitee_gets_request_then_cancel_by_mail(
    t: tuple[Transcript, Relay],
) -> None:
    transcript, relay = t
    await transcript.say_one("!회의 add 내일 오후 3시 예산 점검", sender=CHAIR)
    [card] = await transcript.send(f"!회의 invite 1 {PARTNER.upper()}", sender=CHAIR)
    assert PARTNER in card.notice.body and PARTNER not in card.notice.mentions
    assert f"matrix.to/#/{PARTNER}" not in card.notice.html
    to, request = _calendar(relay, 0)
    event = next(iter(request.walk("VEVENT")))
    assert (to, request["METHOD"], str(event["SUMMARY"])) == (PARTNER, "REQUEST", "예산 점검")
    attendees = event.get("ATTENDEE", [])
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert f"mailto:{PARTNER}" in [str(a) for a in attendees]
    assert relay.received[0][2]["Subject"] == "[소통] 초대: 예산 점검"
    await transcript.send("!회의 cancel 1", sender=CHAIR)
    to, cancel = _calendar(relay, 1)
    cancelled = next(iter(cancel.walk("VEVENT")))
    assert (to, cancel["METHOD"], cancelled["STATUS"]) == (PARTNER, "CANCEL", "CANCELLED")
    assert cancelled["UID"] == event["UID"]
    assert int(cancelled["SEQUENCE"]) > int(event["SEQUENCE"])


async def test_matrix_invitees_get_no_mail_and_no_relay_means_no_mail_invite(
    t: tuple[Transcript, Relay],
) -> None:
    transcript, relay = t
    await transcript.say_one("!회의 add 내일 오후 3시 점검", sender=CHAIR)
    await transcript.say_one(f"!회의 invite 1 {CORE.wg.members[0]}", sender=CHAIR)
    assert relay.received == []
    MAILER.set(None)
    body = await transcript.say_one(f"!회의 invite 1 {PARTNER}", sender=CHAIR)
    assert "SMTP_URL" in body
    assert relay.received == []
