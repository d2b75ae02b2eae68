"""Working-group records: actions (with owners), decisions, blockers and the short-id counter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _record_columns(author: str) -> list[sa.Column]:
    """What every record kind has: its id, short label parts, room, text, who and when."""
    return [
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(author, sa.String(255), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=True),
        _ts("created_at"),
    ]


def upgrade() -> None:
    op.create_table(
        "wg_record_counter",
        sa.Column("prefix", sa.String(8), primary_key=True),
        sa.Column("last_number", sa.Integer(), nullable=False),
    )
    op.create_table(
        "wg_action",
        *_record_columns("author"),
        sa.Column("due", sa.Date(), nullable=True),
        _ts("done_at", nullable=True),
        sa.Column("done_by", sa.String(255), nullable=True),
    )
    op.create_index("ux_wg_action_label", "wg_action", ["prefix", "number"], unique=True)
    op.create_index("ix_wg_action_room_id", "wg_action", ["room_id"])
    op.create_table(
        "wg_action_owner",
        sa.Column("action_id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(255), primary_key=True),
    )
    op.create_index("ix_wg_action_owner_user_id", "wg_action_owner", ["user_id"])
    op.create_table(
        "wg_decision",
        *_record_columns("author"),
        sa.Column("source_event_id", sa.String(255), nullable=True),
        sa.Column("source_sender", sa.String(255), nullable=True),
        sa.Column("permalink", sa.String(512), nullable=True),
    )
    op.create_index("ux_wg_decision_label", "wg_decision", ["prefix", "number"], unique=True)
    op.create_index("ix_wg_decision_room_created", "wg_decision", ["room_id", "created_at"])
    op.create_table(
        "wg_blocker",
        *_record_columns("opener"),
        sa.Column("resolution", sa.Text(), nullable=True),
        _ts("resolved_at", nullable=True),
        sa.Column("resolved_by", sa.String(255), nullable=True),
        _ts("escalated_at", nullable=True),
        sa.Column("escalated_by", sa.String(255), nullable=True),
        sa.Column("escalation_event_id", sa.String(255), nullable=True),
    )
    op.create_index("ux_wg_blocker_label", "wg_blocker", ["prefix", "number"], unique=True)
    op.create_index("ix_wg_blocker_room_id", "wg_blocker", ["room_id"])


def downgrade() -> None:
    for table in ("wg_blocker", "wg_decision", "wg_action_owner", "wg_action"):
        op.drop_table(table)
    op.drop_table("wg_record_counter")
