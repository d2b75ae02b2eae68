"""Calendar-feed tokens on SQLite and PostgreSQL: only hashes are stored, a link expires, a
new one replaces the old and a revoke ends it; and the upgrade that turns the plaintext tokens
of a deployed database into hashes keeps the calendar apps that poll them working."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from storage.connect import sync_url
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.repositories import Repositories
from storage.types import UTCDateTime

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
LEE, PARK = "@lee:gov.kr", "@park:gov.kr"
HASHING_REVISION = "0011"


async def _stored(repos: Repositories) -> list[tuple[str, ...]]:
    """Every row of the table as text, read past the model."""
    async with repos.db.session() as session:
        rows = await session.execute(text("SELECT * FROM calendar_token"))
        return [tuple(str(value) for value in row) for row in rows]


async def test_the_table_never_holds_the_plaintext_token(repos: Repositories) -> None:
    token, expires = await repos.calendar_tokens.issue(LEE, NOW)
    await repos.calendar_tokens.issue(PARK, NOW)
    rows = await _stored(repos)
    assert len(rows) == 2
    assert not any(token in value for row in rows for value in row)
    assert any(hashlib.sha256(token.encode()).hexdigest() in row for row in rows)
    assert expires == NOW + timedelta(days=365)


async def test_one_live_link_per_user_until_it_expires_or_is_revoked(repos: Repositories) -> None:
    tokens = repos.calendar_tokens
    first, _ = await tokens.issue(LEE, NOW)
    second, expires = await tokens.issue(LEE, NOW + timedelta(days=1), timedelta(days=10))
    other, _ = await tokens.issue(PARK, NOW)
    assert await tokens.user_for(first, NOW + timedelta(days=1)) is None
    assert await tokens.user_for(second, expires - timedelta(seconds=1)) == LEE
    assert await tokens.user_for(second, expires) is None
    assert await tokens.revoke(LEE, NOW + timedelta(days=2)) == 1
    assert await tokens.revoke(LEE, NOW + timedelta(days=2)) == 0
    assert await tokens.user_for(second, NOW + timedelta(days=2)) is None
    assert await tokens.user_for(other, NOW + timedelta(days=2)) == PARK


async def test_unknown_empty_and_oversized_tokens_open_nothing(repos: Repositories) -> None:
    token, _ = await repos.calendar_tokens.issue(LEE, NOW)
    for guess in ("", "nope", token[:-1], token * 4):
        assert await repos.calendar_tokens.user_for(guess, NOW) is None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database with no schema yet, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'deployed.db'}"
    return str(request.getfixturevalue("postgres_cluster").new_database())


LEGACY = sa.table(
    "calendar_token",
    sa.column("token", sa.String),
    sa.column("user_id", sa.String),
    sa.column("created_at", UTCDateTime()),
    sa.column("revoked_at", UTCDateTime()),
)


def _deployed_database(url: str, rows: list[dict[str, object]]) -> None:
    """The schema just before the hashing migration, with plaintext tokens in it."""
    script = ScriptDirectory.from_config(alembic_config(url))
    before = script.get_revision(HASHING_REVISION).down_revision
    assert isinstance(before, str)
    upgrade(url, before)
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as connection:
        connection.execute(sa.insert(LEGACY), rows)
    engine.dispose()


def _upgrade_at(url: str, when: datetime) -> None:
    config = alembic_config(url)
    config.attributes["now"] = when
    command.upgrade(config, "head")


async def test_plaintext_tokens_still_resolve_after_the_upgrade(empty_url: str) -> None:
    live, revoked = "legacy-live-token-0123456789abcdefghijklmnopq", "legacy-revoked-token-xyz"
    created = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
    upgraded = datetime(2026, 12, 6, 0, 0, tzinfo=UTC)
    rows: list[dict[str, object]] = [
        {"token": live, "user_id": LEE, "created_at": created, "revoked_at": None},
        {"token": revoked, "user_id": PARK, "created_at": created, "revoked_at": created},
    ]
    await asyncio.to_thread(_deployed_database, empty_url, rows)
    await asyncio.to_thread(_upgrade_at, empty_url, upgraded)
    repos = Repositories.over(Database(empty_url))
    try:
        tokens = repos.calendar_tokens
        stored = await _stored(repos)
        assert len(stored) == 2
        assert not any(live in value or revoked in value for row in stored for value in row)
        assert await tokens.user_for(live, upgraded + timedelta(days=364)) == LEE
        assert await tokens.user_for(live, upgraded + timedelta(days=365)) is None
        assert await tokens.user_for(revoked, upgraded) is None
        await tokens.issue(LEE, upgraded + timedelta(days=1))
        assert await tokens.user_for(live, upgraded + timedelta(days=1)) is None
    finally:
        await repos.db.close()
