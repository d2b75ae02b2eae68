"""The message archive of task rooms and its Korean-capable search, on SQLite and PostgreSQL.

Search is exact: the bigram index (storage/search_index.py) proposes candidates in the
asker's rooms, newest first, and each is checked against its real text before it is
returned. The archive row id is the message time in microseconds, so newest first is a
descending id scan; recent time windows are searched before older ones so a common word
is answered from the last days without touching years of history.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import ArchivedMessageRow, ArchiveRoom
from storage.search_index import (
    BUMP_SLACK,
    MIN_ID,
    Candidate,
    IndexedText,
    Scope,
    aware,
    id_windows,
    index_for,
    time_key,
    utc,
)
from storage.search_text import QueryPlan, SearchQueryError, matches, plan_query, snippet
from storage.upsert import insert_ignore

__all__ = [
    "ArchivedMessage",
    "MessageArchive",
    "SearchHit",
    "SearchPage",
    "SearchQuery",
    "SearchQueryError",
]

CHUNK = 500
Row = ArchivedMessageRow


@dataclass(frozen=True)
class ArchivedMessage:
    """A room message as archived; `sent_at` must be timezone-aware."""

    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    body: str
    thread_root: str | None = None
    reply_to: str | None = None


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


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _spread(ids: Sequence[int], taken: set[int]) -> list[int]:
    """Each id, or the next one up that is not taken, keeping the order."""
    used = set(taken)
    result = []
    for value in ids:
        while value in used:
            value += 1
        used.add(value)
        result.append(value)
    return result


class MessageArchive:
    """Archive, edit, redact and search messages; one instance per database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._index = index_for(db.dialect)
        self._codes: dict[str, int] = {}

    async def add(self, message: ArchivedMessage) -> bool:
        """Archive one message; False when its event id is already archived."""
        return await self.add_many([message]) == 1

    async def add_many(self, messages: Sequence[ArchivedMessage]) -> int:
        """Archive messages in bulk (imports, backfill); returns how many were new."""
        first: dict[str, ArchivedMessage] = {}
        for message in messages:
            first.setdefault(message.event_id, message)
        added = 0
        for chunk in _chunks(list(first.values())):
            for attempt in range(3):
                try:
                    added += await self._insert(chunk)
                    break
                except IntegrityError:
                    if attempt == 2:
                        raise
        return added

    async def _insert(self, chunk: Sequence[ArchivedMessage]) -> int:
        codes = await self._room_codes({m.room_id for m in chunk}, create=True)
        async with self.db.session() as session:
            known = await session.execute(
                select(Row.event_id).where(Row.event_id.in_([m.event_id for m in chunk]))
            )
            existing = set(known.scalars())
            fresh = [m for m in chunk if m.event_id not in existing]
            if not fresh:
                return 0
            ids = await self._free_ids(session, [time_key(m.sent_at) for m in fresh])
            await session.execute(
                insert(Row), [self._values(m, row_id) for m, row_id in zip(fresh, ids, strict=True)]
            )
            docs = [
                IndexedText(i, codes[m.room_id], m.body) for m, i in zip(fresh, ids, strict=True)
            ]
            await self._index.add(session, docs)
            return len(fresh)

    @staticmethod
    def _values(message: ArchivedMessage, row_id: int) -> dict[str, Any]:
        return {
            "id": row_id,
            "event_id": message.event_id,
            "room_id": message.room_id,
            "sender": message.sender,
            "sent_at": utc(message.sent_at),
            "body": message.body,
            "thread_root": message.thread_root,
            "reply_to": message.reply_to,
            "redacted": False,
        }

    async def _free_ids(self, session: AsyncSession, keys: Sequence[int]) -> list[int]:
        """Row ids near each message time, unique in the batch and in the table."""
        taken: set[int] = set()
        ids = _spread(keys, taken)
        while True:
            clash = await session.execute(select(Row.id).where(Row.id.in_(ids)))
            clashes = set(clash.scalars())
            if not clashes:
                return ids
            taken |= clashes
            ids = _spread(ids, taken)

    async def _room_codes(self, room_ids: set[str], create: bool) -> dict[str, int]:
        """Each room's token suffix; created (in its own transaction) when `create`."""
        missing = [room for room in room_ids if room not in self._codes]
        if missing:
            async with self.db.session() as session:
                if create:
                    for room in missing:
                        await insert_ignore(session, ArchiveRoom.__table__, {"room_id": room})
                found = await session.execute(
                    select(ArchiveRoom.room_id, ArchiveRoom.code).where(
                        ArchiveRoom.room_id.in_(missing)
                    )
                )
                rows = found.all()
            self._codes.update({room: int(code) for room, code in rows})
        return {room: self._codes[room] for room in room_ids if room in self._codes}

    async def _indexed(self, session: AsyncSession, event_id: str) -> tuple[Row, int] | None:
        statement = (
            select(Row, ArchiveRoom.code)
            .join(ArchiveRoom, ArchiveRoom.room_id == Row.room_id)
            .where(Row.event_id == event_id)
        )
        found = (await session.execute(statement)).first()
        return (found[0], int(found[1])) if found else None

    async def edit(self, event_id: str, new_body: str) -> bool:
        """Apply an `m.replace` edit to text and index; False if unknown or redacted."""
        async with self.db.session() as session:
            found = await self._indexed(session, event_id)
            if found is None or found[0].redacted:
                return False
            row, code = found
            await self._index.remove(session, [IndexedText(row.id, code, row.body)])
            await self._index.add(session, [IndexedText(row.id, code, new_body)])
            await session.execute(update(Row).where(Row.id == row.id).values(body=new_body))
            return True

    async def redact(self, event_id: str) -> bool:
        """Remove a message's text from archive and index; the row stays as a tombstone."""
        async with self.db.session() as session:
            found = await self._indexed(session, event_id)
            if found is None or found[0].redacted:
                return False
            row, code = found
            await self._index.remove(session, [IndexedText(row.id, code, row.body)])
            await session.execute(
                update(Row).where(Row.id == row.id).values(body="", redacted=True)
            )
            return True

    async def get(self, event_id: str) -> ArchivedMessage | None:
        """The archived message (a redacted one keeps its metadata, with empty text)."""
        async with self.db.session() as session:
            row = (await session.execute(select(Row).where(Row.event_id == event_id))).scalar()
        if row is None:
            return None
        return ArchivedMessage(
            row.event_id,
            row.room_id,
            row.sender,
            aware(row.sent_at),
            row.body,
            row.thread_root,
            row.reply_to,
        )

    async def count(self, room_id: str | None = None) -> int:
        """Archived messages that still have their text, in one room or in all."""
        statement = select(func.count()).select_from(Row).where(Row.redacted.is_(False))
        if room_id is not None:
            statement = statement.where(Row.room_id == room_id)
        async with self.db.session() as session:
            return int((await session.execute(statement)).scalar_one())

    async def purge_before(self, cutoff: datetime) -> int:
        """Delete messages sent before `cutoff` (text and index); returns how many."""
        cutoff, last, purged = utc(cutoff), MIN_ID, 0
        while True:
            async with self.db.session() as session:
                statement = (
                    select(Row, ArchiveRoom.code)
                    .join(ArchiveRoom, ArchiveRoom.room_id == Row.room_id)
                    .where(Row.id > last, Row.id < time_key(cutoff) + BUMP_SLACK)
                    .order_by(Row.id)
                    .limit(CHUNK)
                )
                batch = (await session.execute(statement)).all()
                if not batch:
                    return purged
                last = batch[-1][0].id
                doomed = [(row, code) for row, code in batch if aware(row.sent_at) < cutoff]
                live = [IndexedText(r.id, code, r.body) for r, code in doomed if not r.redacted]
                await self._index.remove(session, live)
                ids = [row.id for row, _code in doomed]
                await session.execute(delete(Row).where(Row.id.in_(ids)))
                purged += len(ids)

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
        windows = list(id_windows(query.since, query.until, datetime.now(UTC)))
        scope = Scope(sorted(set(query.room_ids)), query.sender, windows)
        async with self.db.session() as session:
            found = await self._index.newest(
                session, match, scope, needed, lambda row: _accepts(plan, query, row)
            )
        page = found[query.offset : query.offset + query.limit]
        return SearchPage(tuple(_hit(plan, c) for c in page), len(found) >= needed)


def _accepts(plan: QueryPlan, query: SearchQuery, row: Candidate) -> bool:
    sent = aware(row.sent_at)
    if query.since is not None and sent < utc(query.since):
        return False
    if query.until is not None and sent >= utc(query.until):
        return False
    return matches(plan, row.body)


def _hit(plan: QueryPlan, row: Candidate) -> SearchHit:
    text, spans = snippet(plan, row.body)
    return SearchHit(
        row.event_id, row.room_id, row.sender, aware(row.sent_at), row.body, text, spans
    )
