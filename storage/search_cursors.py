"""Each user's last search per room, for paging with `!search more`."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Database
from storage.models import SearchCursor, utcnow
from storage.upsert import upsert


class SearchCursorRepository:
    """Stores the query (as JSON) and the offset of the next page."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, user_id: str, room_id: str, query: dict[str, Any], offset: int) -> None:
        values = {
            "user_id": user_id,
            "room_id": room_id,
            "query": json.dumps(query, ensure_ascii=False),
            "next_offset": offset,
            "updated_at": utcnow(),
        }
        async with self.db.session() as session:
            await upsert(session, SearchCursor.__table__, values, ["user_id", "room_id"])

    async def load(self, user_id: str, room_id: str) -> tuple[dict[str, Any], int] | None:
        async with self.db.session() as session:
            row = await session.get(SearchCursor, (user_id, room_id))
            return (json.loads(row.query), row.next_offset) if row else None
