"""Plan rooms (which Matrix room serves which plan node) and search cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_room",
        sa.Column("plan_key", sa.String(64), primary_key=True),
        sa.Column("node_key", sa.String(128), primary_key=True),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("alias", sa.String(255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_plan_room_room_id", "plan_room", ["room_id"])
    op.create_table(
        "search_cursor",
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("room_id", sa.String(255), primary_key=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("next_offset", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("search_cursor")
    op.drop_table("plan_room")
