"""The one APScheduler: jobs in the bot's own database, run on the bot's event loop.

APScheduler 3's job store is synchronous, so nothing that touches it runs on the event loop:
the bot's calls go to a worker thread, and so does the scheduler's own round (find the due
jobs, remove them, compute the next wake-up), which stock `AsyncIOScheduler` runs on the loop.
On SQLite that matters beyond latency: an async write transaction (a reminder claiming its
ledger row) holds the database lock while it waits for the loop to commit, so a job-store
write made on the loop waits for a lock that cannot be released — a deadlock broken only by
the busy timeout, whose error also stopped APScheduler's timer and every later reminder.
Firing jobs run on the loop as coroutines and reload their state from the tables by id.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler, run_in_event_loop
from apscheduler.schedulers.base import STATE_STOPPED
from sqlalchemy import select

from storage.connect import create_sync_engine

log = logging.getLogger(__name__)
JOB_TABLE = "apscheduler_jobs"
RETRY_SECONDS = 1.0


class LoopExecutor(AsyncIOExecutor):
    """Starts due coroutine jobs on the bot's loop when the round that found them runs in a
    worker thread (`create_task` may only be called from the loop's own thread)."""

    def _do_submit_job(self, job: Job, run_times: list[datetime]) -> None:
        self._eventloop.call_soon_threadsafe(super()._do_submit_job, job, run_times)


class OffLoopScheduler(AsyncIOScheduler):
    """`AsyncIOScheduler` whose rounds run in a worker thread, one at a time; a wake-up during
    a round asks for another. A failing round is logged and retried soon, where the stock
    scheduler would stop waking up."""

    _round: asyncio.Task[None] | None = None
    _again = False

    @run_in_event_loop
    def wakeup(self) -> None:
        self._stop_timer()
        self._again = True
        if self._round is None or self._round.done():
            self._round = self._eventloop.create_task(self._rounds())

    async def _rounds(self) -> None:
        wait: float | None = None
        while self._again and self.state != STATE_STOPPED:
            self._again = False
            try:
                wait = await asyncio.to_thread(self._process_jobs)
            except Exception:
                log.exception("scheduler round failed; retrying in %.0f s", RETRY_SECONDS)
                wait = RETRY_SECONDS
        if self.state != STATE_STOPPED and self._eventloop is not None:
            self._start_timer(wait)


class Scheduler:
    """Deterministic job ids (`meeting:{id}:{occurrence}:{kind}`), re-adding replaces."""

    def __init__(self, database_url: str) -> None:
        engine = create_sync_engine(database_url)
        self.store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
        self.aps = OffLoopScheduler(
            jobstores={"default": self.store},
            executors={"default": LoopExecutor()},
            job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
            timezone=UTC,
        )

    def start(self) -> None:
        """Start paused, on the running loop (a one-off job-table check at start-up);
        `resume` lets jobs fire once start-up has reconciled them with the tables."""
        self.aps.start(paused=True)

    def resume(self) -> None:
        self.aps.resume()

    async def at(self, job_id: str, when: datetime, func: str, args: list[Any]) -> None:
        await asyncio.to_thread(
            self.aps.add_job,
            func,
            "date",
            run_date=when,
            id=job_id,
            args=args,
            replace_existing=True,
        )

    def _ids(self, prefix: str = "") -> list[str]:
        """Job ids straight from the table: listing jobs through APScheduler unpickles every
        one of them (seconds for tens of thousands) while holding its job-store lock."""
        column = self.store.jobs_t.c.id
        statement = select(column)
        if prefix:
            statement = statement.where(column.startswith(prefix, autoescape=True))
        with self.store.engine.connect() as connection:
            return list(connection.execute(statement).scalars())

    async def cancel_prefix(self, prefix: str) -> int:
        """Remove the jobs whose ids start with `prefix` (one meeting's: `meeting:12:`)."""

        def remove() -> int:
            removed = 0
            for job_id in self._ids(prefix):
                try:
                    self.aps.remove_job(job_id)
                except JobLookupError:
                    continue
                removed += 1
            return removed

        return await asyncio.to_thread(remove)

    async def job_ids(self) -> set[str]:
        """Every stored job's id (the scheduler must have been started)."""
        return set(await asyncio.to_thread(self._ids))

    async def due_jobs(self, now: datetime) -> int:
        jobs = await asyncio.to_thread(self.aps.get_jobs)
        return sum(1 for job in jobs if job.next_run_time and job.next_run_time <= now)

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
