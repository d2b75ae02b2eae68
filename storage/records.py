"""Working-group records: actions, decisions and blockers, each with a short label (`A-12`).

A label is a WG prefix and a number. Numbers come from one counter row per prefix, shared by
the three kinds (A-1 an action, A-2 a decision, …), so a label never names two records. The
counter is bumped by one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING` inside the
transaction that inserts the record: concurrent adds wait for each other on that row and never
get the same number, on SQLite and PostgreSQL alike. Times are stored in UTC and handed back
timezone-aware; an action's `due` is a plain local date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ActionOwnerRow, ActionRow, BlockerRow, DecisionRow, RecordCounter
from storage.search_index import aware, utc

Row = ActionRow | DecisionRow | BlockerRow
R = TypeVar("R", "ActionRecord", "DecisionRecord", "BlockerRecord")


@dataclass(frozen=True)
class NewRecord:
    """What adding any kind of record needs; `event_id` is the message that added it."""

    prefix: str
    room_id: str
    text: str
    author: str
    at: datetime
    event_id: str | None = None


@dataclass(frozen=True)
class ActionRecord:
    id: int
    label: str
    room_id: str
    text: str
    author: str
    created_at: datetime
    owners: tuple[str, ...]
    due: date | None
    done_at: datetime | None
    done_by: str | None
    event_id: str | None

    @property
    def done(self) -> bool:
        return self.done_at is not None


@dataclass(frozen=True)
class DecisionRecord:
    """`source_sender` said it when the decision was recorded by replying to a message."""

    id: int
    label: str
    room_id: str
    text: str
    author: str
    created_at: datetime
    event_id: str | None
    source_event_id: str | None
    source_sender: str | None
    permalink: str | None


@dataclass(frozen=True)
class BlockerRecord:
    id: int
    label: str
    room_id: str
    text: str
    opener: str
    created_at: datetime
    event_id: str | None
    resolution: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    escalated_at: datetime | None
    escalated_by: str | None
    escalation_event_id: str | None

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


def _record(kind: type[R], row: Row, **extra: Any) -> R:
    """A record from its row: fields by name, the label built, times made aware (UTC)."""
    values: dict[str, Any] = {"label": f"{row.prefix}-{row.number}", **extra}
    for item in fields(kind):
        if item.name not in values:
            value = getattr(row, item.name)
            values[item.name] = aware(value) if isinstance(value, datetime) else value
    return kind(**values)


class RecordsRepository:
    """Adds, finds, lists and changes WG records; the SQL of `!action`, `!decision`, `!blocker`
    and of the digests that read them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def next_number(self, session: AsyncSession, prefix: str) -> int:
        """The next short id number of a WG (`A-12`): one counter for every kind of record,
        disagreements included, taken inside the caller's transaction."""
        table = RecordCounter.__table__
        module = postgresql if self.db.dialect == "postgresql" else sqlite
        statement = module.insert(table).values(prefix=prefix, last_number=1)
        statement = statement.on_conflict_do_update(
            index_elements=["prefix"], set_={"last_number": table.c.last_number + 1}
        ).returning(table.c.last_number)
        return int((await session.execute(statement)).scalar_one())

    async def _insert(
        self, session: AsyncSession, kind: type[Row], new: NewRecord, **columns: Any
    ) -> Any:
        number = await self.next_number(session, new.prefix)
        row = kind(
            prefix=new.prefix,
            number=number,
            room_id=new.room_id,
            text=new.text,
            event_id=new.event_id,
            created_at=utc(new.at),
            **columns,
        )
        session.add(row)
        await session.flush()
        return row

    async def _find(self, kind: type[Row], prefix: str, number: int) -> Any:
        rows = await self._all(select(kind).where(kind.prefix == prefix, kind.number == number))
        return rows[0] if rows else None

    async def add_action(
        self, new: NewRecord, owners: Sequence[str], due: date | None
    ) -> ActionRecord:
        """A new open action; owners are kept once each, in sorted order (as they are read)."""
        unique = tuple(sorted(set(owners)))
        async with self.db.session() as session:
            row = await self._insert(session, ActionRow, new, author=new.author, due=due)
            session.add_all(ActionOwnerRow(action_id=row.id, user_id=u) for u in unique)
        return _record(ActionRecord, row, owners=unique)

    async def action(self, prefix: str, number: int) -> ActionRecord | None:
        row = await self._find(ActionRow, prefix, number)
        return (await self._with_owners([row]))[0] if row else None

    async def actions(
        self,
        room_ids: Sequence[str] | None = None,
        *,
        include_done: bool = False,
        owner: str | None = None,
        due_before: date | None = None,
        done_since: datetime | None = None,
    ) -> list[ActionRecord]:
        """Actions in these rooms (all rooms if None), oldest first: open ones (and those done
        since `done_since` if given) unless `include_done`, only `owner`'s if given, only those
        due before `due_before` if given."""
        statement = select(ActionRow).order_by(ActionRow.created_at, ActionRow.id)
        if room_ids is not None:
            statement = statement.where(ActionRow.room_id.in_(list(room_ids)))
        if not include_done:
            still_open = ActionRow.done_at.is_(None)
            if done_since is not None:
                still_open = or_(still_open, ActionRow.done_at >= utc(done_since))
            statement = statement.where(still_open)
        if owner is not None:
            mine = select(ActionOwnerRow.action_id).where(ActionOwnerRow.user_id == owner)
            statement = statement.where(ActionRow.id.in_(mine))
        if due_before is not None:
            statement = statement.where(ActionRow.due < due_before)
        return await self._with_owners(await self._all(statement))

    async def _with_owners(self, rows: Sequence[ActionRow]) -> list[ActionRecord]:
        ids = [row.id for row in rows]
        owners: dict[int, list[str]] = {i: [] for i in ids if i is not None}
        if ids:
            statement = select(ActionOwnerRow).where(ActionOwnerRow.action_id.in_(ids))
            async with self.db.session() as session:
                for owner in (await session.execute(statement)).scalars():
                    owners[owner.action_id].append(owner.user_id)
        return [_record(ActionRecord, r, owners=tuple(sorted(owners[r.id or 0]))) for r in rows]

    async def complete_action(self, action_id: int, by: str, at: datetime) -> bool:
        """Mark done; False when it already was (two people closing it at once: one wins)."""
        statement = (
            update(ActionRow)
            .where(ActionRow.id == action_id, ActionRow.done_at.is_(None))
            .values(done_at=utc(at), done_by=by)
        )
        return await self._changed(statement)

    async def set_owners(self, action_id: int, owners: Sequence[str]) -> None:
        async with self.db.session() as session:
            await session.execute(
                delete(ActionOwnerRow).where(ActionOwnerRow.action_id == action_id)
            )
            session.add_all(ActionOwnerRow(action_id=action_id, user_id=u) for u in set(owners))

    async def set_due(self, action_id: int, due: date | None) -> None:
        await self._changed(update(ActionRow).where(ActionRow.id == action_id).values(due=due))

    async def add_decision(
        self,
        new: NewRecord,
        source_event_id: str | None = None,
        source_sender: str | None = None,
        permalink: str | None = None,
    ) -> DecisionRecord:
        """A decision as typed, or taken from a message (its event, sender and permalink)."""
        columns = {
            "author": new.author,
            "source_event_id": source_event_id,
            "source_sender": source_sender,
            "permalink": permalink,
        }
        async with self.db.session() as session:
            row = await self._insert(session, DecisionRow, new, **columns)
        return _record(DecisionRecord, row)

    async def decision_from(self, source_event_id: str) -> DecisionRecord | None:
        """The decision already recorded from this message, if any."""
        rows = await self._all(
            select(DecisionRow).where(DecisionRow.source_event_id == source_event_id)
        )
        return _record(DecisionRecord, rows[0]) if rows else None

    async def decisions(
        self, room_ids: Sequence[str] | None = None, since: datetime | None = None
    ) -> list[DecisionRecord]:
        """Decisions in these rooms (all if None) recorded at or after `since`, oldest first."""
        statement = select(DecisionRow).order_by(DecisionRow.created_at, DecisionRow.id)
        if room_ids is not None:
            statement = statement.where(DecisionRow.room_id.in_(list(room_ids)))
        if since is not None:
            statement = statement.where(DecisionRow.created_at >= utc(since))
        return [_record(DecisionRecord, row) for row in await self._all(statement)]

    async def add_blocker(self, new: NewRecord) -> BlockerRecord:
        async with self.db.session() as session:
            row = await self._insert(session, BlockerRow, new, opener=new.author)
        return _record(BlockerRecord, row)

    async def blocker(self, prefix: str, number: int) -> BlockerRecord | None:
        row = await self._find(BlockerRow, prefix, number)
        return _record(BlockerRecord, row) if row else None

    async def blockers(
        self, room_ids: Sequence[str] | None = None, *, include_resolved: bool = False
    ) -> list[BlockerRecord]:
        """Blockers in these rooms (all if None), oldest first; open ones unless asked."""
        statement = select(BlockerRow).order_by(BlockerRow.created_at, BlockerRow.id)
        if room_ids is not None:
            statement = statement.where(BlockerRow.room_id.in_(list(room_ids)))
        if not include_resolved:
            statement = statement.where(BlockerRow.resolved_at.is_(None))
        return [_record(BlockerRecord, row) for row in await self._all(statement)]

    async def resolve_blocker(
        self, blocker_id: int, resolution: str, by: str, at: datetime
    ) -> bool:
        """Close an open blocker; False when it was already resolved."""
        statement = (
            update(BlockerRow)
            .where(BlockerRow.id == blocker_id, BlockerRow.resolved_at.is_(None))
            .values(resolution=resolution, resolved_at=utc(at), resolved_by=by)
        )
        return await self._changed(statement)

    async def claim_escalation(self, blocker_id: int, by: str, at: datetime) -> bool:
        """Take the right to escalate an open, not yet escalated blocker: True for one caller
        only, so two chairs at once post one notice."""
        statement = (
            update(BlockerRow)
            .where(
                BlockerRow.id == blocker_id,
                BlockerRow.resolved_at.is_(None),
                BlockerRow.escalated_at.is_(None),
            )
            .values(escalated_at=utc(at), escalated_by=by)
        )
        return await self._changed(statement)

    async def finish_escalation(self, blocker_id: int, event_id: str | None) -> None:
        """The committee notice's event id; None gives the claim back (the notice failed)."""
        values = {"escalation_event_id": event_id}
        if event_id is None:
            values |= {"escalated_at": None, "escalated_by": None}
        await self._changed(update(BlockerRow).where(BlockerRow.id == blocker_id).values(values))

    async def _all(self, statement: Any) -> list[Any]:
        async with self.db.session() as session:
            return list((await session.execute(statement)).scalars())

    async def _changed(self, statement: Any) -> bool:
        async with self.db.session() as session:
            result = await session.execute(statement)
        return bool(result.rowcount)
