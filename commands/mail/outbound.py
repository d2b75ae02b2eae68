"""Mail the bot sends: the confirmation code of a digest subscription and the personal digest
itself (multipart text and HTML, the same content as in chat, with List-Unsubscribe).

The relay client lives in the bot layer; commands and jobs reach it through `MAILER`, set once
by the running bot (None when `SMTP_URL` is not configured)."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Protocol

from commands.i18n import Text
from commands.render import Notice, esc

CONFIRM_SUBJECT = Text("[소통] 메일 요약 확인 코드", "[Sotong] Digest by mail: confirmation code")
CONFIRM_BODY = Text(
    "{user}님이 개인 요약을 이 주소로 받겠다고 요청했습니다.\n"
    "채팅에서 다음 명령으로 확인해 주십시오: {prefix}요약 email confirm {code}\n"
    "요청하지 않으셨다면 이 메일을 무시하십시오.",
    "{user} asked to get their personal digest at this address.\n"
    "Confirm it in chat with: {prefix}digest email confirm {code}\n"
    "If you did not ask for this, ignore this mail.",
)
UNSUBSCRIBE = Text("메일 요약 받지 않기", "Stop these mails")


class Mailer(Protocol):
    """Sends one message through the relay; raises when the relay refuses it."""

    async def send(self, message: EmailMessage) -> None: ...


MAILER: ContextVar[Mailer | None] = ContextVar("sotong_mailer", default=None)


def sender_address(settings: Any) -> str:
    """The bot's From address: MAIL_FROM, else sotong@MAIL_DOMAIN."""
    return str(settings.mail_from or f"sotong@{settings.mail_domain or 'localhost'}")


def _domain(sender: str) -> str:
    return sender.rpartition("@")[2] or "sotong.invalid"


def confirmation_mail(
    sender: str, to: str, user: str, code: str, prefix: str, lang: str
) -> EmailMessage:
    """The code that proves the subscriber reads `to`."""
    message = EmailMessage()
    message["From"], message["To"] = sender, to
    message["Subject"] = CONFIRM_SUBJECT.pick(lang)
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(CONFIRM_BODY.pick(lang).format(user=user, prefix=prefix, code=code))
    return message


def digest_mail(
    sender: str,
    to: str,
    subject: str,
    sections: Sequence[Notice],
    unsubscribe_url: str,
    lang: str,
) -> EmailMessage:
    """The digest as mail: a text part and an HTML part of the same sections, a one-click
    `List-Unsubscribe` (RFC 8058) and the same link in the body."""
    stop = UNSUBSCRIBE.pick(lang)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text = "\n\n".join(section.body for section in sections)
    message.set_content(f"{text}\n\n-- \n{stop}: {unsubscribe_url}\n")
    html = "".join(f"<div>{section.html}</div>" for section in sections)
    link = f'<p><a href="{esc(unsubscribe_url)}">{esc(stop)}</a></p>'
    message.add_alternative(
        f"<!doctype html><html><body>{html}<hr>{link}</body></html>", subtype="html"
    )
    return message


def invitation_mail(
    sender: str, to: str, subject: str, text: str, ics: bytes, method: str
) -> EmailMessage:
    """A meeting invitation (METHOD:REQUEST) or cancellation (METHOD:CANCEL) as calendar
    clients expect it: the text, the same text/calendar inline as an alternative (Outlook shows
    Accept/Decline from it) and the .ics attached."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(ics.decode("utf-8"), subtype="calendar", params={"method": method})
    name = "cancel.ics" if method == "CANCEL" else "invite.ics"
    message.add_attachment(ics, maintype="application", subtype="ics", filename=name)
    return message
