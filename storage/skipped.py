"""The ledger of skipped events: what the bot could not handle, kept once for the operator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.models import SkippedEvent
from storage.upsert import insert_ignore


class SkippedEvents:
    """Record an event the bot skipped (event id, room, error class) and count them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, event_id: str, room_id: str, error_class: str, at: datetime) -> bool:
        """True when this is the first record of the event (a replayed batch records none)."""
        values = {
            "event_id": event_id[:255],
            "room_id": room_id[:255],
            "error_class": error_class[:255],
            "skipped_at": at,
        }
        async with self.db.session() as session:
            return await insert_ignore(session, SkippedEvent.__table__, values)

    async def count(self) -> int:
        async with self.db.session() as session:
            counted = await session.execute(select(func.count()).select_from(SkippedEvent))
            return int(counted.scalar_one())

    async def recent(self, limit: int = 20) -> list[SkippedEvent]:
        statement = select(SkippedEvent).order_by(SkippedEvent.skipped_at.desc()).limit(limit)
        async with self.db.session() as session:
            return list((await session.execute(statement)).scalars())
