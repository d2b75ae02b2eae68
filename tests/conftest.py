"""Fixtures shared by every test: databases on both backends; the wall clock of the run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
import time_machine

from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.support.clock import VARIABLE, travel_from_environment
from tests.support.postgres import postgres_cluster  # noqa: F401

_travel: list[time_machine.travel] = []


def pytest_configure(config: pytest.Config) -> None:
    """With `SOTONG_TEST_NOW` set, the whole run (collection too) sees that date."""
    traveller = travel_from_environment()
    if traveller is not None:
        _travel.append(traveller)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _travel:
        _travel.pop().stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    return f"wall clock: {datetime.now(UTC).isoformat()} ({VARIABLE})" if _travel else None


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
