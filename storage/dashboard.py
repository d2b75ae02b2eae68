"""Personal links to the collaboration-map page: unguessable, expiring, revocable.

A token is 32 random bytes (URL-safe text); the table keeps only its SHA-256, so a database
copy or backup opens no page. Issuing a new link revokes the user's older ones: there is one
live link per person, and `!dashboard revoke` ends it at once.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from storage.db import Database
from storage.models import DashboardToken

TOKEN_BYTES = 32
DEFAULT_LIFETIME = timedelta(days=7)


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class DashboardTokens:
    """Issue, resolve and revoke dashboard links."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def issue(
        self, user_id: str, now: datetime, lifetime: timedelta = DEFAULT_LIFETIME
    ) -> tuple[str, datetime]:
        """A new token for the user and when it expires; their older tokens are revoked."""
        await self.revoke(user_id, now)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = (now + lifetime).astimezone(UTC)
        async with self.db.session() as session:
            session.add(
                DashboardToken(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now.astimezone(UTC),
                    expires_at=expires,
                )
            )
        return token, expires

    async def user_for(self, token: str, now: datetime) -> str | None:
        """The user a live token belongs to; None when unknown, expired or revoked."""
        if not token or len(token) > 128:
            return None
        async with self.db.session() as session:
            row = await session.get(DashboardToken, token_hash(token))
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            return row.user_id

    async def revoke(self, user_id: str, now: datetime) -> int:
        """End every live link of the user; returns how many there were."""
        statement = (
            update(DashboardToken)
            .where(DashboardToken.user_id == user_id, DashboardToken.revoked_at.is_(None))
            .where(DashboardToken.expires_at > now)
            .values(revoked_at=now)
        )
        async with self.db.session() as session:
            return int((await session.execute(statement)).rowcount or 0)
