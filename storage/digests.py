"""Daily digests: the ledger of sent digests, personal subscriptions, per-room quiet mode, and
the archive reads a digest needs (a time window of messages, message counts per room).

The ledger makes a digest exactly-once: a job claims (kind, target, day) with one atomic
`INSERT … ON CONFLICT DO NOTHING` before posting, so a re-run job or a restart that catches up
finds the claim and posts nothing. Archive reads go by row id, which is the message time in
microseconds (see `storage/search_index.py`): a day's window costs the same however long the
history behind it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, String, delete, func, select, type_coerce, update

from storage.archive import ArchivedMessage, mentions_of
from storage.db import Database
from storage.models import (
    ArchivedMessageRow,
    DigestRoomSetting,
    DigestSent,
    DigestSubscription,
    MeetingRsvp,
    utcnow,
)
from storage.search_text import BUMP_SLACK, aware, time_key, utc
from storage.upsert import insert_ignore, upsert

Row = ArchivedMessageRow
FEW_ROOMS = 10
MessageRow = tuple[str, str, str, datetime, str, str | None, str | None, tuple[str, ...]]
MESSAGE_COLUMNS = (
    Row.event_id,
    Row.room_id,
    Row.sender,
    type_coerce(Row.sent_at, String()).label("sent_at"),
    Row.body,
    Row.thread_root,
    Row.reply_to,
    Row.mentions,
)


@dataclass(frozen=True)
class SentDigest:
    """One row of the sent-digest ledger (see `DigestSent`); `target` is a room, or a user
    for personal digests. The digest jobs and the records export both read it."""

    kind: str
    target: str
    day: date
    slot: str
    outcome: str
    late: bool
    event_id: str | None
    sent_at: datetime

    @classmethod
    def of(cls, row: DigestSent) -> SentDigest:
        return cls(
            row.kind,
            row.target,
            row.day,
            row.slot,
            row.outcome,
            row.late,
            row.event_id,
            row.sent_at,
        )


@dataclass(frozen=True)
class Subscription:
    """A personal-digest subscriber; `at` is HH:MM, None for the deployment's DIGEST_TIME."""

    user_id: str
    at: str | None
    since: datetime


class DigestRepository:
    """The SQL of the digest jobs and of `!digest`."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(
        self, kind: str, target: str, day: date, slot: str, late: bool, at: datetime
    ) -> bool:
        """True for the first claim of (kind, target, day): post it; False: taken before."""
        values = {
            "kind": kind,
            "target": target,
            "day": day,
            "slot": slot,
            "outcome": "sending",
            "late": late,
            "event_id": None,
            "sent_at": utc(at),
        }
        async with self.db.engine.begin() as connection:
            return await insert_ignore(connection, DigestSent.__table__, values)

    async def finish(
        self, kind: str, target: str, day: date, outcome: str, event_id: str | None = None
    ) -> None:
        """Record how a claimed digest ended: sent, silent or failed, with its first event."""
        key = (DigestSent.kind == kind, DigestSent.target == target, DigestSent.day == day)
        statement = update(DigestSent).where(*key).values(outcome=outcome, event_id=event_id)
        async with self.db.session() as session:
            await session.execute(statement)

    async def sent(self, day: date) -> list[SentDigest]:
        """The ledger of one day, by kind and target."""
        statement = select(DigestSent).where(DigestSent.day == day)
        async with self.db.session() as session:
            rows = (await session.execute(statement)).scalars()
            found = [SentDigest.of(r) for r in rows]
        return sorted(found, key=lambda s: (s.kind, s.target))

    async def any_sent(self, day: date, slot: str) -> bool:
        """Whether the run of `day` at `slot` claimed anything (a run cut short, to finish)."""
        statement = select(func.count()).select_from(DigestSent)
        statement = statement.where(DigestSent.day == day, DigestSent.slot == slot)
        async with self.db.session() as session:
            return int((await session.execute(statement)).scalar_one()) > 0

    async def subscribe(self, user_id: str, at: str | None, since: datetime) -> None:
        """Subscribe, or change the time of an existing subscription."""
        values = {"user_id": user_id, "at": at, "since": utc(since)}
        async with self.db.session() as session:
            await upsert(session, DigestSubscription.__table__, values, ["user_id"])

    async def unsubscribe(self, user_id: str) -> bool:
        """False when the user had no subscription."""
        statement = delete(DigestSubscription).where(DigestSubscription.user_id == user_id)
        async with self.db.session() as session:
            return bool((await session.execute(statement)).rowcount)

    async def subscription(self, user_id: str) -> Subscription | None:
        async with self.db.session() as session:
            row = await session.get(DigestSubscription, user_id)
            return Subscription(row.user_id, row.at, aware(row.since)) if row else None

    async def subscriptions(self) -> list[Subscription]:
        """Every subscriber, by user id."""
        statement = select(DigestSubscription).order_by(DigestSubscription.user_id)
        async with self.db.session() as session:
            rows = (await session.execute(statement)).scalars()
            return [Subscription(r.user_id, r.at, aware(r.since)) for r in rows]

    async def quiet_mode(self, room_id: str) -> str | None:
        """The room's own quiet mode (line or none), or None to follow DIGEST_QUIET."""
        async with self.db.session() as session:
            row = await session.get(DigestRoomSetting, room_id)
            return row.quiet if row else None

    async def quiet_modes(self) -> dict[str, str]:
        """Every room's own quiet mode, by room id."""
        statement = select(DigestRoomSetting).where(DigestRoomSetting.quiet.is_not(None))
        async with self.db.session() as session:
            rows = (await session.execute(statement)).scalars()
            return {row.room_id: str(row.quiet) for row in rows}

    async def set_quiet(self, room_id: str, quiet: str | None) -> None:
        values = {"room_id": room_id, "quiet": quiet, "updated_at": utcnow()}
        async with self.db.session() as session:
            await upsert(session, DigestRoomSetting.__table__, values, ["room_id"])

    async def messages(
        self, room_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[ArchivedMessage]:
        """Messages of these rooms sent in `[start, end)` that still have their text, oldest
        first: one range scan over the row ids of the window."""
        return [ArchivedMessage(*row) for row in await self.message_rows(room_ids, start, end)]

    async def message_rows(
        self, room_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[MessageRow]:
        """`messages` as plain tuples in `ArchivedMessage` field order, for callers that build
        their own records from a 100k-message day: times are parsed from the stored text
        directly, not by SQLAlchemy's per-row type processing."""
        if not room_ids:
            return []
        statement = _window(select(*MESSAGE_COLUMNS), room_ids, start, end).order_by(Row.id)
        async with self.db.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return [
            (a, b, c, _moment(at), body, root, reply, mentions_of(mentioned))
            for a, b, c, at, body, root, reply, mentioned in rows
        ]

    async def rsvp_counts(self, meeting_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """RSVP answers (yes, no, maybe) counted per meeting, in one query."""
        if not meeting_ids:
            return {}
        columns = select(MeetingRsvp.meeting_id, MeetingRsvp.answer, func.count())
        statement = columns.where(MeetingRsvp.meeting_id.in_(list(meeting_ids)))
        statement = statement.group_by(MeetingRsvp.meeting_id, MeetingRsvp.answer)
        counts: dict[int, dict[str, int]] = {}
        async with self.db.engine.connect() as connection:
            for meeting, answer, count in (await connection.execute(statement)).all():
                counts.setdefault(int(meeting), {})[str(answer)] = int(count)
        return counts

    async def message_counts(
        self, room_ids: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        """Messages with text per room in `[start, end)` (rooms without any are left out)."""
        if not room_ids:
            return {}
        columns = select(Row.room_id, func.count())
        statement = _window(columns, room_ids, start, end).group_by(Row.room_id)
        async with self.db.engine.connect() as connection:
            rows = (await connection.execute(statement)).all()
        return {str(room): int(count) for room, count in rows}


def _window(
    statement: Select[Any], room_ids: Sequence[str], start: datetime, end: datetime
) -> Select[Any]:
    """Restrict a select to live messages of `room_ids` in `[start, end)`: ids first (a row
    id is at or above its time key, at most BUMP_SLACK above), then the exact times.

    For a few rooms the room index is the way in; for many (every WG at once) one scan of the
    window's id range is about twice as fast on SQLite as a probe per room plus a sort, so the
    room test is written as `room_id || ''`, which no index serves."""
    room = Row.room_id if len(room_ids) <= FEW_ROOMS else Row.room_id + ""
    return statement.where(
        Row.id >= time_key(start),
        Row.id < time_key(end) + BUMP_SLACK,
        Row.sent_at >= utc(start),
        Row.sent_at < utc(end),
        room.in_(list(room_ids)),
        Row.redacted.is_(False),
    )


def _moment(stored: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime: SQLite hands back its naive UTC text (parsed
    in C by `fromisoformat`, several times faster than the column type's processor),
    PostgreSQL a datetime."""
    if isinstance(stored, datetime):
        return stored if stored.tzinfo else stored.replace(tzinfo=UTC)
    return datetime.fromisoformat(f"{stored}+00:00")
