"""Mails posted into rooms: claimed by Message-ID hash so a mail delivered twice is posted
once, and looked up again when a reply names them (In-Reply-To/References)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update

from storage.db import Database
from storage.models import MailMessage, MailSubscription
from storage.upsert import insert_ignore


def message_key(message_id: str) -> str:
    """The stored key of a Message-ID: its SHA-256, so any length fits."""
    return hashlib.sha256(message_id.strip().encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class PostedMail:
    room_id: str
    event_id: str
    thread_root: str | None


class MailLedger:
    """Claim a mail before posting it; record the event it became."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, message_id: str, room_id: str, at: datetime) -> bool:
        """True for the first claim of this Message-ID in this room: post it."""
        values = {
            "key": message_key(f"{room_id} {message_id}"),
            "room_id": room_id,
            "received_at": at,
        }
        async with self.db.session() as session:
            return await insert_ignore(session, MailMessage.__table__, values)

    async def posted(
        self, message_id: str, room_id: str, event_id: str, thread_root: str | None
    ) -> None:
        key = message_key(f"{room_id} {message_id}")
        async with self.db.session() as session:
            await session.execute(
                update(MailMessage)
                .where(MailMessage.key == key)
                .values(event_id=event_id, thread_root=thread_root)
            )

    async def release(self, message_id: str, room_id: str) -> None:
        """Undo a claim whose mail could not be posted, so the sender's retry may post it."""
        key = message_key(f"{room_id} {message_id}")
        async with self.db.session() as session:
            await session.execute(delete(MailMessage).where(MailMessage.key == key))

    async def find(self, message_ids: Sequence[str], room_id: str) -> PostedMail | None:
        """The posted mail among `message_ids` (the first one found, in the order given)."""
        keys = [message_key(f"{room_id} {mid}") for mid in message_ids]
        if not keys:
            return None
        async with self.db.session() as session:
            rows = await session.execute(select(MailMessage).where(MailMessage.key.in_(keys)))
            found = {row.key: row for row in rows.scalars() if row.event_id}
        for key in keys:
            if key in found:
                row = found[key]
                return PostedMail(row.room_id, row.event_id or "", row.thread_root)
        return None


@dataclass(frozen=True)
class MailSubscriber:
    user_id: str
    address: str
    token: str


def _code_hash(user_id: str, code: str) -> str:
    return hashlib.sha256(f"{user_id} {code.strip()}".encode()).hexdigest()


class MailSubscriptions:
    """Personal digests by mail: requested (a code mailed), confirmed, stopped."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def request(
        self, user_id: str, address: str, code: str, token: str, at: datetime
    ) -> None:
        """A new request replaces the old one (and stops its mails until confirmed)."""
        values = {
            "user_id": user_id,
            "address": address,
            "code_hash": _code_hash(user_id, code),
            "token": token,
            "confirmed": False,
            "requested_at": at,
        }
        async with self.db.session() as session:
            await session.execute(
                delete(MailSubscription).where(MailSubscription.user_id == user_id)
            )
            await session.flush()
            session.add(MailSubscription(**values))

    async def confirm(self, user_id: str, code: str) -> str | None:
        """The confirmed address, or None when the code is not this user's pending one."""
        async with self.db.session() as session:
            row = await session.get(MailSubscription, user_id)
            if row is None or row.confirmed or row.code_hash != _code_hash(user_id, code):
                return None
            row.confirmed = True
            return row.address

    async def off(self, user_id: str) -> bool:
        async with self.db.session() as session:
            result = await session.execute(
                delete(MailSubscription).where(MailSubscription.user_id == user_id)
            )
            return bool(result.rowcount)

    async def unsubscribe(self, token: str) -> bool:
        """The one-click link: stop the subscription whose token this is."""
        async with self.db.session() as session:
            result = await session.execute(
                delete(MailSubscription).where(MailSubscription.token == token)
            )
            return bool(result.rowcount)

    async def confirmed(self) -> list[MailSubscriber]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(MailSubscription).where(MailSubscription.confirmed.is_(True))
            )
            return [MailSubscriber(r.user_id, r.address, r.token) for r in rows.scalars()]
