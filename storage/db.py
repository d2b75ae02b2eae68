"""Database engine and sessions: SQLite (WAL) or PostgreSQL from one URL, always async."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def _with_driver(database_url: str, sqlite_driver: str) -> str:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        url = url.set(drivername=sqlite_driver)
    elif url.drivername in {"postgresql", "postgres", "postgresql+psycopg"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def sync_url(database_url: str) -> str:
    """The URL a synchronous driver understands (Alembic, APScheduler's job store)."""
    return _with_driver(database_url, "sqlite")


def async_url(database_url: str) -> str:
    """The URL for the async engine: aiosqlite for SQLite, psycopg 3 for PostgreSQL."""
    return _with_driver(database_url, "sqlite+aiosqlite")


def ensure_sqlite_dir(database_url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout just works."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine; SQLite connections get WAL and a busy timeout."""
    ensure_sqlite_dir(database_url)
    is_sqlite = make_url(database_url).drivername.startswith("sqlite")
    engine = create_async_engine(async_url(database_url), pool_pre_ping=not is_sqlite)
    if is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


class Database:
    """Owns the engine and hands out short-lived sessions."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        self._sessions = async_sessionmaker(
            self.engine, class_=AsyncSession, expire_on_commit=False
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits on success and rolls back on error."""
        async with self._sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    async def close(self) -> None:
        await self.engine.dispose()
