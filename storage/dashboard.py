"""Personal links to the collaboration-map page: unguessable, expiring, revocable.

A token is 32 random bytes (URL-safe text); the table keeps only its SHA-256, so a database
copy or backup opens no page. Issuing a new link revokes the user's older ones: there is one
live link per person, and `!dashboard revoke` ends it at once.
"""

from __future__ import annotations

from datetime import timedelta

from storage.models import DashboardToken
from storage.tokens import TOKEN_BYTES, PersonalTokens, token_hash

__all__ = ["DEFAULT_LIFETIME", "TOKEN_BYTES", "DashboardTokens", "token_hash"]

DEFAULT_LIFETIME = timedelta(days=7)


class DashboardTokens(PersonalTokens):
    """Issue, resolve and revoke dashboard links."""

    model = DashboardToken
    default_lifetime = DEFAULT_LIFETIME
