"""Position reminders as a scheduled job: once a working day, the parties of an open dispute
that have stated no position after DISPUTE_REMIND_DAYS working days are reminded in its room.

One job per Korean working day, `dispute-remind:{day}` → `fire_dispute_reminders(day)`, at
REMIND_AT local time. Every reminder is claimed in the ledger (dispute, ministry, day) before it
is sent, so a job run twice, or re-planned at start-up after it ran, reminds nobody twice. At
start-up `reconcile_dispute_reminders` plans today's job (if today is a working day; a time
already past runs once the first sync is done) and the next working day's, and drops the rest.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from commands.context import directory_names
from commands.disputes.parties import local_day, members_here, working_days_between
from commands.i18n import Text
from commands.jobs import JOB_CONTEXT, JobContext, Scheduling
from commands.plan import Plan
from commands.render import Notice, esc, user_pill
from commands.when import is_working_day, next_working_day
from storage.disputes import DisputeRecord

log = logging.getLogger(__name__)
FIRE = "commands.disputes.jobs:fire_dispute_reminders"
PREFIX = "dispute-remind:"
REMIND_AT = time(10, 0)
SOON = timedelta(minutes=1)


def job_id(day: date) -> str:
    """`dispute-remind:2026-12-28`."""
    return f"{PREFIX}{day.isoformat()}"


def planned(now: datetime, timezone: str, catch_up: bool) -> dict[str, datetime]:
    """Job id → run time: today's (on a working day, if REMIND_AT is ahead; with `catch_up`,
    at start-up, soon if it has passed) and the next working day's."""
    zone = ZoneInfo(timezone)
    today = local_day(now, timezone)
    wanted = {}
    at = datetime.combine(today, REMIND_AT, zone)
    if is_working_day(today) and (at > now or catch_up):
        wanted[job_id(today)] = max(at, now + SOON)
    following = next_working_day(today + timedelta(days=1))
    wanted[job_id(following)] = datetime.combine(following, REMIND_AT, zone)
    return wanted


async def ensure_scheduled(
    jobs: Scheduling, now: datetime, timezone: str, catch_up: bool = False
) -> tuple[int, int]:
    """Add the missing reminder jobs and drop those of other days; (added, removed)."""
    wanted = planned(now, timezone, catch_up)
    existing = {j for j in await jobs.job_ids() if j.startswith(PREFIX)}
    for job in sorted(set(wanted) - existing):
        await jobs.at(job, wanted[job], FIRE, [job.removeprefix(PREFIX)])
    removed = 0
    for job in sorted(existing - set(wanted)):
        removed += await jobs.cancel_prefix(job)
    return len(set(wanted) - existing), removed


async def reconcile_dispute_reminders(ctx: JobContext) -> tuple[int, int]:
    """At start-up, before the scheduler runs anything: plan the reminder jobs."""
    return await ensure_scheduled(ctx.jobs, ctx.clock(), ctx.settings.timezone, catch_up=True)


async def fire_dispute_reminders(day_iso: str) -> None:
    """The job is due: remind if `day` is today and a working day, then plan the next job."""
    ctx = JOB_CONTEXT.get()
    now, timezone = ctx.clock(), ctx.settings.timezone
    day = date.fromisoformat(day_iso)
    try:
        if local_day(now, timezone) == day and is_working_day(day):
            log.info("dispute reminders for %s: %d sent", day, await send_reminders(ctx, day))
    finally:
        await ensure_scheduled(ctx.jobs, now, timezone)


async def send_reminders(ctx: JobContext, day: date) -> int:
    """Remind each party still without a position after DISPUTE_REMIND_DAYS working days;
    returns how many reminders were sent."""
    if not is_working_day(day):
        return 0
    wait = ctx.settings.dispute_remind_days
    sent = 0
    for record in await ctx.repos.disputes.disputes():
        raised = local_day(record.created_at, ctx.settings.timezone)
        waited = working_days_between(raised, day)
        if waited < wait:
            continue
        for ministry in record.missing:
            sent += await _remind(ctx, record, ministry, day, waited)
    return sent


async def _remind(
    ctx: JobContext, record: DisputeRecord, ministry: str, day: date, waited: int
) -> int:
    members = await members_here(ctx.repos, ctx.plan, record.room_id, [ministry])
    if not members:
        return 0
    if not await ctx.repos.disputes.claim_reminder(record.id, ministry, day, ctx.clock()):
        return 0
    notice = reminder_notice(record, ministry, members, waited, ctx.settings, ctx.plan)
    try:
        await ctx.messenger.send_notice(record.room_id, notice, None, None)
    except Exception:
        log.exception("the position reminder of %s for %s failed", record.label, ministry)
        return 0
    return 1


def reminder_notice(
    record: DisputeRecord,
    ministry: str,
    members: tuple[str, ...],
    waited: int,
    settings: Any,
    plan: Plan | None,
) -> Notice:
    """`이견 A-1 (쟁점): 기획재정부의 입장이 아직 없습니다 …`, mentioning the ministry's members."""
    names = directory_names(plan)
    prefix = settings.command_prefix
    text = Text(
        f"이견 {record.label} ({record.text}): {ministry}의 입장이 아직 없습니다"
        f' (제기 후 근무일 {waited}일). {prefix}이견 입장 {record.label} "입장" 으로 밝혀 주세요.',
        f"Disagreement {record.label} ({record.text}): no position from {ministry} yet"
        f' ({waited} working days). State it: {prefix}dispute position {record.label} "TEXT".',
    ).pick(settings.language)
    plain = ", ".join(names.get(user, user) for user in members)
    pills = ", ".join(user_pill(user, names.get(user)) for user in members)
    return Notice(f"{text}\n{plain}", f"<p>{esc(text)}</p><p>{pills}</p>", members)
