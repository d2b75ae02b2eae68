"""The SMTP listener (aiosmtpd): mail to a task room's address becomes a message there.

Refusals come at the earliest point, so the sending MTA bounces them: a sender not allowed at
MAIL (550 5.7.1), an unknown room at RCPT (550 5.1.1), an oversized mail at DATA (552, by
aiosmtpd's size limit). A failure to post is a temporary 451, so the mail is retried later."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from bot.config import Settings, mail_listen_address
from commands.mail import MailDesk, SenderPolicy, deliver, parse_mail, split_address

log = logging.getLogger(__name__)

REFUSED_SENDER = (
    "550 5.7.1 Sender not allowed to mail task rooms / 과제방에 메일을 보낼 수 없는 발신자입니다"
)
UNKNOWN_ROOM = "550 5.1.1 No such task room / 그런 과제방 주소가 없습니다"
POST_FAILED = "451 4.3.0 Could not post now, try again later / 잠시 후 다시 보내 주십시오"


class MailHandler:
    """aiosmtpd hooks: check the sender and each recipient, then post the mail."""

    def __init__(self, desk: MailDesk, domain: str, allowed: tuple[str, ...]) -> None:
        self.desk = desk
        self.domain = domain.lower()
        self.policy = SenderPolicy.of(allowed, desk.directory_addresses())

    async def _room(self, address: str) -> str | None:
        local, domain = split_address(address)
        if domain != self.domain:
            return None
        return await self.desk.room_for(local)

    async def handle_MAIL(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if not self.policy.allows(address):
            log.info("mail from %s refused: sender not allowed", address)
            return REFUSED_SENDER
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if await self._room(address) is None:
            log.info("mail to %s refused: no such room", address)
            return UNKNOWN_ROOM
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        raw = envelope.original_content or b""
        mail = parse_mail(raw if isinstance(raw, bytes) else raw.encode("utf-8", "replace"))
        envelope_sender = (envelope.mail_from or "").strip("<>").lower()
        if envelope_sender and mail.sender_address != envelope_sender:
            # Whose mail it is (name, ministry, archive) follows the sender that was checked,
            # never a From header that could claim someone else.
            mail = replace(mail, sender_address=envelope_sender)
        try:
            for address in dict.fromkeys(envelope.rcpt_tos):
                room_id = await self._room(address)
                if room_id is not None:
                    posted = await deliver(self.desk, room_id, mail)
                    log.info("mail %s to %s: %s", mail.message_id, room_id, posted or "duplicate")
        except Exception:
            log.exception("posting mail %s failed", mail.message_id)
            return POST_FAILED
        return "250 2.0.0 Posted / 게시했습니다"


class MailServer:
    """The listening socket; `stop` closes it."""

    def __init__(self, server: asyncio.AbstractServer) -> None:
        self.server = server

    @property
    def port(self) -> int:
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def start_mail(settings: Settings, desk: MailDesk) -> MailServer:
    """Listen on MAIL_LISTEN (port 0 picks a free one, for tests)."""
    listen = mail_listen_address(settings.mail_listen or "")
    if listen is None or not settings.mail_domain:
        raise ValueError("MAIL_LISTEN and MAIL_DOMAIN are required to receive mail")
    handler = MailHandler(desk, settings.mail_domain, settings.mail_allowed_senders)

    def protocol() -> Any:
        return SMTP(
            handler,
            data_size_limit=settings.mail_max_bytes,
            enable_SMTPUTF8=True,
            hostname=settings.mail_domain,
            ident="Sotong",
        )

    server = await asyncio.get_running_loop().create_server(protocol, *listen)
    log.info("receiving mail for @%s on %s", settings.mail_domain, settings.mail_listen)
    return MailServer(server)
