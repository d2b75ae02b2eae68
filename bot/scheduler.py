"""The one APScheduler: jobs in the bot's own database, run on the bot's event loop.

APScheduler 3's job store is synchronous, so every call that touches it from the bot is
moved to a worker thread; firing jobs reload their state from the tables by id.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from storage.db import ensure_sqlite_dir, sync_url

log = logging.getLogger(__name__)
JOB_TABLE = "apscheduler_jobs"


class Scheduler:
    """Deterministic job ids (`meeting:{id}:{occurrence}:{kind}`), re-adding replaces."""

    def __init__(self, database_url: str) -> None:
        ensure_sqlite_dir(database_url)
        self.aps = AsyncIOScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(url=sync_url(database_url), tablename=JOB_TABLE)
            },
            executors={"default": AsyncIOExecutor()},
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

    async def cancel_prefix(self, prefix: str) -> int:
        def remove() -> int:
            doomed = [job.id for job in self.aps.get_jobs() if job.id.startswith(prefix)]
            for job_id in doomed:
                self.aps.remove_job(job_id)
            return len(doomed)

        return await asyncio.to_thread(remove)

    async def job_ids(self) -> set[str]:
        return await asyncio.to_thread(lambda: {job.id for job in self.aps.get_jobs()})

    async def due_jobs(self, now: datetime) -> int:
        jobs = await asyncio.to_thread(self.aps.get_jobs)
        return sum(1 for job in jobs if job.next_run_time and job.next_run_time <= now)

    def shutdown(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=False)
