"""One database connection on its own thread, for the few statements on a command's path.

Every command waits for its event to be claimed before it may answer. Through the async
engine a claim costs several thread hops (aiosqlite runs each step — check-out, execute,
fetch, commit, reset — as its own round trip to its thread), ~2 ms on a busy 2-core
machine. Here a whole transaction is one function run on one thread: one hop, and the
event loop never blocks on the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

from storage.connect import create_sync_engine, is_sqlite

T = TypeVar("T")


def _engine(database_url: str) -> Engine:
    if is_sqlite(database_url):
        return create_sync_engine(database_url, poolclass=SingletonThreadPool, pool_size=1)
    # PostgreSQL: a pre-pinged connection, so one that died with the server is replaced.
    return create_sync_engine(database_url, pool_size=1, max_overflow=0, pool_pre_ping=True)


class DedicatedConnection:
    """Runs short transactions one at a time on a thread of their own."""

    def __init__(self, database_url: str) -> None:
        self.engine = _engine(database_url)
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-dedicated")

    async def transaction(self, work: Callable[[Connection], T]) -> T:
        """`work(connection)` inside one transaction, committed when it returns."""

        def run() -> T:
            with self.engine.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._thread, run)

    async def close(self) -> None:
        """Release the connection (on its own thread) and stop the thread."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._thread, self.engine.dispose)
        self._thread.shutdown(wait=True)
