"""Which Matrix room serves which node of a plan."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from storage.db import Database
from storage.models import PlanRoom, utcnow
from storage.upsert import upsert


@dataclass(frozen=True)
class PlanRoomRecord:
    plan_key: str
    node_key: str
    room_id: str
    kind: str
    alias: str


def _record(row: PlanRoom) -> PlanRoomRecord:
    return PlanRoomRecord(row.plan_key, row.node_key, row.room_id, row.kind, row.alias)


class PlanRoomRepository:
    """Room ids by plan node, written as soon as a room exists so a re-run resumes."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save(self, record: PlanRoomRecord) -> None:
        values = {**record.__dict__, "updated_at": utcnow()}
        async with self.db.session() as session:
            await upsert(session, PlanRoom.__table__, values, ["plan_key", "node_key"])

    async def all(self, plan_key: str) -> dict[str, PlanRoomRecord]:
        async with self.db.session() as session:
            rows = await session.execute(select(PlanRoom).where(PlanRoom.plan_key == plan_key))
            return {row.node_key: _record(row) for row in rows.scalars()}

    async def by_room(self, room_id: str) -> PlanRoomRecord | None:
        async with self.db.session() as session:
            rows = await session.execute(select(PlanRoom).where(PlanRoom.room_id == room_id))
            row = rows.scalars().first()
            return _record(row) if row else None

    async def forget(self, plan_key: str, node_key: str) -> None:
        async with self.db.session() as session:
            await session.execute(
                delete(PlanRoom).where(PlanRoom.plan_key == plan_key, PlanRoom.node_key == node_key)
            )
