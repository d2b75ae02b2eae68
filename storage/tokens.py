"""Personal links behind unguessable tokens: stored hashed, expiring, revocable.

A token is 32 random bytes (URL-safe text); a table keeps only its SHA-256, so a database
copy or backup opens nothing. Issuing a new link revokes the user's older ones: there is one
live link per person, and a revoke ends it at once. The dashboard and the calendar feed share
this behaviour over their own tables.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import update

from storage.db import Database
from storage.models import CalendarToken, DashboardToken

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128

TokenRow = DashboardToken | CalendarToken


def token_hash(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class PersonalTokens:
    """Issue, resolve and revoke one kind of personal link (`model` is its table)."""

    model: ClassVar[type[DashboardToken] | type[CalendarToken]]
    default_lifetime: ClassVar[timedelta]

    def __init__(self, db: Database) -> None:
        self.db = db

    async def issue(
        self, user_id: str, now: datetime, lifetime: timedelta | None = None
    ) -> tuple[str, datetime]:
        """A new token for the user and when it expires; their older tokens are revoked."""
        await self.revoke(user_id, now)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        expires = (now + (lifetime or self.default_lifetime)).astimezone(UTC)
        async with self.db.session() as session:
            session.add(
                self.model(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now.astimezone(UTC),
                    expires_at=expires,
                )
            )
        return token, expires

    async def user_for(self, token: str, now: datetime) -> str | None:
        """The user a live token belongs to; None when unknown, expired or revoked."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        async with self.db.session() as session:
            row: TokenRow | None = await session.get(self.model, token_hash(token))
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            return row.user_id

    async def revoke(self, user_id: str, now: datetime) -> int:
        """End every live link of the user; returns how many there were."""
        model = self.model
        statement = (
            update(model)
            .where(model.user_id == user_id, model.revoked_at.is_(None))
            .where(model.expires_at > now)
            .values(revoked_at=now)
        )
        async with self.db.session() as session:
            return int((await session.execute(statement)).rowcount or 0)
