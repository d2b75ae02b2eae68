"""The Matrix side of the bot: one login per install, and a sync loop that loses nothing."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    LoginResponse,
    SyncResponse,
    UploadFilterResponse,
    WhoamiResponse,
)
from nio.store import DefaultStore

from bot import nio_speedups
from bot.config import Settings
from bot.crypto import DeviceTrust
from bot.dispatch import Dispatcher
from bot.identity import IdentityState
from bot.sync import SYNC_FILTER, SyncProcessor
from bot.warm_start import ROOM_STATE_VERSION, restore_rooms
from storage.repositories import Repositories

log = logging.getLogger(__name__)
SYNC_TIMEOUT_MS = 30_000
DEVICE_NAME = "Sotong bot"
BATCH_RETRY_SECONDS = 2.0
ANSWER_HEAD_START_SECONDS = 0.25
"""How long the next long-poll waits for the batch's commands to answer (see Dispatcher)."""
POSITION_SAVE_SECONDS = 1.0
"""The sync position is written at most this often (a command's batch and the batch echoing
its reply share one write); claims make a batch replayed after a crash harmless."""


class LeanStore(DefaultStore):
    """nio's key store, minus one write per sync: nio saves the batch's newly encrypted
    rooms after every sync, opening a transaction on the event loop even when there are
    none (profiled: a tenth of the bot's CPU per `!ping`)."""

    def save_encrypted_rooms(self, rooms: set[str]) -> None:
        if rooms:
            super().save_encrypted_rooms(rooms)


class LoginFailed(RuntimeError):
    """The homeserver refused the configured credentials."""


@dataclass
class Runtime:
    """Live facts for `!status` and `/healthz`."""

    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    last_sync_at: datetime | None = None
    identity: IdentityState | None = None


def make_client(
    settings: Settings,
    store_path: Path,
    encryption: bool = True,
    kind: type[AsyncClient] = AsyncClient,
) -> AsyncClient:
    """A nio client (of class `kind`) whose retries honour `retry_after_ms` and reconnect
    quickly; with `encryption` its Olm account and room keys live in a store under
    `store_path`, so the device keeps its keys across restarts (one process per store: tools
    pass False)."""
    config = AsyncClientConfig(
        max_limit_exceeded=None,
        max_timeouts=None,
        backoff_factor=0.25,
        max_timeout_retry_wait_time=2.0,
        store_sync_tokens=False,
        encryption_enabled=encryption,
        store=LeanStore,
        request_timeout=SYNC_TIMEOUT_MS / 1000 + 30,
    )
    store_path.mkdir(parents=True, exist_ok=True)
    nio_speedups.install()
    return kind(settings.homeserver, settings.user_id, store_path=str(store_path), config=config)


async def log_in(client: AsyncClient, settings: Settings, repos: Repositories) -> None:
    """Reuse the stored token and device; log in only on a fresh install."""
    stored = await repos.sessions.get(settings.user_id)
    if stored is not None:
        client.restore_login(settings.user_id, stored.device_id, stored.access_token)
        if isinstance(await client.whoami(), WhoamiResponse):
            return
        log.warning("stored access token was refused; logging in again")
    if settings.access_token:
        client.access_token = settings.access_token
        whoami = await client.whoami()
        if not isinstance(whoami, WhoamiResponse) or not whoami.device_id:
            raise LoginFailed(f"MATRIX_ACCESS_TOKEN was refused: {whoami}")
        client.restore_login(settings.user_id, whoami.device_id, settings.access_token)
    else:
        response = await client.login(settings.password, device_name=DEVICE_NAME)
        if not isinstance(response, LoginResponse):
            raise LoginFailed(f"login as {settings.user_id} failed: {response}")
    await repos.sessions.save_login(settings.user_id, client.access_token, client.device_id)
    log.info("logged in as %s, device %s", settings.user_id, client.device_id)


async def upload_keys(client: AsyncClient) -> None:
    """Publish the device's identity and one-time keys if the store says they are due."""
    if client.olm and client.should_upload_keys:
        await client.keys_upload()


class SyncLoop:
    """Syncs until stopped, persisting `next_batch` after each fully processed batch."""

    def __init__(
        self,
        client: AsyncClient,
        settings: Settings,
        repos: Repositories,
        dispatcher: Dispatcher,
        runtime: Runtime,
        clock: Callable[[], datetime],
        trust: DeviceTrust,
    ) -> None:
        self.client = client
        self.settings = settings
        self.repos = repos
        self.trust = trust
        self.processor = SyncProcessor(client, dispatcher, trust)
        self.runtime = runtime
        self.clock = clock
        self.stopping = asyncio.Event()
        self.synced_once = asyncio.Event()
        self.sync_filter: str | dict[str, object] = SYNC_FILTER
        self.fresh_install = False
        self.full_state_first = True
        """False when a restart rebuilt nio's rooms from the database (bot/warm_start.py)."""
        self._position_saved_at: float | None = None
        self._unsaved_position: str | None = None

    async def _filter_id(self) -> str | dict[str, object]:
        """Upload the sync filter once per start; fall back to sending it inline."""
        response = await self.client.upload_filter(**SYNC_FILTER)
        return response.filter_id if isinstance(response, UploadFilterResponse) else SYNC_FILTER

    async def run(self) -> None:
        self.sync_filter = await self._filter_id()
        stored = await self.repos.sessions.get(self.settings.user_id)
        since = stored.next_batch if stored else None
        self.fresh_install = since is None
        if since is None:
            log.info("fresh install: skipping room history, old commands are not answered")
        elif stored is not None and stored.state_version >= ROOM_STATE_VERSION:
            await restore_rooms(self.client, self.repos.rooms)
            self.full_state_first = False
        bookkeeping: asyncio.Task[None] | None = None
        while not self.stopping.is_set():
            response = await self._sync_once(since)
            if response is None:
                continue
            try:
                await self.processor.process(response, since)
                if not self.synced_once.is_set() and self.full_state_first:
                    await self.repos.sessions.save_state_version(
                        self.settings.user_id, ROOM_STATE_VERSION
                    )
                await self.processor.dispatcher.let_commands_answer(ANSWER_HEAD_START_SECONDS)
                if bookkeeping is not None:
                    await bookkeeping
            except Exception:
                log.exception("processing a sync batch failed (database down?); retrying it")
                bookkeeping = None
                await asyncio.sleep(BATCH_RETRY_SECONDS)
                continue
            bookkeeping = asyncio.create_task(self._bookkeep(response.next_batch))
            since = response.next_batch
            self.runtime.last_sync_at = self.clock()
            self.synced_once.set()
        if bookkeeping is not None:
            await asyncio.gather(bookkeeping, return_exceptions=True)
        await self.save_pending_position()

    async def save_pending_position(self) -> None:
        """Write a position that the once-a-second limit held back (on stop)."""
        if self._unsaved_position is not None:
            try:
                await self._save_position(self._unsaved_position)
            except Exception:
                log.warning("could not save the last sync position; it will be replayed")

    async def _bookkeep(self, next_batch: str) -> None:
        """Key upkeep and the saved sync position, done while the next long-poll is already
        out (a batch is re-polled without waiting for them, so nothing waits on the bot).

        If processing a batch fails (the database is unavailable, say) its position is not
        advanced: the same batch comes again and claims make the retry answer each command
        once. A position saved late only means a replayed batch after a crash, which the
        claims make harmless too."""
        await self.trust.maintain()
        now = asyncio.get_running_loop().time()
        saved_at = self._position_saved_at
        if saved_at is not None and now - saved_at < POSITION_SAVE_SECONDS:
            self._unsaved_position = next_batch
            return
        await self._save_position(next_batch)
        self._position_saved_at = now

    async def _save_position(self, next_batch: str) -> None:
        await self.repos.sessions.save_next_batch(self.settings.user_id, next_batch)
        self._unsaved_position = None

    async def _sync_once(self, since: str | None) -> SyncResponse | None:
        """One sync; the first of a start asks for the full state, so the client knows every
        joined room again (nio keeps rooms only in memory) before anything is sent, unless
        the rooms were rebuilt from the database."""
        timeout = 0 if since is None or not self.synced_once.is_set() else SYNC_TIMEOUT_MS
        sync = asyncio.create_task(
            self.client.sync(
                timeout=timeout,
                since=since,
                sync_filter=self.sync_filter,
                full_state=(self.full_state_first and not self.synced_once.is_set()) or None,
            )
        )
        stop = asyncio.create_task(self.stopping.wait())
        done, _ = await asyncio.wait({sync, stop}, return_when=asyncio.FIRST_COMPLETED)
        if sync not in done:
            sync.cancel()
            return None
        stop.cancel()
        try:
            response = sync.result()
        except Exception as error:
            response = error
        if isinstance(response, SyncResponse):
            return response
        log.warning("sync failed: %r; retrying", response)
        await asyncio.sleep(1.0)
        return None

    def stop(self) -> None:
        self.stopping.set()
