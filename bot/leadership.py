"""Exactly one active bot: a PostgreSQL advisory lock (hot standby) or a SQLite lock file.

On PostgreSQL a second process waits as a standby — it syncs nothing and schedules
nothing — and takes over within a second or two of the active one dying, because the
server drops a dead session's advisory locks. On SQLite a second process is refused.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from pathlib import Path
from typing import IO, Any

import psycopg
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)
LOCK_KEY = 0x50_7470_6E67  # "Sotong", an arbitrary constant shared by every process
POLL_SECONDS = 1.0


class AlreadyRunning(RuntimeError):
    """Another process already runs the bot on this SQLite database."""


def _libpq_dsn(database_url: str) -> str:
    url = make_url(database_url)
    parts = {
        "host": url.host or "localhost",
        "port": str(url.port or 5432),
        "dbname": url.database or "",
        "user": url.username or "",
        "password": url.password or "",
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


class Leadership:
    """`acquire` returns once this process may act; `lost` is set if that ends."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.lost = asyncio.Event()
        self._connection: psycopg.AsyncConnection[Any] | None = None
        self._file: IO[str] | None = None
        self._watch: asyncio.Task[None] | None = None

    @property
    def is_postgres(self) -> bool:
        return make_url(self.database_url).drivername.startswith("postgres")

    async def acquire(self) -> None:
        if self.is_postgres:
            await self._acquire_advisory()
        else:
            self._acquire_file()

    def _acquire_file(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        handle = (self.data_dir / "sotong.lock").open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise AlreadyRunning(
                "another Sotong process already runs on this SQLite database; SQLite runs one "
                "process — use PostgreSQL (DATABASE_URL=postgresql+psycopg://…) for a hot standby"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle

    async def _acquire_advisory(self) -> None:
        announced = False
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(
                    _libpq_dsn(self.database_url), autocommit=True
                )
                row = await (
                    await connection.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,))
                ).fetchone()
                if row and row[0]:
                    self._connection = connection
                    self._watch = asyncio.create_task(self._keep_alive(), name="leadership")
                    log.info("this process is now the active bot")
                    return
                await connection.close()
            except psycopg.OperationalError as error:
                log.warning("cannot reach PostgreSQL for the leadership lock: %s", error)
            if not announced:
                log.info("another process is active; standing by")
                announced = True
            await asyncio.sleep(POLL_SECONDS)

    async def _keep_alive(self) -> None:
        """If the lock's session dies, another process may already be active: stop acting."""
        assert self._connection is not None
        while True:
            await asyncio.sleep(POLL_SECONDS)
            try:
                await self._connection.execute("SELECT 1")
            except psycopg.Error:
                log.error("lost the leadership lock's database session; stopping")
                self.lost.set()
                return

    async def release(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
        if self._connection is not None:
            await self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
