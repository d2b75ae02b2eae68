"""Archive retention: with `ARCHIVE_RETENTION_DAYS` = N > 0, archived chat text older than N days
is purged every night; the records (decisions, actions, blockers, meetings, the audit log and
the digest ledger) live in their own tables and are kept.

The job is `archive:retention` → `purge_archive()`, a one-off job that schedules its next run
before it works (so a failure does not end the series); it also compacts the search index
(`MessageArchive.optimize`), so it runs every night. At start-up `reconcile_retention` adds
it when missing.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commands.jobs import JOB_CONTEXT, JobContext, Scheduling
from storage.repositories import Repositories

log = logging.getLogger(__name__)
FIRE = "commands.search.retention:purge_archive"
JOB_ID = "archive:retention"
RUN_AT = time(3, 30)


def retention_days(settings: Any) -> int:
    """The configured retention in days; 0 keeps everything."""
    return max(int(getattr(settings, "archive_retention_days", 0) or 0), 0)


def next_run(now: datetime, tz: str) -> datetime:
    """The next RUN_AT (local) strictly after `now`."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), RUN_AT, tzinfo=zone)
    return candidate if candidate > local else candidate + timedelta(days=1)


async def purge_old_messages(repos: Repositories, days: int, now: datetime) -> int:
    """Delete archived messages sent more than `days` days before `now`; how many."""
    if days <= 0:
        return 0
    return await repos.archive.purge_before(now - timedelta(days=days))


async def schedule_retention(jobs: Scheduling, settings: Any, now: datetime) -> bool:
    """(Re)schedule the next nightly run (it also compacts the search index, so it runs
    whether or not retention is on); returns whether retention is on."""
    await jobs.at(JOB_ID, next_run(now, settings.timezone), FIRE, [])
    return retention_days(settings) > 0


async def reconcile_retention(ctx: JobContext) -> bool:
    """At start-up: make sure the nightly job exists; whether retention is on."""
    if JOB_ID not in await ctx.jobs.job_ids():
        await schedule_retention(ctx.jobs, ctx.settings, ctx.clock())
    return retention_days(ctx.settings) > 0


async def purge_archive() -> int:
    """The nightly job: schedule tomorrow's run, purge old chat text when retention is on,
    then compact the search index; returns how many messages went."""
    ctx = JOB_CONTEXT.get()
    now = ctx.clock()
    on = await schedule_retention(ctx.jobs, ctx.settings, now)
    days = retention_days(ctx.settings)
    purged = await purge_old_messages(ctx.repos, days, now) if on else 0
    if on:
        log.info("archive retention: purged %d messages older than %d days", purged, days)
    await ctx.repos.archive.optimize()
    return purged
