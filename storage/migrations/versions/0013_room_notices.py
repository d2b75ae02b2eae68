"""Room notices: a notice the bot gives a room once (the widget power it lacks), kept so a
restart does not repeat it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "room_notice",
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("room_notice")
