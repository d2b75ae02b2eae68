"""Daily digests: the sent-digest ledger, personal subscriptions, per-room quiet mode, and the
user ids a message mentions (for "mentions you have not answered").

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("archived_message", sa.Column("mentions", sa.Text(), nullable=True))
    op.create_table(
        "digest_sent",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("target", sa.String(255), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("slot", sa.String(5), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=True),
        _ts("sent_at"),
    )
    op.create_index("ix_digest_sent_day_slot", "digest_sent", ["day", "slot"])
    op.create_table(
        "digest_subscription",
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("at", sa.String(5), nullable=True),
        _ts("since"),
    )
    op.create_table(
        "digest_room_setting",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("quiet", sa.String(8), nullable=True),
        _ts("updated_at"),
    )


def downgrade() -> None:
    for table in ("digest_room_setting", "digest_subscription", "digest_sent"):
        op.drop_table(table)
    with op.batch_alter_table("archived_message") as batch:
        batch.drop_column("mentions")
