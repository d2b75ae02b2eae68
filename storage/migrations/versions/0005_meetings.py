"""Meetings, RSVPs, the notice ledger, calendar tokens and direct-message rooms.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        _ts("starts_at"),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("recurrence", sa.String(16), nullable=True),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("organizer", sa.String(255), nullable=False),
        sa.Column("invitees", sa.Text(), nullable=False),
        sa.Column("conference", sa.String(128), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("announcement_event_id", sa.String(255), nullable=True),
        sa.Column("cancelled_occurrences", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ux_meeting_room_number", "meeting", ["room_id", "number"], unique=True)
    op.create_table(
        "meeting_rsvp",
        sa.Column("meeting_id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("reaction_event_id", sa.String(255), nullable=False),
        _ts("updated_at"),
    )
    op.create_index("ix_meeting_rsvp_reaction_event_id", "meeting_rsvp", ["reaction_event_id"])
    op.create_table(
        "meeting_notice",
        sa.Column("meeting_id", sa.Integer(), primary_key=True),
        sa.Column("occurrence", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=False),
        _ts("done_at"),
    )
    op.create_table(
        "calendar_token",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(255), nullable=False),
        _ts("created_at"),
        _ts("revoked_at", nullable=True),
    )
    op.create_index("ix_calendar_token_user_id", "calendar_token", ["user_id"])
    op.create_table(
        "direct_room",
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
    )


def downgrade() -> None:
    for table in ("direct_room", "calendar_token", "meeting_notice", "meeting_rsvp", "meeting"):
        op.drop_table(table)
