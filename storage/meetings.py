"""Meetings, RSVPs, the notice ledger and calendar tokens."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import CalendarToken, DirectRoom, Meeting, MeetingNotice, MeetingRsvp, utcnow
from storage.tokens import PersonalTokens
from storage.upsert import insert_ignore, upsert

CALENDAR_LIFETIME = timedelta(days=365)


def invitees_of(meeting: Meeting) -> list[str]:
    return list(json.loads(meeting.invitees))


def cancelled_of(meeting: Meeting) -> list[datetime]:
    return [datetime.fromisoformat(text) for text in json.loads(meeting.cancelled_occurrences)]


class MeetingRepository:
    """The tables are the source of truth; scheduler jobs are rebuilt from them."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, meeting: Meeting) -> Meeting:
        """Store a new meeting with the next short number of its room."""
        for _ in range(5):
            async with self.db.session() as session:
                result = await session.execute(
                    select(func.coalesce(func.max(Meeting.number), 0)).where(
                        Meeting.room_id == meeting.room_id
                    )
                )
                meeting.number = int(result.scalar_one()) + 1
                session.add(meeting)
                try:
                    await session.flush()
                except IntegrityError:
                    await session.rollback()
                    meeting.id = None
                    continue
            return meeting
        raise RuntimeError("could not allocate a meeting number")

    async def save(self, meeting: Meeting) -> None:
        async with self.db.session() as session:
            await session.merge(meeting)

    async def get(self, meeting_id: int) -> Meeting | None:
        async with self.db.session() as session:
            return await session.get(Meeting, meeting_id)

    async def by_number(self, room_id: str, number: int) -> Meeting | None:
        async with self.db.session() as session:
            rows = await session.execute(
                select(Meeting).where(Meeting.room_id == room_id, Meeting.number == number)
            )
            return rows.scalars().first()

    async def by_announcement(self, event_id: str) -> Meeting | None:
        async with self.db.session() as session:
            rows = await session.execute(
                select(Meeting).where(Meeting.announcement_event_id == event_id)
            )
            return rows.scalars().first()

    async def scheduled(self, room_ids: Sequence[str] | None = None) -> list[Meeting]:
        """Meetings not cancelled, in given rooms (all rooms when None), by start."""
        statement = select(Meeting).where(Meeting.status == "scheduled")
        if room_ids is not None:
            statement = statement.where(Meeting.room_id.in_(list(room_ids)))
        async with self.db.session() as session:
            rows = await session.execute(statement.order_by(Meeting.starts_at))
            return list(rows.scalars())

    async def in_rooms(self, room_ids: Sequence[str]) -> list[Meeting]:
        """Every meeting (cancelled too, for calendars) of the given rooms."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(Meeting).where(Meeting.room_id.in_(list(room_ids))).order_by(Meeting.id)
            )
            return list(rows.scalars())

    async def set_announcement(self, meeting_id: int, event_id: str) -> None:
        async with self.db.session() as session:
            await session.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id)
                .values(announcement_event_id=event_id)
            )

    async def set_rsvp(self, meeting_id: int, user_id: str, answer: str, event_id: str) -> None:
        values = {
            "meeting_id": meeting_id,
            "user_id": user_id,
            "answer": answer,
            "reaction_event_id": event_id,
            "updated_at": utcnow(),
        }
        async with self.db.session() as session:
            await upsert(session, MeetingRsvp.__table__, values, ["meeting_id", "user_id"])

    async def drop_rsvp_reaction(self, reaction_event_id: str) -> bool:
        """A withdrawn (redacted) reaction withdraws the answer it gave."""
        async with self.db.session() as session:
            rows = await session.execute(
                select(MeetingRsvp).where(MeetingRsvp.reaction_event_id == reaction_event_id)
            )
            row = rows.scalars().first()
            if row is None:
                return False
            await session.delete(row)
            return True

    async def rsvps(self, meeting_id: int) -> dict[str, str]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(MeetingRsvp).where(MeetingRsvp.meeting_id == meeting_id)
            )
            return {row.user_id: row.answer for row in rows.scalars()}

    async def claim_notice(
        self, meeting_id: int, occurrence: datetime, kind: str, outcome: str
    ) -> bool:
        """True for the first claim of (meeting, occurrence, kind): do it; False: done before."""
        values = {
            "meeting_id": meeting_id,
            "occurrence": occurrence.astimezone(UTC),
            "kind": kind,
            "outcome": outcome,
            "done_at": utcnow(),
        }
        async with self.db.engine.begin() as connection:
            return await insert_ignore(connection, MeetingNotice.__table__, values)

    async def release_notice(self, meeting_id: int, occurrence: datetime, kind: str) -> None:
        """Undo a claim whose action failed, so a retry may claim it again."""
        async with self.db.session() as session:
            await session.execute(
                delete(MeetingNotice).where(
                    MeetingNotice.meeting_id == meeting_id,
                    MeetingNotice.occurrence == occurrence.astimezone(UTC),
                    MeetingNotice.kind == kind,
                )
            )

    async def notices(self, meeting_id: int) -> list[tuple[datetime, str, str]]:
        async with self.db.session() as session:
            rows = await session.execute(
                select(MeetingNotice).where(MeetingNotice.meeting_id == meeting_id)
            )
            return [(r.occurrence, r.kind, r.outcome) for r in rows.scalars()]


class CalendarTokens(PersonalTokens):
    """Personal calendar-feed links: hashed, expiring, one live link per user, revocable.

    Calendar apps poll a feed for months, so a link lives a year unless told otherwise."""

    model = CalendarToken
    default_lifetime = CALENDAR_LIFETIME


class DirectRooms:
    """Which room is the bot's DM with each user."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: str) -> str | None:
        async with self.db.session() as session:
            row = await session.get(DirectRoom, user_id)
            return row.room_id if row else None

    async def set(self, user_id: str, room_id: str) -> None:
        async with self.db.session() as session:
            await upsert(
                session, DirectRoom.__table__, {"user_id": user_id, "room_id": room_id}, ["user_id"]
            )
