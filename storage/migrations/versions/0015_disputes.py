"""Disagreements between ministries (`!이견`): disputes, their parties' positions (with
history) and the ledger of position reminders.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(255), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wg_dispute",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("prefix", sa.String(8), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        _user("room_id"),
        sa.Column("text", sa.Text(), nullable=False),
        _user("opener"),
        _user("event_id", nullable=True),
        _ts("created_at"),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=True),
        _ts("closed_at", nullable=True),
        _user("closed_by", nullable=True),
        sa.Column("decision_label", sa.String(16), nullable=True),
        _ts("escalated_at", nullable=True),
        _user("escalated_by", nullable=True),
        _user("escalation_room_id", nullable=True),
        _user("escalation_event_id", nullable=True),
    )
    op.create_index("ux_wg_dispute_label", "wg_dispute", ["prefix", "number"], unique=True)
    op.create_index("ix_wg_dispute_room_id", "wg_dispute", ["room_id"])
    op.create_table(
        "wg_dispute_position",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dispute_id", sa.Integer(), nullable=False),
        _user("ministry"),
        sa.Column("text", sa.Text(), nullable=False),
        _user("author"),
        _user("event_id", nullable=True),
        _ts("stated_at"),
    )
    op.create_index("ix_wg_dispute_position_dispute", "wg_dispute_position", ["dispute_id"])
    op.create_table(
        "wg_dispute_reminder",
        sa.Column("dispute_id", sa.Integer(), primary_key=True),
        sa.Column("ministry", sa.String(255), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        _ts("sent_at"),
    )


def downgrade() -> None:
    op.drop_table("wg_dispute_reminder")
    op.drop_index("ix_wg_dispute_position_dispute", "wg_dispute_position")
    op.drop_table("wg_dispute_position")
    op.drop_index("ix_wg_dispute_room_id", "wg_dispute")
    op.drop_index("ux_wg_dispute_label", "wg_dispute")
    op.drop_table("wg_dispute")
