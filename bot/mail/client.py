"""The SMTP relay client (aiosmtplib): what the bot mails goes out through `SMTP_URL`.

`smtp://host:25` plain, `smtp+starttls://user:pass@host:587` STARTTLS then login,
`smtps://user:pass@host:465` implicit TLS. The password is never logged."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import aiosmtplib

log = logging.getLogger(__name__)
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


@dataclass(frozen=True)
class SmtpMailer:
    """Sends each message in its own connection (digests are few; no idle connection)."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    implicit_tls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str) -> SmtpMailer:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise ValueError("SMTP_URL must be smtp://, smtp+starttls:// or smtps://HOST[:PORT]")
        return cls(
            host=parts.hostname,
            port=parts.port or DEFAULT_PORTS[scheme],
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            starttls=scheme == "smtp+starttls",
            implicit_tls=scheme == "smtps",
        )

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            start_tls=self.starttls,
            use_tls=self.implicit_tls,
            timeout=self.timeout,
        )
        log.info(
            "mailed %s to %s via %s:%d", message["Subject"], message["To"], self.host, self.port
        )
