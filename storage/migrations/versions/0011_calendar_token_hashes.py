"""Calendar-feed tokens kept as SHA-256 only, with an expiry, like the dashboard's.

Existing rows hold the plaintext token; each is replaced by its hash, so a calendar app that
already polls `/calendar/{token}.ics` keeps working, and is given a full lifetime from the
upgrade (links created before had none). The upgrade's time is `config.attributes["now"]`
when given (tests pin it), else the clock. A downgrade cannot restore the plaintext: links
issued before it stop resolving and must be asked for again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

from storage.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

LIFETIME = timedelta(days=365)

legacy = sa.table(
    "calendar_token",
    sa.column("token", sa.String(64)),
    sa.column("expires_at", UTCDateTime()),
)


def _upgrade_time() -> datetime:
    config = op.get_context().config
    given = config.attributes.get("now") if config is not None else None
    return given if isinstance(given, datetime) else datetime.now(UTC)


def _hash_existing_tokens() -> None:
    connection = op.get_bind()
    expires = _upgrade_time() + LIFETIME
    for (token,) in connection.execute(sa.select(legacy.c.token)).all():
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        connection.execute(
            sa.update(legacy)
            .where(legacy.c.token == token)
            .values(token=digest, expires_at=expires)
        )


def upgrade() -> None:
    with op.batch_alter_table("calendar_token") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    _hash_existing_tokens()
    with op.batch_alter_table("calendar_token") as batch:
        batch.alter_column("token", new_column_name="token_hash", existing_type=sa.String(64))
        batch.alter_column("expires_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("calendar_token") as batch:
        batch.alter_column("token_hash", new_column_name="token", existing_type=sa.String(64))
        batch.drop_column("expires_at")
