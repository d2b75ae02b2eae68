"""Tables. Alembic migrations create them; `create_all` is never used on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kwargs: object) -> object:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), **kwargs))


class BotSession(SQLModel, table=True):
    """The bot's login (kept so every start reuses one device) and its sync position."""

    __tablename__ = "bot_session"
    user_id: str = Field(primary_key=True, max_length=255)
    access_token: str = Field(max_length=512)
    device_id: str = Field(max_length=255)
    next_batch: str | None = Field(default=None, max_length=512)
    updated_at: datetime = _ts(nullable=False)


class ProcessedEvent(SQLModel, table=True):
    """Event ids already handled: the guarantee that nothing is answered twice."""

    __tablename__ = "processed_event"
    event_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)
    processed_at: datetime = _ts(nullable=False, index=True)


class Room(SQLModel, table=True):
    """A room the bot knows, and whether it is in it."""

    __tablename__ = "room"
    room_id: str = Field(primary_key=True, max_length=255)
    name: str | None = Field(default=None, max_length=255)
    joined: bool = Field(default=False)
    encrypted: bool = Field(default=False)
    users_default_power: int = Field(default=0)
    updated_at: datetime = _ts(nullable=False)


class Membership(SQLModel, table=True):
    """Who is in which room with which power: read by permissions, search and the map."""

    __tablename__ = "membership"
    __table_args__ = (Index("ix_membership_user", "user_id", "membership"),)
    room_id: str = Field(primary_key=True, max_length=255)
    user_id: str = Field(primary_key=True, max_length=255)
    membership: str = Field(max_length=16)
    display_name: str | None = Field(default=None, max_length=255)
    updated_at: datetime = _ts(nullable=False)


class PowerLevel(SQLModel, table=True):
    """A user's explicit power level in a room (from `m.room.power_levels`)."""

    __tablename__ = "power_level"
    room_id: str = Field(primary_key=True, max_length=255)
    user_id: str = Field(primary_key=True, max_length=255)
    level: int


class AuditEntry(SQLModel, table=True):
    """One chair or admin command: who, what, where, when and how it ended."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_room_at", "room_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    user_id: str = Field(max_length=255)
    room_id: str = Field(max_length=255)
    command: str = Field(max_length=64)
    arguments: str = Field(default="", sa_column=Column(Text, nullable=False))
    outcome: str = Field(max_length=32)
    reference: str | None = Field(default=None, max_length=32)


class PlanRoom(SQLModel, table=True):
    """A space or room provisioned for a node of a plan: how re-runs find what exists."""

    __tablename__ = "plan_room"
    plan_key: str = Field(primary_key=True, max_length=64)
    node_key: str = Field(primary_key=True, max_length=128)
    room_id: str = Field(max_length=255, index=True)
    kind: str = Field(max_length=16)
    alias: str = Field(max_length=255)
    updated_at: datetime = _ts(nullable=False)


class SearchCursor(SQLModel, table=True):
    """A user's last search in a room, so `!search more` pages on (even after a restart)."""

    __tablename__ = "search_cursor"
    user_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(primary_key=True, max_length=255)
    query: str = Field(sa_column=Column(Text, nullable=False))
    next_offset: int = Field(default=0)
    updated_at: datetime = _ts(nullable=False)


class ArchiveRoom(SQLModel, table=True):
    """A short number per archived room: the suffix of its search tokens (see search_index)."""

    __tablename__ = "archive_room"
    __table_args__ = (Index("ux_archive_room_room_id", "room_id", unique=True),)
    code: int | None = Field(default=None, primary_key=True)
    room_id: str = Field(max_length=255)


class ArchivedMessageRow(SQLModel, table=True):
    """One archived message. `id` is its time in microseconds, bumped to stay unique, so
    id order is time order and the search index can scan newest first by id alone."""

    __tablename__ = "archived_message"
    __table_args__ = (
        Index("ux_archived_message_event_id", "event_id", unique=True),
        Index("ix_archived_message_room_id", "room_id"),
    )
    id: int = Field(
        sa_column=Column(
            BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=False
        )
    )
    event_id: str = Field(max_length=255)
    room_id: str = Field(max_length=255)
    sender: str = Field(max_length=255)
    sent_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    thread_root: str | None = Field(default=None, max_length=255)
    reply_to: str | None = Field(default=None, max_length=255)
    redacted: bool = Field(default=False)
