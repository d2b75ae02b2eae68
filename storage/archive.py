"""The message archive of task rooms and its Korean-capable search, on SQLite and PostgreSQL.

Search is exact: the bigram index (storage/search_index.py) proposes candidates from the
asker's rooms, newest first, and each is checked against its real text before it is
returned, so both backends give the same hits. The row id is the message time in
microseconds (bumped to stay unique), which makes "newest first" an id order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ArchivedMessageRow, ArchiveRoom, utcnow
from storage.search_index import Candidate, IndexedText, Scope, index_for
from storage.search_text import (
    BUMP_SLACK,
    QueryPlan,
    aware,
    id_windows,
    matches,
    plan_query,
    snippet,
    spread_ids,
    time_key,
    utc,
)
from storage.search_text import SearchQueryError as SearchQueryError
from storage.upsert import insert_ignore

CHUNK = 500
Row = ArchivedMessageRow


@dataclass(frozen=True)
class ArchivedMessage:
    """A room message as archived; `sent_at` must be timezone-aware. `mentions` are the user
    ids it mentions (`m.mentions`), which the personal digest reads."""

    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    body: str
    thread_root: str | None = None
    reply_to: str | None = None
    mentions: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """Space-separated words, all required; only `room_ids` are searched (none: no hits)."""

    text: str
    room_ids: tuple[str, ...]
    sender: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 10
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    """A found message; `highlights` are (start, end) character spans of `snippet`."""

    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    body: str
    snippet: str
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class SearchPage:
    """One page of hits, and whether a further page has at least one more."""

    hits: tuple[SearchHit, ...]
    has_more: bool


def _values(message: ArchivedMessage, row_id: int) -> dict[str, Any]:
    mentions = json.dumps(list(message.mentions)) if message.mentions else None
    stored = {field.name: getattr(message, field.name) for field in fields(message)}
    stored |= {"mentions": mentions, "sent_at": utc(message.sent_at)}
    return {**stored, "id": row_id, "redacted": False}


def mentions_of(stored: str | None) -> tuple[str, ...]:
    """The mentioned user ids from their stored JSON text (NULL: none)."""
    return tuple(json.loads(stored)) if stored else ()


class MessageArchive:
    """Archive, edit, redact and search messages; one instance per database.

    Every write transaction starts with a write, so SQLite takes its write lock (waiting
    on the busy timeout) before anything is read, and concurrent writers never fail.
    `clock` only places the recent-first search windows; results never depend on it.
    """

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow) -> None:
        self.db = db
        self.clock = clock
        self._index = index_for(db.dialect)
        self._codes: dict[str, int] = {}

    async def add(self, message: ArchivedMessage) -> bool:
        """Archive one message; False when its event id is already archived."""
        return await self.add_many([message]) == 1

    async def add_many(self, messages: Sequence[ArchivedMessage]) -> int:
        """Archive messages in bulk (imports, backfill); returns how many were new.

        Call `optimize()` once a large import is done.
        """
        first: dict[str, ArchivedMessage] = {}
        for message in messages:
            first.setdefault(message.event_id, message)
        unique, added = list(first.values()), 0
        for start in range(0, len(unique), CHUNK):
            added += await self._insert(unique[start : start + CHUNK])
        return added

    async def _insert(self, chunk: Sequence[ArchivedMessage]) -> int:
        """Insert rows at ids near their times; an id taken by another message moves up."""
        codes = await self._room_codes({m.room_id for m in chunk}, create=True)
        keys = spread_ids([time_key(m.sent_at) for m in chunk], set())
        pending = list(zip(keys, chunk, strict=True))
        docs: list[IndexedText] = []
        async with self.db.session() as session:
            while pending:
                rows = [_values(message, row_id) for row_id, message in pending]
                done = set((await session.execute(*self._index.insert_rows(rows))).scalars())
                docs += [
                    IndexedText(i, codes[m.room_id], m.body)
                    for i, m in pending
                    if m.event_id in done
                ]
                pending = await self._moved_up(
                    session, [(i, m) for i, m in pending if m.event_id not in done]
                )
            await self._index.add(session, docs)
        return len(docs)

    async def _moved_up(
        self, session: AsyncSession, pending: list[tuple[int, ArchivedMessage]]
    ) -> list[tuple[int, ArchivedMessage]]:
        """Drop messages already archived; give the others (id clashes) free ids."""
        if not pending:
            return []
        known = select(Row.event_id).where(Row.event_id.in_([m.event_id for _i, m in pending]))
        archived = set((await session.execute(known)).scalars())
        clashing = [(i, m) for i, m in pending if m.event_id not in archived]
        ids = [i for i, _m in clashing]
        taken = set((await session.execute(select(Row.id).where(Row.id.in_(ids)))).scalars())
        return list(zip(spread_ids(ids, taken), [m for _i, m in clashing], strict=True))

    async def _room_codes(self, room_ids: set[str], create: bool) -> dict[str, int]:
        """Each room's token suffix; created (in its own transaction) when `create`."""
        missing = [room for room in room_ids if room not in self._codes]
        if missing:
            async with self.db.session() as session:
                if create:
                    for room in missing:
                        await insert_ignore(session, ArchiveRoom.__table__, {"room_id": room})
                statement = select(ArchiveRoom.room_id, ArchiveRoom.code)
                found = await session.execute(statement.where(ArchiveRoom.room_id.in_(missing)))
                rows = found.all()
            self._codes.update({room: int(code) for room, code in rows})
        return {room: self._codes[room] for room in room_ids if room in self._codes}

    async def edit(self, event_id: str, new_body: str) -> bool:
        """Apply an `m.replace` edit to text and index; False if unknown or redacted."""
        return await self._replace_text(event_id, new_body, redact=False)

    async def redact(self, event_id: str) -> bool:
        """Remove a message's text from archive and index; the row stays as a tombstone."""
        return await self._replace_text(event_id, "", redact=True)

    async def _live_text(self, event_id: str) -> tuple[int, str, int] | None:
        """Row id, text and room code of a message that is archived and not redacted."""
        statement = select(Row.id, Row.body, ArchiveRoom.code).join(
            ArchiveRoom, ArchiveRoom.room_id == Row.room_id
        )
        statement = statement.where(Row.event_id == event_id, Row.redacted.is_(False))
        async with self.db.engine.connect() as connection:
            found = (await connection.execute(statement)).first()
        return (int(found[0]), str(found[1]), int(found[2])) if found else None

    async def _replace_text(self, event_id: str, body: str, redact: bool) -> bool:
        """Swap the text if it is still what was read (else read again), then the index."""
        for _attempt in range(3):
            found = await self._live_text(event_id)
            if found is None:
                return False
            row_id, old, code = found
            async with self.db.session() as session:
                current = (Row.id == row_id, Row.body == old, Row.redacted.is_(False))
                change = update(Row).where(*current).values(body=body, redacted=redact)
                if (await session.execute(change)).rowcount != 1:
                    continue
                await self._index.remove(session, [IndexedText(row_id, code, old)])
                await self._index.add(session, [] if redact else [IndexedText(row_id, code, body)])
                return True
        return False

    async def get(self, event_id: str) -> ArchivedMessage | None:
        """The archived message (a redacted one keeps its metadata, with empty text)."""
        async with self.db.session() as session:
            row = (await session.execute(select(Row).where(Row.event_id == event_id))).scalar()
        if row is None:
            return None
        stored = {field.name: getattr(row, field.name) for field in fields(ArchivedMessage)}
        stored |= {"sent_at": aware(row.sent_at), "mentions": mentions_of(row.mentions)}
        return ArchivedMessage(**stored)

    async def count(self, room_id: str | None = None) -> int:
        """Archived messages that still have their text, in one room or in all."""
        statement = select(func.count()).select_from(Row).where(Row.redacted.is_(False))
        if room_id is not None:
            statement = statement.where(Row.room_id == room_id)
        async with self.db.session() as session:
            return int((await session.execute(statement)).scalar_one())

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete messages sent before `cutoff`, text and index; returns how many."""
        oldest = select(Row.id).where(Row.id < time_key(cutoff) + BUMP_SLACK)
        oldest = oldest.where(Row.sent_at < utc(cutoff)).order_by(Row.id).limit(CHUNK)
        purged = 0
        while True:
            async with self.db.session() as session:
                doomed = delete(Row).where(Row.id.in_(oldest.scalar_subquery()))
                result = await session.execute(
                    doomed.returning(Row.id, Row.room_id, Row.body, Row.redacted)
                )
                rows = result.all()
                if not rows:
                    return purged
                codes = await self._room_codes({row.room_id for row in rows}, create=False)
                live = [r for r in rows if not r.redacted]
                await self._index.remove(
                    session, [IndexedText(r.id, codes[r.room_id], r.body) for r in live]
                )
                purged += len(rows)

    async def optimize(self) -> None:
        """Compact the search index and refresh statistics: after a bulk import, or nightly.

        SQLite merges FTS5 segments into one (queries touch fewer b-trees); PostgreSQL
        re-analyzes so the planner knows which tokens are common.
        """
        async with self.db.session() as session:
            await self._index.optimize(session)

    async def search(self, query: SearchQuery) -> SearchPage:
        """Messages containing every query word, newest first, from `query.room_ids` only.

        Raises `SearchQueryError` when no query word has two or more letters.
        """
        if query.limit < 1 or query.offset < 0:
            raise ValueError("limit must be positive and offset not negative")
        plan = plan_query(query.text)
        codes = await self._room_codes(set(query.room_ids), create=False)
        if not codes:
            return SearchPage((), False)
        match = self._index.match(plan.pieces, sorted(set(codes.values())))
        needed = query.offset + query.limit + 1
        ages = self._index.window_ages
        windows = list(id_windows(query.since, query.until, self.clock(), ages))
        scope = Scope(sorted(set(query.room_ids)), query.sender, windows, query.since, query.until)
        async with self.db.engine.connect() as connection:
            found = await self._index.newest(
                connection, match, scope, needed, lambda row: matches(plan, row.body)
            )
        page = found[query.offset : query.offset + query.limit]
        return SearchPage(tuple(_hit(plan, c) for c in page), len(found) >= needed)


def _hit(plan: QueryPlan, row: Candidate) -> SearchHit:
    text, spans = snippet(plan, row.body)
    return SearchHit(
        row.event_id, row.room_id, row.sender, aware(row.sent_at), row.body, text, spans
    )
