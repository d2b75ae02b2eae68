"""Mail bridge, the pure parts: decoding inbound mail, room addresses and sender rules,
how a mail reads in a room, and posting it there.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.mail.addresses import SenderPolicy, alias_localpart, room_address, split_address
from commands.mail.deliver import MailDesk, deliver
from commands.mail.outbound import (
    MAILER,
    Mailer,
    confirmation_mail,
    digest_mail,
    invitation_mail,
    sender_address,
)
from commands.mail.parse import InboundMail, parse_mail

__all__ = [
    "MAILER",
    "InboundMail",
    "MailDesk",
    "Mailer",
    "SenderPolicy",
    "alias_localpart",
    "confirmation_mail",
    "deliver",
    "digest_mail",
    "invitation_mail",
    "parse_mail",
    "room_address",
    "sender_address",
    "split_address",
]
