"""Foundation: bot session, processed events, rooms, memberships, power levels, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "bot_session",
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("access_token", sa.String(512), nullable=False),
        sa.Column("device_id", sa.String(255), nullable=False),
        sa.Column("next_batch", sa.String(512), nullable=True),
        _ts("updated_at"),
    )
    op.create_table(
        "processed_event",
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        _ts("processed_at"),
    )
    op.create_index("ix_processed_event_processed_at", "processed_event", ["processed_at"])
    op.create_table(
        "room",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), nullable=True),
        sa.Column("joined", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("encrypted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("users_default_power", sa.Integer(), nullable=False, server_default="0"),
        _ts("updated_at"),
    )
    op.create_table(
        "membership",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("membership", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=True),
        _ts("updated_at"),
    )
    op.create_index("ix_membership_user", "membership", ["user_id", "membership"])
    op.create_table(
        "power_level",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("level", sa.Integer(), nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        _ts("at"),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("reference", sa.String(32), nullable=True),
    )
    op.create_index("ix_audit_log_room_at", "audit_log", ["room_id", "at"])


def downgrade() -> None:
    for table in ("audit_log", "power_level", "membership", "room", "processed_event"):
        op.drop_table(table)
    op.drop_table("bot_session")
