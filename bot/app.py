"""Wires settings, storage, the Matrix client, the dispatcher and the web server together."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.matrix import Runtime, SyncLoop, log_in, make_client
from bot.messenger import NioMessenger
from bot.scheduler import Scheduler
from bot.web import build_app, start_web
from commands.catalog import build_registry
from commands.jobs import JOB_CONTEXT, JobContext
from commands.meeting_jobs import reconcile
from commands.plan import load_plan
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import Repositories

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Bot:
    """One running bot. `start` returns once it is syncing; `stop` shuts down cleanly."""

    def __init__(self, settings: Settings, data_dir: Path = Path("data"), web: bool = True):
        self.settings = settings
        self.data_dir = data_dir
        self.with_web = web
        self.runtime = Runtime()
        self.db = Database(settings.database_url)
        self.repos = Repositories.over(self.db)
        self.client = make_client(settings, data_dir / "store")
        self.plan = load_plan(Path(settings.plan_file)) if settings.plan_file else None
        self.scheduler = Scheduler(settings.database_url)
        self.messenger = NioMessenger(self.client, self.repos.direct_rooms)
        self.dispatcher = Dispatcher(
            settings,
            build_registry(),
            self.repos,
            self.messenger,
            self.runtime,
            utc_now,
            self.plan,
            self.scheduler,
        )
        self.loop = SyncLoop(
            self.client, settings, self.repos, self.dispatcher, self.runtime, utc_now
        )
        self._sync_task: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None

    async def start(self) -> None:
        await asyncio.to_thread(upgrade, self.settings.database_url)
        await log_in(self.client, self.settings, self.repos)
        await self._start_scheduler()
        if self.with_web:
            app = build_app(self.runtime, utc_now, self.repos, self.settings)
            self._web = await start_web(app, self.settings.web_host, self.settings.web_port)
        self._sync_task = asyncio.create_task(self.loop.run(), name="sync")
        synced = asyncio.create_task(self.loop.synced_once.wait())
        await asyncio.wait({self._sync_task, synced}, return_when=asyncio.FIRST_COMPLETED)
        if self._sync_task.done():
            synced.cancel()
            self._sync_task.result()
        log.info("Sotong is syncing as %s", self.settings.user_id)

    async def _start_scheduler(self) -> None:
        """Jobs find the bot's services through JOB_CONTEXT; they are reconciled with the
        tables (the source of truth) before the scheduler may fire any."""
        context = JobContext(
            self.messenger, self.repos, self.settings, utc_now, self.plan, self.scheduler
        )
        JOB_CONTEXT.set(context)
        self.scheduler.start()
        added, removed = await reconcile(context)
        log.info("scheduler reconciled: %d jobs added, %d removed", added, removed)
        self.scheduler.resume()

    async def wait(self) -> None:
        if self._sync_task is not None:
            await self._sync_task

    async def stop(self) -> None:
        """Finish the current batch and running commands, then close everything."""
        self.loop.stop()
        if self._sync_task is not None:
            await asyncio.gather(self._sync_task, return_exceptions=True)
        await self.dispatcher.drain()
        self.scheduler.shutdown()
        if self._web is not None:
            await self._web.cleanup()
        await self.client.close()
        await self.db.close()


async def run_until_signalled(settings: Settings) -> None:
    """Run the bot until SIGTERM or SIGINT."""
    bot = Bot(settings)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_requested.set)
    try:
        await bot.start()
        waiter = asyncio.create_task(stop_requested.wait())
        sync = asyncio.create_task(bot.wait())
        await asyncio.wait({waiter, sync}, return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping")
    finally:
        await bot.stop()
