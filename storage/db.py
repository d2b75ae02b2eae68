"""Database engine and sessions: SQLite (WAL) or PostgreSQL from one URL, always async."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.connect import async_url, ensure_sqlite_dir, is_sqlite, sqlite_pragmas
from storage.dedicated import DedicatedConnection


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine; SQLite connections get WAL and a busy timeout."""
    ensure_sqlite_dir(database_url)
    sqlite = is_sqlite(database_url)
    engine = create_async_engine(async_url(database_url), pool_pre_ping=not sqlite)
    if sqlite:
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
    return engine


class Database:
    """Owns the engine and hands out short-lived sessions."""

    def __init__(self, database_url: str) -> None:
        self.url = database_url
        self.engine = create_engine(database_url)
        self.hot = DedicatedConnection(database_url)
        """A connection of its own for the statements a command waits on (its claim)."""
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

    async def reachable(self, timeout: float = 5.0) -> bool:
        """True when a trivial query answers: tells a database outage from a bad row."""
        try:
            async with asyncio.timeout(timeout), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def close(self) -> None:
        await self.hot.close()
        await self.engine.dispose()
