"""Message archive and its full-text index (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

The index table `archive_fts` is created by raw SQL and kept out of the SQLModel metadata:
its shape differs per backend (see storage/search_index.py). The GIN index has no pending
list (`fastupdate = off`): every search would scan that list, and measured here, bulk
inserts were also 5x faster without it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_INDEX = (
    "CREATE VIRTUAL TABLE archive_fts USING fts5(doc, content='', columnsize=0, tokenize='ascii')"
)
POSTGRES_INDEX = (
    "CREATE TABLE archive_fts (id BIGINT PRIMARY KEY, doc tsvector NOT NULL)",
    "CREATE INDEX archive_fts_doc ON archive_fts USING gin (doc) WITH (fastupdate = off)",
)


def upgrade() -> None:
    op.create_table(
        "archive_room",
        sa.Column("code", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("room_id", sa.String(255), nullable=False),
    )
    op.create_index("ux_archive_room_room_id", "archive_room", ["room_id"], unique=True)
    op.create_table(
        "archived_message",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("room_id", sa.String(255), nullable=False),
        sa.Column("sender", sa.String(255), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("thread_root", sa.String(255), nullable=True),
        sa.Column("reply_to", sa.String(255), nullable=True),
        sa.Column("redacted", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index("ux_archived_message_event_id", "archived_message", ["event_id"], unique=True)
    op.create_index("ix_archived_message_room_id", "archived_message", ["room_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_INDEX:
            op.execute(statement)
    else:
        op.execute(SQLITE_INDEX)


def downgrade() -> None:
    op.execute("DROP TABLE archive_fts")
    op.drop_table("archived_message")
    op.drop_table("archive_room")
