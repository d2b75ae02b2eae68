"""The archive's full-text index: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Both hold the same tokens: each word bigram (`search_text`) followed by the room's short
code (`회의` in room 12 is `회의12`; a bigram is two characters, so this reads back
unambiguously), so a query only touches the asker's rooms' postings. A query word is a
phrase of its bigrams, one per room, OR-ed; words are AND-ed. Index row id = message row
id, which grows with the message time: "newest first" is a descending id order.

SQLite: a contentless FTS5 table (`ascii` tokenizer: a Hangul bigram is one token) walks
rowids newest first and stops at the LIMIT. Deleting replays the document's tokens.
PostgreSQL: `archive_fts(id, doc tsvector)` + GIN, written as tsvector literals (no text
parser involved), a position gap between words. GIN is unordered, so the last 7 and 60
days are searched first, narrowed inside GIN by a week token each document carries.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import DateTime, Executable, bindparam, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ArchivedMessageRow as Row
from storage.search_text import BUMP_SLACK as BUMP_SLACK
from storage.search_text import RECENT_WINDOWS, aware, bigrams, document_grams, fold, utc
from storage.search_text import time_key as time_key
from storage.upsert import Executor

INDEX_TABLE = "archive_fts"
SEARCH_INDEX_TABLES = frozenset(
    {INDEX_TABLE} | {f"{INDEX_TABLE}_{part}" for part in ("data", "idx", "config", "docsize")}
)

WEEK_US = 7 * 86_400 * 1_000_000
MAX_BUCKETS = 60


@dataclass(frozen=True)
class Scope:
    """Where to look: the rooms (already encoded in the match), a sender, id windows and
    the exact time bounds (ids only approximate them)."""

    room_ids: Sequence[str]
    sender: str | None
    windows: Sequence[tuple[int, int]]
    since: datetime | None = None
    until: datetime | None = None

    def holds(self, sent_at: datetime) -> bool:
        """The exact `since <= sent_at < until` test."""
        sent = aware(sent_at)
        return (self.since is None or sent >= utc(self.since)) and (
            self.until is None or sent < utc(self.until)
        )


@dataclass(frozen=True)
class IndexedText:
    """What one index document is made of: the row, its room's code and its text."""

    row_id: int
    room_code: int
    body: str


@dataclass(frozen=True)
class Candidate:
    """A message the index matched, still to be verified against its text."""

    row_id: int
    event_id: str
    room_id: str
    sender: str
    sent_at: datetime
    body: str


_SELECT = "SELECT m.id, m.event_id, m.room_id, m.sender, m.sent_at, m.body FROM "
_FILTER = " AND m.room_id IN :rooms AND NOT m.redacted"


class SearchIndex(ABC):
    """A backend's index and row SQL; shared here: the candidate query and its paging."""

    source = ""
    order_key = ""
    window_ages: tuple[timedelta, ...] = ()
    setup = ""

    def _tokens(self, doc: IndexedText) -> list[list[str]]:
        suffix = str(doc.room_code)
        return [[gram + suffix for gram in word] for word in document_grams(fold(doc.body))]

    @abstractmethod
    def match(self, pieces: Sequence[str], room_codes: Sequence[int]) -> str:
        """The backend's query text: each piece a phrase per room, pieces all required."""

    @abstractmethod
    async def add(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        """Index documents inside the caller's transaction."""

    @abstractmethod
    async def remove(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        """Take documents out of the index; `body` must be the text that was indexed."""

    @abstractmethod
    def insert_rows(self, rows: list[dict[str, Any]]) -> tuple[Executable, Any]:
        """Archive rows: INSERT … ON CONFLICT DO NOTHING RETURNING event_id, and its params."""

    @abstractmethod
    async def optimize(self, session: AsyncSession) -> None:
        """Compact the index and refresh planner statistics (after imports, or nightly)."""

    def _shape(self, match: str, id_range: tuple[int, int]) -> tuple[str, str, str]:
        """The query up to its filters, the ordering key and the match text for a range."""
        return _SELECT + self.source, self.order_key, match

    async def candidates(
        self, session: Executor, match: str, scope: Scope, id_range: tuple[int, int], limit: int
    ) -> list[Candidate]:
        """Up to `limit` matches in the id range, newest first, in the scope's rooms only."""
        head, order_key, match = self._shape(match, id_range)
        sql = head + _FILTER
        params: dict[str, Any] = {"match": match, "rooms": list(scope.room_ids)}
        params.update(lo=id_range[0], hi=id_range[1], limit=limit)
        if scope.sender is not None:
            sql += " AND m.sender = :sender"
            params["sender"] = scope.sender
        sql += f" ORDER BY {order_key} DESC LIMIT :limit"
        statement = text(sql).bindparams(bindparam("rooms", expanding=True))
        statement = statement.columns(sent_at=DateTime(timezone=True))
        result = await session.execute(statement, params)
        return [Candidate(*row) for row in result.all()]

    async def newest(
        self,
        session: Executor,
        match: str,
        scope: Scope,
        wanted: int,
        accept: Callable[[Candidate], bool],
    ) -> list[Candidate]:
        """Accepted candidates, newest first, window by window, until `wanted` are found."""
        if self.setup:
            await session.execute(text(self.setup))
        found: list[Candidate] = []
        for low, high in scope.windows:
            while len(found) < wanted and low <= high:
                batch = max(2 * (wanted - len(found)), 16)
                rows = await self.candidates(session, match, scope, (low, high), batch)
                found += [row for row in rows if scope.holds(row.sent_at) and accept(row)]
                if len(rows) < batch:
                    break
                high = rows[-1].row_id - 1
            if len(found) >= wanted:
                break
        return found


class SqliteIndex(SearchIndex):
    """FTS5 phrases over the bigram tokens; rowid ranges and DESC order run inside FTS5."""

    source = (
        "archive_fts CROSS JOIN archived_message AS m ON m.id = archive_fts.rowid "
        "WHERE archive_fts MATCH :match AND archive_fts.rowid BETWEEN :lo AND :hi"
    )
    order_key = "archive_fts.rowid"

    async def optimize(self, session: AsyncSession) -> None:
        await session.execute(text("INSERT INTO archive_fts(archive_fts) VALUES ('optimize')"))

    def insert_rows(self, rows: list[dict[str, Any]]) -> tuple[Executable, Any]:
        return sqlite_insert(Row).on_conflict_do_nothing().returning(Row.event_id), rows

    def match(self, pieces: Sequence[str], room_codes: Sequence[int]) -> str:
        def phrase(piece: str, code: int) -> str:
            return '"' + " ".join(f"{gram}{code}" for gram in bigrams(piece)) + '"'

        return " AND ".join(
            "(" + " OR ".join(phrase(piece, code) for code in room_codes) + ")" for piece in pieces
        )

    def _rows(self, docs: Sequence[IndexedText]) -> list[dict[str, Any]]:
        rows = []
        for doc in docs:
            tokens = " ".join(" ".join(word) for word in self._tokens(doc))
            rows.append({"id": doc.row_id, "doc": tokens})
        return rows

    async def add(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            sql = "INSERT INTO archive_fts(rowid, doc) VALUES (:id, :doc)"
            await session.execute(text(sql), self._rows(docs))

    async def remove(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            sql = "INSERT INTO archive_fts(archive_fts, rowid, doc) VALUES ('delete', :id, :doc)"
            await session.execute(text(sql), self._rows(docs))


def _lexeme(token: str) -> str:
    if "'" in token or "\\" in token:
        token = token.replace("\\", "\\\\").replace("'", "''")
    return f"'{token}'"


class PostgresIndex(SearchIndex):
    """tsvector literals with positions; phrases with `<N>`; a GIN index finds them.

    Searches run without sequential scans (`setup`): the planner prices a tsquery of a
    hundred room phrases like one word and scanned a 10k-row table with it (7 ms) where
    GIN takes under one.
    """

    source = (
        "archive_fts AS f JOIN archived_message AS m ON m.id = f.id "
        "WHERE f.doc @@ CAST(:match AS tsquery) AND f.id BETWEEN :lo AND :hi"
    )
    order_key = "f.id"
    window_ages = RECENT_WINDOWS
    setup = "SET LOCAL enable_seqscan = off"
    bucketed_head = (
        "WITH f AS MATERIALIZED (SELECT id FROM archive_fts WHERE doc @@ CAST(:match AS tsquery)) "
        + _SELECT
        + "f, archived_message AS m WHERE f.id BETWEEN :lo AND :hi AND m.id = f.id"
    )

    def _shape(self, match: str, id_range: tuple[int, int]) -> tuple[str, str, str]:
        """A bounded window is searched through GIN alone, once, with its week tokens AND-ed.

        The planner cannot know how many of a room-suffixed token's rows are in the asker's
        rooms; measured here it sorted tens of thousands of GIN matches, walked a week
        backwards, or re-ran the GIN scan per row. Week tokens keep the work to the window.
        """
        first, last = (edge // WEEK_US for edge in id_range)
        if last - first >= MAX_BUCKETS:
            return _SELECT + self.source, self.order_key, match
        weeks = " | ".join(_lexeme(f"~{week}") for week in range(first, last + 1))
        return self.bucketed_head, "m.id", f"({match}) & ({weeks})"

    async def optimize(self, session: AsyncSession) -> None:
        await session.execute(text("ANALYZE archive_fts"))
        await session.execute(text("ANALYZE archived_message"))

    def insert_rows(self, rows: list[dict[str, Any]]) -> tuple[Executable, Any]:
        """One array per column (`unnest`): a short query text, where psycopg spent longer
        parsing a 500-row VALUES list than the server spent running it."""
        names, columns = list(rows[0]), Row.__table__.columns
        arrays = ", ".join(
            f"CAST(:{name} AS {columns[name].type.compile(dialect=postgresql.dialect())}[])"
            for name in names
        )
        sql = f"INSERT INTO archived_message ({', '.join(names)}) SELECT * FROM unnest({arrays})"
        returning = text(sql + " ON CONFLICT DO NOTHING RETURNING event_id")
        return returning, {name: [row[name] for row in rows] for name in names}

    def match(self, pieces: Sequence[str], room_codes: Sequence[int]) -> str:
        """Every other bigram, with its distance (`<2>`), still covers each character; GIN
        then looks up ~40% fewer tokens. A cover can straddle two words: verified later."""

        def phrase(piece: str, code: int) -> str:
            grams = bigrams(piece)
            picked = [*range(0, len(grams), 2), *([len(grams) - 1] if len(grams) % 2 == 0 else [])]
            query = _lexeme(f"{grams[0]}{code}")
            for before, at in pairwise(picked):
                query += f" <{at - before}> {_lexeme(grams[at] + str(code))}"
            return query

        return " & ".join(
            "(" + " | ".join(f"({phrase(piece, code)})" for code in room_codes) + ")"
            for piece in pieces
        )

    def _vector(self, doc: IndexedText) -> str:
        entries: list[str] = []
        position = 1
        for word in self._tokens(doc):
            for token in word:
                entries.append(f"{_lexeme(token)}:{position}")
                position += 1
            position += 1
        entries.append(_lexeme(f"~{doc.row_id // WEEK_US}"))
        return " ".join(entries)

    async def add(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            sql = (
                "INSERT INTO archive_fts(id, doc) SELECT id, CAST(doc AS tsvector) FROM "
                "unnest(CAST(:ids AS bigint[]), CAST(:docs AS text[])) AS batch(id, doc)"
            )
            ids, vectors = [doc.row_id for doc in docs], [self._vector(doc) for doc in docs]
            await session.execute(text(sql), {"ids": ids, "docs": vectors})

    async def remove(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            sql = "DELETE FROM archive_fts WHERE id = :id"
            await session.execute(text(sql), [{"id": doc.row_id} for doc in docs])


def index_for(dialect: str) -> SearchIndex:
    """The index implementation for the engine's dialect."""
    return PostgresIndex() if dialect == "postgresql" else SqliteIndex()
