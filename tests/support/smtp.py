"""A capturing SMTP relay on loopback (aiosmtpd): what the bot mails out arrives here, parsed.
Logins are accepted with the password `relay-secret`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Relay:
    port: int
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    reject_all: bool = False

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.reject_all:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        self.received.append((envelope.mail_from or "", list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 OK"

    def authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == b"relay-secret"
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok)


@asynccontextmanager
async def capturing_relay() -> AsyncIterator[Relay]:
    capture = Relay(0)

    def protocol() -> SMTP:
        return SMTP(capture, authenticator=capture.authenticate, auth_require_tls=False)

    server = await asyncio.get_running_loop().create_server(protocol, "127.0.0.1", 0)
    capture.port = server.sockets[0].getsockname()[1]
    yield capture
    server.close()
    await server.wait_closed()
