"""The bot's room state kept complete enough to restart without a full-state sync: a version
on the session (0 until a full-state sync has been stored by a bot that keeps encryption
flags) and each room's encryption flag, now maintained.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bot_session") as batch:
        batch.add_column(
            sa.Column("state_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("bot_session") as batch:
        batch.drop_column("state_version")
