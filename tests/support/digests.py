"""Running the digest job by hand, as the scheduler would, at a chosen moment; the digest day
that integration tests, whose messages the homeserver stamps with the real time, can use."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import Bot
from commands.digests.jobs import catch_up_digests, fire_digest, reconcile_digests
from commands.digests.period import digest_at
from commands.jobs import JOB_CONTEXT, JobContext
from commands.when.workdays import next_working_day

SEOUL = ZoneInfo("Asia/Seoul")
AT = time(8, 30)


def next_digest_day(now: datetime) -> date:
    """The first working day whose digest moment is still ahead: its period holds `now`."""
    day = next_working_day(now.astimezone(SEOUL).date())
    while digest_at(day, AT, SEOUL) <= now:
        day = next_working_day(day + timedelta(days=1))
    return day


async def settled_digest_day(margin: timedelta = timedelta(minutes=3)) -> date:
    """The next digest day by the real clock, the homeserver's: messages a test sends in the
    next `margin` all fall in its period. A digest moment closer than that is waited out, so a
    run that starts at 08:29 KST on a working day does not straddle two periods."""
    now = datetime.now(UTC)
    day = next_digest_day(now)
    ahead = digest_at(day, AT, SEOUL) - now
    if ahead >= margin:
        return day
    await asyncio.sleep(ahead.total_seconds() + 1)
    return next_digest_day(datetime.now(UTC))


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
