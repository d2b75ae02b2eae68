"""Disagreements between ministries (`!이견`): the SQL of disputes, positions and reminders.

A dispute takes its short label from the WG record counter (`storage.records`), so `A-7` never
names both a dispute and an action. Each party ministry has one current position (its newest
row); older rows are its history. Closing (resolve or withdraw) and escalating are conditional
updates, so two people doing it at once change it once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update

from storage.db import Database
from storage.models import DisputePositionRow, DisputeReminderRow, DisputeRow
from storage.records import NewRecord, RecordsRepository
from storage.search_index import aware, utc
from storage.upsert import insert_ignore

OPEN, RESOLVED, WITHDRAWN = "open", "resolved", "withdrawn"


@dataclass(frozen=True)
class Position:
    ministry: str
    text: str
    author: str
    stated_at: datetime
    event_id: str | None


@dataclass(frozen=True)
class DisputeRecord:
    """A dispute with its positions: `positions` the current one per party (party order),
    `history` every stated position, oldest first."""

    id: int
    label: str
    room_id: str
    text: str
    opener: str
    created_at: datetime
    event_id: str | None
    parties: tuple[str, ...]
    status: str
    outcome: str | None
    closed_at: datetime | None
    closed_by: str | None
    decision_label: str | None
    escalated_at: datetime | None
    escalated_by: str | None
    escalation_room_id: str | None
    escalation_event_id: str | None
    positions: tuple[Position, ...]
    history: tuple[Position, ...]

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def position_of(self, ministry: str) -> Position | None:
        return next((p for p in self.positions if p.ministry == ministry), None)

    @property
    def missing(self) -> tuple[str, ...]:
        """Parties that have stated no position yet."""
        return tuple(m for m in self.parties if self.position_of(m) is None)


def _time(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def _position(row: DisputePositionRow) -> Position:
    return Position(row.ministry, row.text, row.author, aware(row.stated_at), row.event_id)


def _record(row: DisputeRow, rows: Sequence[DisputePositionRow]) -> DisputeRecord:
    history = tuple(_position(r) for r in rows)
    current = {p.ministry: p for p in history}
    parties = tuple(json.loads(row.parties))
    return DisputeRecord(
        id=row.id or 0,
        label=f"{row.prefix}-{row.number}",
        room_id=row.room_id,
        text=row.text,
        opener=row.opener,
        created_at=aware(row.created_at),
        event_id=row.event_id,
        parties=parties,
        status=row.status,
        outcome=row.outcome,
        closed_at=_time(row.closed_at),
        closed_by=row.closed_by,
        decision_label=row.decision_label,
        escalated_at=_time(row.escalated_at),
        escalated_by=row.escalated_by,
        escalation_room_id=row.escalation_room_id,
        escalation_event_id=row.escalation_event_id,
        positions=tuple(current[m] for m in parties if m in current),
        history=history,
    )


class DisputeRepository:
    """Adds, finds, lists and changes disputes; read by `!이견`, the digests, the map, export."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._records = RecordsRepository(db)

    async def add(self, new: NewRecord, parties: Sequence[str]) -> DisputeRecord:
        """A new open dispute between `parties` (kept in the order given, once each)."""
        unique = list(dict.fromkeys(parties))
        async with self.db.session() as session:
            number = await self._records.next_number(session, new.prefix)
            row = DisputeRow(
                prefix=new.prefix,
                number=number,
                room_id=new.room_id,
                text=new.text,
                opener=new.author,
                event_id=new.event_id,
                created_at=utc(new.at),
                parties=json.dumps(unique, ensure_ascii=False),
                status=OPEN,
            )
            session.add(row)
            await session.flush()
        return _record(row, [])

    async def get(self, prefix: str, number: int) -> DisputeRecord | None:
        statement = select(DisputeRow).where(
            DisputeRow.prefix == prefix, DisputeRow.number == number
        )
        found = await self._with_positions(statement)
        return found[0] if found else None

    async def disputes(
        self,
        room_ids: Sequence[str] | None = None,
        *,
        include_closed: bool = False,
        since: datetime | None = None,
    ) -> list[DisputeRecord]:
        """Disputes in these rooms (all if None), oldest first: open ones unless
        `include_closed`; with `since`, those raised or closed at or after it only."""
        statement = select(DisputeRow)
        if room_ids is not None:
            statement = statement.where(DisputeRow.room_id.in_(list(room_ids)))
        if not include_closed:
            statement = statement.where(DisputeRow.status == OPEN)
        if since is not None:
            later = utc(since)
            statement = statement.where(
                (DisputeRow.created_at >= later) | (DisputeRow.closed_at >= later)
            )
        return await self._with_positions(statement)

    async def _with_positions(self, statement: Any) -> list[DisputeRecord]:
        statement = statement.order_by(DisputeRow.created_at, DisputeRow.id)
        async with self.db.session() as session:
            rows = list((await session.execute(statement)).scalars())
            ids = [row.id for row in rows]
            positions: dict[int, list[DisputePositionRow]] = {i: [] for i in ids if i}
            if ids:
                query = (
                    select(DisputePositionRow)
                    .where(DisputePositionRow.dispute_id.in_(ids))
                    .order_by(DisputePositionRow.stated_at, DisputePositionRow.id)
                )
                for found in (await session.execute(query)).scalars():
                    positions[found.dispute_id].append(found)
        return [_record(row, positions[row.id or 0]) for row in rows]

    async def state_position(self, dispute_id: int, position: Position) -> bool:
        """Add a party's position (the newest is current); False when the dispute is closed."""
        async with self.db.session() as session:
            still = select(DisputeRow.id).where(
                DisputeRow.id == dispute_id, DisputeRow.status == OPEN
            )
            if (await session.execute(still)).first() is None:
                return False
            session.add(
                DisputePositionRow(
                    dispute_id=dispute_id,
                    ministry=position.ministry,
                    text=position.text,
                    author=position.author,
                    event_id=position.event_id,
                    stated_at=utc(position.stated_at),
                )
            )
        return True

    async def close(
        self, dispute_id: int, status: str, outcome: str | None, by: str, at: datetime
    ) -> bool:
        """Resolve or withdraw an open dispute; False when it was already closed."""
        statement = (
            update(DisputeRow)
            .where(DisputeRow.id == dispute_id, DisputeRow.status == OPEN)
            .values(status=status, outcome=outcome, closed_at=utc(at), closed_by=by)
        )
        return await self._changed(statement)

    async def set_decision(self, dispute_id: int, label: str) -> None:
        """The label of the WG decision that records the outcome (the link back)."""
        statement = update(DisputeRow).where(DisputeRow.id == dispute_id)
        await self._changed(statement.values(decision_label=label))

    async def claim_escalation(self, dispute_id: int, by: str, at: datetime, room: str) -> bool:
        """Take the right to escalate an open, not yet escalated dispute (one caller wins)."""
        statement = (
            update(DisputeRow)
            .where(
                DisputeRow.id == dispute_id,
                DisputeRow.status == OPEN,
                DisputeRow.escalated_at.is_(None),
            )
            .values(escalated_at=utc(at), escalated_by=by, escalation_room_id=room)
        )
        return await self._changed(statement)

    async def finish_escalation(self, dispute_id: int, event_id: str | None) -> None:
        """The committee notice's event id; None gives the claim back (the notice failed)."""
        values: dict[str, Any] = {"escalation_event_id": event_id}
        if event_id is None:
            values |= {"escalated_at": None, "escalated_by": None, "escalation_room_id": None}
        await self._changed(update(DisputeRow).where(DisputeRow.id == dispute_id).values(values))

    async def claim_reminder(self, dispute_id: int, ministry: str, day: date, at: datetime) -> bool:
        """True for the first reminder of this party on this local day; False: sent already."""
        values = {"dispute_id": dispute_id, "ministry": ministry, "day": day, "sent_at": utc(at)}
        async with self.db.session() as session:
            return await insert_ignore(session, DisputeReminderRow.__table__, values)

    async def _changed(self, statement: Any) -> bool:
        async with self.db.session() as session:
            result = await session.execute(statement)
        return bool(result.rowcount)
