"""Fixtures shared by every test: databases on both backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.support.postgres import postgres_cluster  # noqa: F401


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database URL on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sotong.db'}"
    else:
        url = request.getfixturevalue("postgres_cluster").new_database()
    upgrade(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'sotong.db'}"
    upgrade(url)
    return url


@pytest_asyncio.fixture
async def repos(database_url: str) -> AsyncIterator[Repositories]:
    db = Database(database_url)
    yield Repositories.over(db)
    await db.close()
