"""The archive's full-text index: an FTS5 table on SQLite, a tsvector table on PostgreSQL.

Both hold the same tokens: each word bigram from `search_text` followed by the room's
short code (`회의` in room 12 is `회의12`; a bigram is always two characters, so the
token reads back unambiguously). A query therefore touches only the asker's rooms'
postings, whatever the rest of the archive holds. A query word is the phrase of its
bigrams, one phrase per room, OR-ed; words are AND-ed. The index row id is the
message row id, which grows with the message time, so "newest first" is an id scan.

SQLite: `archive_fts` is a contentless FTS5 table (`ascii` tokenizer: every non-ASCII
character is a token character, so a Hangul bigram is one token); deleting a document
means replaying its tokens, which are recomputed from the stored text.
PostgreSQL: `archive_fts(id, doc tsvector)` with a GIN index; positions leave a gap
between words so a phrase never spans two words; documents are written as tsvector
literals, bypassing PostgreSQL's text parser, so no token is altered.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.search_text import bigrams, document_grams, fold
from storage.upsert import Executor

INDEX_TABLE = "archive_fts"
SEARCH_INDEX_TABLES = frozenset(
    {INDEX_TABLE} | {f"{INDEX_TABLE}_{part}" for part in ("data", "idx", "config", "docsize")}
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_ID, MAX_ID = -(2**63), 2**63 - 1
BUMP_SLACK = 1_000_000
RECENT_WINDOWS = (timedelta(days=7), timedelta(days=60), timedelta(days=365))
WEEK_US = 7 * 86_400 * 1_000_000
MAX_BUCKETS = 60


def utc(moment: datetime) -> datetime:
    """An aware time in UTC; naive times are refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("archive times must be timezone-aware")
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    """Stored times come back naive from SQLite (they are UTC) and aware from PostgreSQL."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_key(moment: datetime) -> int:
    """Microseconds since the epoch: the row id a message sent at `moment` starts from."""
    return (utc(moment) - EPOCH) // timedelta(microseconds=1)


def id_windows(
    since: datetime | None,
    until: datetime | None,
    now: datetime,
    ages: Sequence[timedelta] = RECENT_WINDOWS,
) -> Iterator[tuple[int, int]]:
    """Id ranges to scan, newest first: (future-dated messages,) each age's span, the rest.

    Ids may sit up to BUMP_SLACK above their time, so `until` is widened by it; callers
    check the exact time of each candidate. Without ages it is one range.
    """
    low = time_key(since) if since else MIN_ID
    high = time_key(until) + BUMP_SLACK if until else MAX_ID
    edges = [time_key(now - age) for age in ages]
    for edge in [time_key(now) + BUMP_SLACK + 1, *edges] if edges else []:
        if low < edge <= high:
            yield edge, high
            high = edge - 1
    if low <= high:
        yield low, high


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
    """Backend-neutral part: the candidate query, its paging and its decoding."""

    source = ""
    order_key = ""
    window_ages: tuple[timedelta, ...] = ()

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
    async def optimize(self, session: AsyncSession) -> None:
        """Compact the index and refresh planner statistics (after imports, or nightly)."""

    def _shape(self, match: str, id_range: tuple[int, int]) -> tuple[str, str, str]:
        """The FROM/WHERE part, the ordering key and the match text for one id range."""
        return self.source, self.order_key, match

    async def candidates(
        self, session: Executor, match: str, scope: Scope, id_range: tuple[int, int], limit: int
    ) -> list[Candidate]:
        """Up to `limit` matches in the id range, newest first, in the scope's rooms only."""
        source, order_key, match = self._shape(match, id_range)
        sql = _SELECT + source + _FILTER
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
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresIndex(SearchIndex):
    """tsvector literals with positions; phrases with `<->`; a GIN index finds them."""

    source = (
        "archive_fts AS f JOIN archived_message AS m ON m.id = f.id "
        "WHERE f.doc @@ CAST(:match AS tsquery) AND f.id BETWEEN :lo AND :hi"
    )
    order_key = "f.id"
    window_ages = RECENT_WINDOWS
    bucketed_source = (
        "(SELECT id FROM archive_fts WHERE doc @@ CAST(:match AS tsquery) OFFSET 0) AS f "
        "JOIN archived_message AS m ON m.id = f.id WHERE m.id BETWEEN :lo AND :hi"
    )

    def _shape(self, match: str, id_range: tuple[int, int]) -> tuple[str, str, str]:
        """A bounded window is searched through GIN alone, with its week tokens AND-ed in.

        The planner cannot know how many of a room-suffixed token's rows are in the asker's
        rooms, and measured here it would either sort tens of thousands of GIN matches or
        walk a whole week backwards; week tokens keep the work to matches in the window.
        """
        first, last = (edge // WEEK_US for edge in id_range)
        if last - first >= MAX_BUCKETS:
            return self.source, self.order_key, match
        weeks = " | ".join(_lexeme(f"~{week}") for week in range(first, last + 1))
        return self.bucketed_source, "m.id", f"({match}) & ({weeks})"

    async def optimize(self, session: AsyncSession) -> None:
        await session.execute(text("ANALYZE archive_fts"))
        await session.execute(text("ANALYZE archived_message"))

    def match(self, pieces: Sequence[str], room_codes: Sequence[int]) -> str:
        def phrase(piece: str, code: int) -> str:
            return " <-> ".join(_lexeme(f"{gram}{code}") for gram in bigrams(piece))

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
            sql = "INSERT INTO archive_fts(id, doc) VALUES (:id, CAST(:doc AS tsvector))"
            rows = [{"id": doc.row_id, "doc": self._vector(doc)} for doc in docs]
            await session.execute(text(sql), rows)

    async def remove(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            sql = "DELETE FROM archive_fts WHERE id = :id"
            await session.execute(text(sql), [{"id": doc.row_id} for doc in docs])


def index_for(dialect: str) -> SearchIndex:
    """The index implementation for the engine's dialect."""
    return PostgresIndex() if dialect == "postgresql" else SqliteIndex()
