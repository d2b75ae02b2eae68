"""Small repository classes: the only place SQL lives. They know nothing of Matrix clients."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.archive import MessageArchive
from storage.dashboard import DashboardTokens
from storage.db import Database
from storage.digests import DigestRepository
from storage.disputes import DisputeRepository
from storage.mail import MailLedger, MailSubscriptions
from storage.meetings import CalendarTokens, DirectRooms, MeetingRepository
from storage.models import (
    AuditEntry,
    BotSession,
    Membership,
    PowerLevel,
    ProcessedEvent,
    Room,
    utcnow,
)
from storage.plan_rooms import PlanRoomRepository
from storage.records import RecordsRepository
from storage.reports import ReportQueries
from storage.room_notices import RoomNotices
from storage.room_state import RoomState, apply_room_states
from storage.search_cursors import SearchCursorRepository
from storage.skipped import SkippedEvents
from storage.upsert import insert_for, upsert

CREATOR_POWER = 1_000_000


_SESSIONS = BotSession.__table__
_SAVE_NEXT_BATCH = (
    update(_SESSIONS)
    .where(_SESSIONS.c.user_id == bindparam("u"))
    .values(next_batch=bindparam("b"), updated_at=bindparam("t"))
)


class SessionRepository:
    """The bot's login and sync position."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: str) -> BotSession | None:
        async with self.db.session() as session:
            return await session.get(BotSession, user_id)

    async def save_login(self, user_id: str, access_token: str, device_id: str) -> None:
        values = {
            "user_id": user_id,
            "access_token": access_token,
            "device_id": device_id,
            "updated_at": utcnow(),
        }
        async with self.db.session() as session:
            await upsert(session, BotSession.__table__, values, ["user_id"])

    async def save_next_batch(self, user_id: str, next_batch: str) -> None:
        """Saved after sync batches (at most once a second), on the dedicated connection: one hop
        instead of the async engine's several (profiled: a sixth of the bot's CPU per
        `!ping` went to this statement through the async engine)."""
        values = {"u": user_id, "b": next_batch, "t": utcnow()}
        rowcount = await self.db.hot.transaction(
            lambda connection: connection.execute(_SAVE_NEXT_BATCH, values).rowcount
        )
        if rowcount == 0:
            raise LookupError(f"no stored session for {user_id}")

    async def save_state_version(self, user_id: str, version: int) -> None:
        """The database now holds every joined room's state as of `version` (see BotSession)."""
        async with self.db.session() as session:
            await session.execute(
                update(BotSession)
                .where(_SESSIONS.c.user_id == user_id)
                .values(state_version=version)
            )


class EventLedger:
    """Claims event ids so that each event is handled exactly once, even across restarts.

    A claim is finished when its handling is done. A claim left unfinished by an earlier
    process (killed mid-command) may be taken over once; replies carry transaction ids
    derived from the event, so the homeserver drops a reply that was in fact already sent.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.started_at = utcnow()
        self._claim: Any = None
        table = ProcessedEvent.__table__
        self._finish = (
            update(table).where(table.c.event_id == bindparam("e")).values(done_at=bindparam("t"))
        )

    def _claim_statement(self, dialect: str) -> Any:
        """Built once: insert the claim, or take over an unfinished one of an earlier process."""
        if self._claim is None:
            table = ProcessedEvent.__table__
            self._claim = (
                insert_for(dialect, table)
                .values(
                    event_id=bindparam("e"), room_id=bindparam("r"), processed_at=bindparam("t")
                )
                .on_conflict_do_update(
                    index_elements=["event_id"],
                    set_={"processed_at": bindparam("t")},
                    where=table.c.done_at.is_(None) & (table.c.processed_at < self.started_at),
                )
                .returning(table.c.event_id)
            )
        return self._claim

    async def claim(self, event_id: str, room_id: str) -> bool:
        """True when this process should handle the event: first sight, or an unfinished
        claim of an earlier process. One prepared statement on the dedicated connection: a
        command waits for this before it may answer."""
        values = {"e": event_id, "r": room_id, "t": utcnow()}

        def take(connection: Connection) -> bool:
            statement = self._claim_statement(connection.dialect.name)
            return connection.execute(statement, values).first() is not None

        return await self.db.hot.transaction(take)

    async def finish(self, event_id: str) -> None:
        """The event is fully handled: never again, whatever happens next."""
        values = {"e": event_id, "t": utcnow()}
        await self.db.hot.transaction(lambda connection: connection.execute(self._finish, values))

    async def seen(self, event_id: str) -> bool:
        async with self.db.session() as session:
            return await session.get(ProcessedEvent, event_id) is not None

    async def prune_before(self, cutoff: datetime) -> int:
        async with self.db.session() as session:
            result = await session.execute(
                delete(ProcessedEvent).where(ProcessedEvent.processed_at < cutoff)
            )
            return int(result.rowcount or 0)


@dataclass(frozen=True)
class MemberView:
    """A read-only membership row for permission checks and listings."""

    user_id: str
    membership: str
    power_level: int
    display_name: str | None


class RoomRepository:
    """Rooms the bot is in and their current members with power levels."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def set_joined(self, room_id: str, joined: bool, name: str | None = None) -> None:
        values = {"room_id": room_id, "joined": joined, "updated_at": utcnow()}
        if name is not None:
            values["name"] = name
        async with self.db.session() as session:
            await upsert(session, Room.__table__, values, ["room_id"])

    async def set_name(self, room_id: str, name: str) -> None:
        values = {"room_id": room_id, "name": name[:255], "updated_at": utcnow()}
        async with self.db.session() as session:
            await upsert(session, Room.__table__, values, ["room_id"])

    async def name_of(self, room_id: str) -> str | None:
        async with self.db.session() as session:
            room = await session.get(Room, room_id)
            return room.name if room else None

    async def set_encrypted(self, room_id: str) -> None:
        """Encryption, once on, stays on (the spec allows no way back)."""
        values = {"room_id": room_id, "encrypted": True, "updated_at": utcnow()}
        async with self.db.session() as session:
            await upsert(session, Room.__table__, values, ["room_id"])

    async def joined_rooms(self) -> list[tuple[str, bool]]:
        """(room id, encrypted) of every room the bot is in, as its syncs left them."""
        async with self.db.session() as session:
            result = await session.execute(
                select(Room.room_id, Room.encrypted).where(Room.joined.is_(True))
            )
            return [(str(room_id), bool(encrypted)) for room_id, encrypted in result.all()]

    async def joined_count(self) -> int:
        async with self.db.session() as session:
            result = await session.execute(
                select(func.count()).select_from(Room).where(Room.joined.is_(True))
            )
            return int(result.scalar_one())

    async def set_member(
        self, room_id: str, user_id: str, membership: str, display_name: str | None = None
    ) -> None:
        values = {
            "room_id": room_id,
            "user_id": user_id,
            "membership": membership,
            "display_name": display_name,
            "updated_at": utcnow(),
        }
        async with self.db.session() as session:
            await upsert(session, Membership.__table__, values, ["room_id", "user_id"])

    async def apply_states(self, states: list[RoomState]) -> None:
        """Many rooms' members, names, creators and power levels in one transaction."""
        await apply_room_states(self.db, states)

    async def set_power_levels(self, room_id: str, levels: dict[str, int], default: int) -> None:
        """Replace the room's power levels with those of a `m.room.power_levels` event."""
        async with self.db.session() as session:
            await upsert(
                session,
                Room.__table__,
                {"room_id": room_id, "users_default_power": default, "updated_at": utcnow()},
                ["room_id"],
            )
            await session.execute(delete(PowerLevel).where(PowerLevel.room_id == room_id))
            for user_id, level in levels.items():
                session.add(PowerLevel(room_id=room_id, user_id=user_id, level=int(level)))

    async def member(self, room_id: str, user_id: str) -> MemberView | None:
        """The user's membership and effective power level, or None if never seen."""
        async with self.db.session() as session:
            row = await session.get(Membership, (room_id, user_id))
            if row is None:
                return None
            level = await self._power_level(session, room_id, user_id)
            return MemberView(row.user_id, row.membership, level, row.display_name)

    async def set_creators(self, room_id: str, creators: frozenset[str]) -> None:
        """Room creators with unlimited power (room version 12+)."""
        values = {
            "room_id": room_id,
            "creators": json.dumps(sorted(creators)),
            "updated_at": utcnow(),
        }
        async with self.db.session() as session:
            await upsert(session, Room.__table__, values, ["room_id"])

    async def _power_level(self, session: AsyncSession, room_id: str, user_id: str) -> int:
        room = await session.get(Room, room_id)
        if room is not None and user_id in json.loads(room.creators or "[]"):
            return CREATOR_POWER
        explicit = await session.get(PowerLevel, (room_id, user_id))
        if explicit is not None:
            return explicit.level
        return room.users_default_power if room is not None else 0

    async def rooms_of(self, user_id: str) -> list[str]:
        """Rooms the user is joined to now (what search and digests may show them)."""
        async with self.db.session() as session:
            result = await session.execute(
                select(Membership.room_id).where(
                    Membership.user_id == user_id, Membership.membership == "join"
                )
            )
            return list(result.scalars())


class AuditLog:
    """Writes and reads the audit trail of chair and admin commands."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(self, entry: AuditEntry) -> None:
        async with self.db.session() as session:
            session.add(entry)

    async def recent(self, room_id: str | None = None, limit: int = 50) -> list[AuditEntry]:
        statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if room_id is not None:
            statement = statement.where(AuditEntry.room_id == room_id)
        async with self.db.session() as session:
            return list((await session.execute(statement)).scalars())


@dataclass(frozen=True)
class Repositories:
    """Every repository, built once over one database and handed to commands."""

    db: Database
    sessions: SessionRepository
    events: EventLedger
    rooms: RoomRepository
    audit: AuditLog
    archive: MessageArchive
    plan_rooms: PlanRoomRepository
    search_cursors: SearchCursorRepository
    meetings: MeetingRepository
    calendar_tokens: CalendarTokens
    direct_rooms: DirectRooms
    records: RecordsRepository
    digests: DigestRepository
    dashboard_tokens: DashboardTokens
    reports: ReportQueries
    skipped: SkippedEvents
    room_notices: RoomNotices
    disputes: DisputeRepository
    mail: MailLedger
    mail_subscriptions: MailSubscriptions

    @classmethod
    def over(cls, db: Database) -> Repositories:
        return cls(
            db=db,
            sessions=SessionRepository(db),
            events=EventLedger(db),
            rooms=RoomRepository(db),
            audit=AuditLog(db),
            archive=MessageArchive(db),
            plan_rooms=PlanRoomRepository(db),
            search_cursors=SearchCursorRepository(db),
            meetings=MeetingRepository(db),
            calendar_tokens=CalendarTokens(db),
            direct_rooms=DirectRooms(db),
            records=RecordsRepository(db),
            digests=DigestRepository(db),
            dashboard_tokens=DashboardTokens(db),
            reports=ReportQueries(db),
            skipped=SkippedEvents(db),
            room_notices=RoomNotices(db),
            disputes=DisputeRepository(db),
            mail=MailLedger(db),
            mail_subscriptions=MailSubscriptions(db),
        )
