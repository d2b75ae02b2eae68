"""Invitees who are mail addresses, not Matrix users: they get the invitation by mail with the
`.ics` (METHOD:REQUEST, so Outlook shows Accept/Decline) and, when the meeting is cancelled,
a METHOD:CANCEL of the same UID and a higher SEQUENCE."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from commands.context import Context
from commands.errors import NotFound
from commands.mail import MAILER, invitation_mail, sender_address
from commands.meetings.calendar import meeting_ics
from commands.meetings.render import announcement
from storage.meetings import invitees_of
from storage.models import Meeting

log = logging.getLogger(__name__)
ADDRESS_RE = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def is_address(who: str) -> bool:
    """A mail address (`kim@partner.co.kr`), not a Matrix id (`@kim:gov.kr`)."""
    return not who.startswith("@") and ADDRESS_RE.fullmatch(who) is not None


def external_invitees(item: Meeting) -> list[str]:
    return [who for who in invitees_of(item) if is_address(who)]


def require_mail_out(ctx: Context, invitees: Sequence[str]) -> None:
    """Refuse, before anything is saved, to invite a mail address when no relay is set up."""
    if any(is_address(who) for who in invitees) and MAILER.get() is None:
        raise NotFound(
            "메일 발송(SMTP_URL)이 설정되지 않아 메일 주소는 초대할 수 없습니다.",
            "Mail out (SMTP_URL) is not configured, so mail addresses cannot be invited.",
        )


async def mail_invitations(
    ctx: Context, item: Meeting, addresses: Sequence[str], cancel: bool = False
) -> list[str]:
    """Mail the invitation (or the cancellation) to each address; returns those that failed."""
    mailer = MAILER.get()
    if mailer is None or not addresses:
        return []
    method = "CANCEL" if cancel else "REQUEST"
    ics = meeting_ics(item, ctx.settings, method)
    word = ctx.t("취소", "Cancelled") if cancel else ctx.t("초대", "Invitation")
    subject = f"[소통] {word}: {item.title}"
    text = announcement(item, item.starts_at, ctx.settings, ctx.names()).body
    failed = []
    for address in addresses:
        message = invitation_mail(sender_address(ctx.settings), address, subject, text, ics, method)
        try:
            await mailer.send(message)
        except Exception:
            log.exception("mailing the %s of meeting %s to %s failed", method, item.id, address)
            failed.append(address)
    return failed


def failure_note(ctx: Context, failed: Sequence[str]) -> str | None:
    if not failed:
        return None
    who = ", ".join(failed)
    return ctx.t(f"메일을 보내지 못했습니다: {who}", f"Could not mail: {who}")
