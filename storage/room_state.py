"""The rooms' state as the first sync after a start delivers it, written in one transaction.

A restart's full-state sync carries every joined room's members, name, creators and power
levels. Written event by event that was thousands of transactions (measured with
bench/scale.py: 500 rooms of 12 members took 8-11 s to restart against 2.3-2.6 s for a bare
client's sync); here it is one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete

from storage.db import Database
from storage.models import Membership, PowerLevel, Room, utcnow
from storage.upsert import insert_for, upsert

CHUNK = 500
"""Rooms per `IN (…)` list, well under SQLite's bound-parameter limit."""


@dataclass
class RoomState:
    """What the bot keeps of one room's state; None where the batch did not say."""

    room_id: str
    members: list[tuple[str, str, str | None]] = field(default_factory=list)
    """(user id, membership, display name)"""
    name: str | None = None
    creators: frozenset[str] | None = None
    power: tuple[dict[str, int], int] | None = None
    """(explicit user levels, users_default)"""
    joined: bool | None = None
    encrypted: bool | None = None


def _room_row(state: RoomState, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {"room_id": state.room_id, "updated_at": now}
    if state.name is not None:
        row["name"] = state.name[:255]
    if state.creators:
        row["creators"] = json.dumps(sorted(state.creators))
    if state.power is not None:
        row["users_default_power"] = state.power[1]
    if state.joined is not None:
        row["joined"] = state.joined
    if state.encrypted:
        row["encrypted"] = True
    return row


async def apply_room_states(db: Database, states: list[RoomState]) -> None:
    """Rooms, members and power levels of many rooms, in one transaction."""
    now = utcnow()
    members = [
        {"room_id": s.room_id, "user_id": u, "membership": m, "display_name": d, "updated_at": now}
        for s in states
        for u, m, d in s.members
    ]
    powered = [s for s in states if s.power is not None]
    levels = [
        {"room_id": s.room_id, "user_id": user, "level": int(level)}
        for s in powered
        for user, level in (s.power or ({}, 0))[0].items()
    ]
    insert = insert_for(db.dialect, Membership.__table__)
    members_upsert = insert.on_conflict_do_update(
        index_elements=["room_id", "user_id"],
        set_={k: insert.excluded[k] for k in ("membership", "display_name", "updated_at")},
    )
    async with db.session() as session:
        for state in states:
            await upsert(session, Room.__table__, _room_row(state, now), ["room_id"])
        if members:
            await session.execute(members_upsert, members)
        if powered:
            rooms = [s.room_id for s in powered]
            for start in range(0, len(rooms), CHUNK):
                chunk = rooms[start : start + CHUNK]
                await session.execute(delete(PowerLevel).where(PowerLevel.room_id.in_(chunk)))
        if levels:
            await session.execute(PowerLevel.__table__.insert(), levels)
