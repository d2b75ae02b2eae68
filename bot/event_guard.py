"""One event's handling, guarded: a failure caused by the event is recorded and skipped.

A sync batch is retried only when our own infrastructure failed (the database or the
homeserver unreachable); then the same batch comes again and the claims keep it exactly
once. Any other failure is the event's own doing (a member can send any JSON): it is
recorded once (event id, room, error class), counted in `/metrics`, logged, its claim is
finished so no restart tries it again, and the rest of the batch goes on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

import aiohttp

from bot.web.metrics import Metrics
from storage.repositories import Repositories

log = logging.getLogger(__name__)
DATABASE_MODULES = ("sqlalchemy", "sqlite3", "aiosqlite", "psycopg")


def _from_database(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in DATABASE_MODULES


class EventGuard:
    """Runs event handlers; tells infrastructure failures (re-raised) from poison events."""

    def __init__(
        self, repos: Repositories, metrics: Metrics, clock: Callable[[], datetime]
    ) -> None:
        self.repos = repos
        self.metrics = metrics
        self.clock = clock
        self._traced: set[str] = set()

    async def run(self, room_id: str, event_id: str | None, handling: Awaitable[None]) -> None:
        try:
            await handling
        except Exception as error:
            if await self._infrastructure(error):
                raise
            await self._skip(room_id, event_id, error)

    async def _infrastructure(self, error: Exception) -> bool:
        """The database or the homeserver is unreachable: the batch must be retried."""
        if isinstance(error, OSError | asyncio.TimeoutError | aiohttp.ClientError):
            return True
        return _from_database(error) and not await self.repos.db.reachable()

    async def _skip(self, room_id: str, event_id: str | None, error: Exception) -> None:
        kind = type(error).__name__
        self.metrics.skipped(kind)
        first_of_kind = kind not in self._traced
        self._traced.add(kind)
        log.warning(
            "skipped event %s in %s: %s (%s)",
            event_id,
            room_id,
            kind,
            str(error)[:200],
            exc_info=error if first_of_kind else None,
        )
        if event_id is None:
            return
        await self.repos.skipped.record(event_id, room_id, kind, self.clock())
        await self.repos.events.claim(event_id, room_id)
        await self.repos.events.finish(event_id)
