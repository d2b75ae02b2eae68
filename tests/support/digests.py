"""Running the digest job by hand, as the scheduler would, at a chosen moment."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import Bot
from commands.digest_jobs import catch_up_digests, fire_digest, reconcile_digests
from commands.digest_period import digest_at
from commands.jobs import JOB_CONTEXT, JobContext
from commands.workdays import next_working_day

SEOUL = ZoneInfo("Asia/Seoul")
AT = time(8, 30)


def next_digest_day(now: datetime) -> date:
    """The first working day whose digest moment is still ahead: its period holds `now`."""
    day = next_working_day(now.astimezone(SEOUL).date())
    while digest_at(day, AT, SEOUL) <= now:
        day = next_working_day(day + timedelta(days=1))
    return day


async def run_digest_job(bot: Bot, clock: datetime, day: date) -> None:
    """The digest job and the start-up catch-up, as the scheduler would run them, at `clock`."""
    context = JobContext(
        bot.messenger, bot.repos, bot.settings, lambda: clock, bot.plan, bot.scheduler
    )
    token = JOB_CONTEXT.set(context)
    try:
        await fire_digest(day.isoformat())
        await reconcile_digests(context)
        await catch_up_digests(context)
    finally:
        JOB_CONTEXT.reset(token)
