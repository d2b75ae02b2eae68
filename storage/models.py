"""Tables. Alembic migrations create them; `create_all` is never used on a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import BigInteger, Column, Index, Integer, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def utcnow() -> datetime:
    return datetime.now(UTC)


def _ts(**kwargs: object) -> object:
    return Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), **kwargs))


class BotSession(SQLModel, table=True):
    """The bot's login (kept so every start reuses one device) and its sync position."""

    __tablename__ = "bot_session"
    user_id: str = Field(primary_key=True, max_length=255)
    access_token: str = Field(max_length=512)
    device_id: str = Field(max_length=255)
    next_batch: str | None = Field(default=None, max_length=512)
    state_version: int = Field(default=0)
    """The room state the database holds: `ROOM_STATE_VERSION` once a full-state sync has been
    stored by a bot that keeps all it needs to restart from the database."""
    updated_at: datetime = _ts(nullable=False)


class ProcessedEvent(SQLModel, table=True):
    """Event ids already handled: the guarantee that nothing is answered twice."""

    __tablename__ = "processed_event"
    event_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)
    processed_at: datetime = _ts(nullable=False, index=True)
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class SkippedEvent(SQLModel, table=True):
    """An event whose handling failed on its content: recorded once, then never retried."""

    __tablename__ = "skipped_event"
    event_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)
    error_class: str = Field(max_length=255)
    skipped_at: datetime = _ts(nullable=False)


class Room(SQLModel, table=True):
    """A room the bot knows, and whether it is in it."""

    __tablename__ = "room"
    room_id: str = Field(primary_key=True, max_length=255)
    name: str | None = Field(default=None, max_length=255)
    joined: bool = Field(default=False)
    encrypted: bool = Field(default=False)
    users_default_power: int = Field(default=0)
    creators: str = Field(default="[]", sa_column=Column(Text, nullable=False, server_default="[]"))
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
    sent_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    thread_root: str | None = Field(default=None, max_length=255)
    reply_to: str | None = Field(default=None, max_length=255)
    redacted: bool = Field(default=False)
    mentions: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Meeting(SQLModel, table=True):
    """A scheduled video meeting (or series) of a room; `number` is its short id there."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ux_meeting_room_number", "room_id", "number", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    room_id: str = Field(max_length=255)
    number: int
    title: str = Field(max_length=255)
    starts_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    duration_minutes: int
    recurrence: str | None = Field(default=None, max_length=16)
    until: date | None = Field(default=None)
    organizer: str = Field(max_length=255)
    invitees: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    conference: str = Field(max_length=128)
    sequence: int = Field(default=0)
    status: str = Field(default="scheduled", max_length=16)
    announcement_event_id: str | None = Field(default=None, max_length=255)
    cancelled_occurrences: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    created_at: datetime = _ts(nullable=False)


class MeetingRsvp(SQLModel, table=True):
    """An invitee's answer, from a reaction on the announcement."""

    __tablename__ = "meeting_rsvp"
    meeting_id: int = Field(primary_key=True)
    user_id: str = Field(primary_key=True, max_length=255)
    answer: str = Field(max_length=8)
    reaction_event_id: str = Field(max_length=255, index=True)
    updated_at: datetime = _ts(nullable=False)


class MeetingNotice(SQLModel, table=True):
    """Ledger of reminders and widget changes done: the guarantee of never twice."""

    __tablename__ = "meeting_notice"
    meeting_id: int = Field(primary_key=True)
    occurrence: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True, nullable=False))
    kind: str = Field(primary_key=True, max_length=32)
    outcome: str = Field(max_length=16)
    done_at: datetime = _ts(nullable=False)


class CalendarToken(SQLModel, table=True):
    """A personal calendar-feed link. Only the token's SHA-256 is kept, so a copy of the
    database opens no feed; the link expires and can be revoked."""

    __tablename__ = "calendar_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=255, index=True)
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class DashboardToken(SQLModel, table=True):
    """A personal link to the collaboration-map page. Only the token's SHA-256 is kept, so a
    copy of the database opens no page; the link expires and can be revoked."""

    __tablename__ = "dashboard_token"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=255, index=True)
    created_at: datetime = _ts(nullable=False)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


class DirectRoom(SQLModel, table=True):
    """The bot's direct-message room with a user (calendar links, personal digests)."""

    __tablename__ = "direct_room"
    user_id: str = Field(primary_key=True, max_length=255)
    room_id: str = Field(max_length=255)


def _optional_ts() -> object:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


class RecordCounter(SQLModel, table=True):
    """The last short-id number handed out per WG prefix (`A` gives A-1, A-2, …), shared by
    actions, decisions and blockers so one label never names two records."""

    __tablename__ = "wg_record_counter"
    prefix: str = Field(primary_key=True, max_length=8)
    last_number: int


class ActionRow(SQLModel, table=True):
    """An action item of a WG room; owners are in `wg_action_owner`, `due` is a local date."""

    __tablename__ = "wg_action"
    __table_args__ = (
        Index("ux_wg_action_label", "prefix", "number", unique=True),
        Index("ix_wg_action_room_id", "room_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8)
    number: int
    room_id: str = Field(max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _ts(nullable=False)
    due: date | None = Field(default=None)
    done_at: datetime | None = _optional_ts()
    done_by: str | None = Field(default=None, max_length=255)


class ActionOwnerRow(SQLModel, table=True):
    """One owner of an action (a child table, so "my actions" is an indexed lookup)."""

    __tablename__ = "wg_action_owner"
    __table_args__ = (Index("ix_wg_action_owner_user_id", "user_id"),)
    action_id: int = Field(primary_key=True)
    user_id: str = Field(primary_key=True, max_length=255)


class DecisionRow(SQLModel, table=True):
    """A decision of a WG room; `source_*` and `permalink` are set when it was recorded by
    replying to a message, `source_sender` being who said it."""

    __tablename__ = "wg_decision"
    __table_args__ = (
        Index("ux_wg_decision_label", "prefix", "number", unique=True),
        Index("ix_wg_decision_room_created", "room_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8)
    number: int
    room_id: str = Field(max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _ts(nullable=False)
    source_event_id: str | None = Field(default=None, max_length=255)
    source_sender: str | None = Field(default=None, max_length=255)
    permalink: str | None = Field(default=None, max_length=512)


class BlockerRow(SQLModel, table=True):
    """An execution obstacle of a WG room: open until resolved; escalation to the committee
    room is remembered with the event id of the notice posted there."""

    __tablename__ = "wg_blocker"
    __table_args__ = (
        Index("ux_wg_blocker_label", "prefix", "number", unique=True),
        Index("ix_wg_blocker_room_id", "room_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8)
    number: int
    room_id: str = Field(max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    opener: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _ts(nullable=False)
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    resolved_at: datetime | None = _optional_ts()
    resolved_by: str | None = Field(default=None, max_length=255)
    escalated_at: datetime | None = _optional_ts()
    escalated_by: str | None = Field(default=None, max_length=255)
    escalation_event_id: str | None = Field(default=None, max_length=255)


class DigestSent(SQLModel, table=True):
    """Ledger of digests: one row per (kind, target, day), claimed before posting, so a
    digest goes out once however often its job runs. `kind` is wg, executive or personal;
    `target` the room or user; `slot` the HH:MM run that sent it; `outcome` sending, sent,
    silent (a quiet WG that asked for nothing) or failed."""

    __tablename__ = "digest_sent"
    __table_args__ = (Index("ix_digest_sent_day_slot", "day", "slot"),)
    kind: str = Field(primary_key=True, max_length=16)
    target: str = Field(primary_key=True, max_length=255)
    day: date = Field(primary_key=True)
    slot: str = Field(max_length=5)
    outcome: str = Field(max_length=16)
    late: bool = Field(default=False)
    event_id: str | None = Field(default=None, max_length=255)
    sent_at: datetime = _ts(nullable=False)


class DigestSubscription(SQLModel, table=True):
    """A personal digest by DM; `at` is HH:MM in the bot's time zone, NULL for DIGEST_TIME."""

    __tablename__ = "digest_subscription"
    user_id: str = Field(primary_key=True, max_length=255)
    at: str | None = Field(default=None, max_length=5)
    since: datetime = _ts(nullable=False)


class DigestRoomSetting(SQLModel, table=True):
    """A WG room's digest choices: `quiet` is line or none (NULL: DIGEST_QUIET)."""

    __tablename__ = "digest_room_setting"
    room_id: str = Field(primary_key=True, max_length=255)
    quiet: str | None = Field(default=None, max_length=8)
    updated_at: datetime = _ts(nullable=False)


class RoomNotice(SQLModel, table=True):
    """A notice the bot gives a room once (e.g. it lacks the power to add meeting widgets):
    kept so a restart does not repeat it."""

    __tablename__ = "room_notice"
    room_id: str = Field(primary_key=True, max_length=255)
    kind: str = Field(primary_key=True, max_length=64)
    sent_at: datetime = _ts(nullable=False)


class DisputeRow(SQLModel, table=True):
    """A disagreement between ministries raised in a WG room (`!이견`): its parties (a JSON
    list of ministry names), its status (open, resolved or withdrawn), the outcome and the
    label of the WG decision that records it, and its escalation to the committee room."""

    __tablename__ = "wg_dispute"
    __table_args__ = (
        Index("ux_wg_dispute_label", "prefix", "number", unique=True),
        Index("ix_wg_dispute_room_id", "room_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=8)
    number: int
    room_id: str = Field(max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    opener: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = _ts(nullable=False)
    parties: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", max_length=16)
    outcome: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    closed_at: datetime | None = _optional_ts()
    closed_by: str | None = Field(default=None, max_length=255)
    decision_label: str | None = Field(default=None, max_length=16)
    escalated_at: datetime | None = _optional_ts()
    escalated_by: str | None = Field(default=None, max_length=255)
    escalation_room_id: str | None = Field(default=None, max_length=255)
    escalation_event_id: str | None = Field(default=None, max_length=255)


class DisputePositionRow(SQLModel, table=True):
    """A position a party ministry stated on a dispute; the newest per ministry is current,
    the older ones are its history."""

    __tablename__ = "wg_dispute_position"
    __table_args__ = (Index("ix_wg_dispute_position_dispute", "dispute_id"),)
    id: int | None = Field(default=None, primary_key=True)
    dispute_id: int
    ministry: str = Field(max_length=255)
    text: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    stated_at: datetime = _ts(nullable=False)


class DisputeReminderRow(SQLModel, table=True):
    """Ledger of position reminders: one per (dispute, ministry, local day), claimed first."""

    __tablename__ = "wg_dispute_reminder"
    dispute_id: int = Field(primary_key=True)
    ministry: str = Field(primary_key=True, max_length=255)
    day: date = Field(primary_key=True)
    sent_at: datetime = _ts(nullable=False)


class MailMessage(SQLModel, table=True):
    """A mail posted into a room, by its Message-ID's hash: the same mail twice is posted
    once, and a reply (In-Reply-To/References) finds the thread of the mail it answers."""

    __tablename__ = "mail_message"
    key: str = Field(primary_key=True, max_length=64)
    room_id: str = Field(max_length=255)
    event_id: str | None = Field(default=None, max_length=255)
    thread_root: str | None = Field(default=None, max_length=255)
    received_at: datetime = _ts(nullable=False)


class MailSubscription(SQLModel, table=True):
    """A personal digest by mail: asked for with an address, sent only once the code mailed
    there is confirmed; `token` is the secret of the one-click unsubscribe link."""

    __tablename__ = "mail_subscription"
    user_id: str = Field(primary_key=True, max_length=255)
    address: str = Field(max_length=255)
    code_hash: str = Field(max_length=64)
    token: str = Field(max_length=64, unique=True)
    confirmed: bool = Field(default=False)
    requested_at: datetime = _ts(nullable=False)
