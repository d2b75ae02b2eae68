"""Notices the bot gives a room once, remembered across restarts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete

from storage.db import Database
from storage.models import RoomNotice
from storage.upsert import insert_ignore


class RoomNotices:
    """Claim a (room, kind) notice before sending it: only the first claim may send."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, room_id: str, kind: str, at: datetime) -> bool:
        """True for the first claim of this notice in this room: send it; False: sent before."""
        values = {"room_id": room_id[:255], "kind": kind[:64], "sent_at": at}
        async with self.db.session() as session:
            return await insert_ignore(session, RoomNotice.__table__, values)

    async def release(self, room_id: str, kind: str) -> None:
        """Undo a claim whose notice could not be sent, so a later attempt may send it."""
        async with self.db.session() as session:
            await session.execute(
                delete(RoomNotice).where(RoomNotice.room_id == room_id, RoomNotice.kind == kind)
            )
