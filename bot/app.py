"""Wires settings, storage, the Matrix client, the dispatcher and the web server together."""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import web

from bot.config import Settings
from bot.crypto import DeviceTrust
from bot.dispatch import Dispatcher
from bot.identity import Identity
from bot.leadership import Leadership
from bot.mail.client import SmtpMailer
from bot.mail.server import MailServer, start_mail
from bot.matrix import Runtime, SyncLoop, log_in, make_client, upload_keys
from bot.messenger import NioMessenger
from bot.scheduler import Scheduler
from bot.sized_messenger import SizedMessenger
from bot.web.server import build_app, start_web
from commands.catalog import build_registry
from commands.digests import catch_up_digests, reconcile_digests
from commands.disputes import reconcile_dispute_reminders
from commands.jobs import JOB_CONTEXT, JobContext
from commands.mail import MAILER, MailDesk
from commands.meetings import reconcile
from commands.plan import load_plan
from commands.search import reconcile_retention
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
        self.identity = Identity(self.client, settings)
        self.trust = DeviceTrust(
            self.client, (*settings.allowed_inviters, settings.user_id), settings.e2ee_trust
        )
        self.messenger = SizedMessenger(
            NioMessenger(self.client, self.repos.direct_rooms, self.trust), self.trust.is_encrypted
        )
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
        self.messenger.metrics = self.dispatcher.metrics
        self.loop = SyncLoop(
            self.client, settings, self.repos, self.dispatcher, self.runtime, utc_now, self.trust
        )
        self.leadership = Leadership(settings.database_url, data_dir)
        self._sync_task: asyncio.Task[None] | None = None
        self._web: web.AppRunner | None = None
        self.mail: MailServer | None = None

    async def start(self) -> None:
        """Wait to be the active process (a standby does nothing until then), migrate,
        log in, reconcile scheduled jobs, serve the web side and start syncing."""
        await self.leadership.acquire()
        await asyncio.to_thread(upgrade, self.settings.database_url)
        await log_in(self.client, self.settings, self.repos)
        await upload_keys(self.client)
        if self.client.olm:
            self.runtime.identity = await self.identity.ensure()
        await self._start_scheduler()
        if self.with_web:
            app = build_app(
                self.runtime,
                utc_now,
                self.repos,
                self.settings,
                plan=self.plan,
                metrics=self.dispatcher.metrics,
            )
            self._web = await start_web(app, self.settings.web_host, self.settings.web_port)
        self._sync_task = asyncio.create_task(self.loop.run(), name="sync")
        synced = asyncio.create_task(self.loop.synced_once.wait())
        await asyncio.wait({self._sync_task, synced}, return_when=asyncio.FIRST_COMPLETED)
        if self._sync_task.done():
            synced.cancel()
            self._sync_task.result()
        self.scheduler.resume()
        if self.settings.mail_listen:
            desk = MailDesk(self.messenger, self.repos, self.plan, utc_now, self.settings.language)
            self.mail = await start_mail(self.settings, desk)
        if not self.loop.fresh_install:
            caught_up = await catch_up_digests(JOB_CONTEXT.get())
            log.info("digests caught up: %d sent late", caught_up)
        log.info("Sotong is syncing as %s", self.settings.user_id)

    async def _start_scheduler(self) -> None:
        """Jobs find the bot's services through JOB_CONTEXT; they are reconciled with the
        tables (the source of truth) now, and may fire once the first sync has told the
        client its rooms (an encrypted send needs them)."""
        context = JobContext(
            self.messenger, self.repos, self.settings, utc_now, self.plan, self.scheduler
        )
        JOB_CONTEXT.set(context)
        if self.settings.smtp_url:
            MAILER.set(SmtpMailer.from_url(self.settings.smtp_url))
        self.scheduler.start()
        added, removed = await reconcile(context)
        log.info("scheduler reconciled: %d jobs added, %d removed", added, removed)
        log.info("archive retention job: %s", "on" if await reconcile_retention(context) else "off")
        log.info("digest jobs reconciled: %d added, %d removed", *await reconcile_digests(context))
        reminders = await reconcile_dispute_reminders(context)
        log.info("dispute reminder jobs reconciled: %d added, %d removed", *reminders)

    async def wait(self) -> None:
        if self._sync_task is not None:
            await self._sync_task

    async def stop(self) -> None:
        """Finish the current batch and running commands, then close everything."""
        if self.mail is not None:
            await self.mail.stop()
        self.loop.stop()
        if self._sync_task is not None:
            await asyncio.gather(self._sync_task, return_exceptions=True)
        await self.dispatcher.drain()
        self.scheduler.shutdown()
        if self._web is not None:
            await self._web.cleanup()
        await self.client.close()
        await self.db.close()
        await self.leadership.release()


async def run_until_signalled(settings: Settings) -> None:
    """Run the bot until SIGTERM or SIGINT."""
    bot = Bot(settings)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop_requested.set)
    try:
        starting = asyncio.create_task(bot.start())
        waiter = asyncio.create_task(stop_requested.wait())
        await asyncio.wait({starting, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():
            starting.cancel()
            return
        starting.result()
        sync = asyncio.create_task(bot.wait())
        lost = asyncio.create_task(bot.leadership.lost.wait())
        await asyncio.wait({waiter, sync, lost}, return_when=asyncio.FIRST_COMPLETED)
        log.info("stopping")
    finally:
        await bot.stop()
