"""Daily digests as scheduled jobs: planned per working day, sent once, caught up on start.

Each Korean working day has one job per distinct digest time ("slot"): DIGEST_TIME, when WG
rooms, the committee room and subscribers on the default time get theirs, and every other time
a subscriber chose. Jobs are `digest:{day}:{HHMM}` → `fire_digest(day, "HH:MM")`. Every post is
claimed in the ledger (kind, target, day) first, so a job run twice, or a start-up catch-up
after a job that did run, posts nothing. At start-up `reconcile_digests` plans the coming jobs
before the scheduler runs, and `catch_up_digests`, once the first sync is done (a client that
has not synced cannot post to its rooms), sends today's digests whose time has passed and that
are not in the ledger, marked late. A past day's digest is never sent (a stale digest helps
nobody; today's period already starts where the missed one ended).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from commands.digests.analysis import exec_row
from commands.digests.build import wg_digest_sections
from commands.digests.bymail import mail_digests
from commands.digests.executive import executive_digest_sections
from commands.digests.gather import (
    committee_room,
    gather_wgs,
    local_day,
    previous_counts,
    wg_scopes,
)
from commands.digests.period import (
    digest_at,
    digest_period,
    due_digest_days,
    is_late,
    previous_digest_period,
)
from commands.digests.personal import personal_digests
from commands.digests.split import Section, section, split_notice
from commands.i18n import Text
from commands.jobs import JOB_CONTEXT, JobContext, Scheduling
from commands.render import Notice, esc
from commands.when import is_working_day, next_working_day
from storage.repositories import Repositories

log = logging.getLogger(__name__)
FIRE = "commands.digests.jobs:fire_digest"
PREFIX = "digest:"
EARLY = timedelta(minutes=1)
LATE = Text("(지연 발송)", "(sent late)")
Send = Callable[[Notice], Awaitable[str]]


def clock_time(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def job_id(day: date, slot: str) -> str:
    """`digest:2026-12-01:0830`."""
    return f"{PREFIX}{day.isoformat()}:{slot.replace(':', '')}"


async def slots(repos: Repositories, settings: Any) -> list[str]:
    """Every distinct digest time: DIGEST_TIME and the subscribers' own times."""
    chosen = {sub.at for sub in await repos.digests.subscriptions() if sub.at}
    return sorted({settings.digest_time, *chosen})


def planned(day_slots: Sequence[str], now: datetime, settings: Any) -> dict[str, datetime]:
    """Job id → run time: today's slots still ahead (on a working day) and every slot of the
    next working day after today."""
    zone = settings.tz
    today = local_day(now, zone)
    days = [today] if is_working_day(today) else []
    days.append(next_working_day(today + timedelta(days=1)))
    wanted = {}
    for day in days:
        for slot in day_slots:
            when = digest_at(day, clock_time(slot), zone)
            if when > now:
                wanted[job_id(day, slot)] = when
    return wanted


async def ensure_scheduled(
    jobs: Scheduling, repos: Repositories, settings: Any, now: datetime
) -> tuple[int, int]:
    """Add the missing digest jobs, drop the ones no longer wanted (past days, times nobody
    uses any more). Returns (added, removed)."""
    wanted = planned(await slots(repos, settings), now, settings)
    existing = {j for j in await jobs.job_ids() if j.startswith(PREFIX)}
    for job in sorted(set(wanted) - existing):
        day, slot = job.removeprefix(PREFIX).split(":")
        await jobs.at(job, wanted[job], FIRE, [day, f"{slot[:2]}:{slot[2:]}"])
    removed = 0
    for job in sorted(existing - set(wanted)):
        removed += await jobs.cancel_prefix(job)
    return len(set(wanted) - existing), removed


async def fire_digest(day_iso: str, slot: str | None = None) -> None:
    """A digest job is due: send the slot's digests if `day` is today and a working day, then
    plan the next jobs (so a holiday's job still leads to the next working day's)."""
    ctx = JOB_CONTEXT.get()
    now, settings = ctx.clock(), ctx.settings
    day, slot = date.fromisoformat(day_iso), slot or settings.digest_time
    try:
        moment = digest_at(day, clock_time(slot), settings.tz)
        if local_day(now, settings.tz) == day and is_working_day(day) and now >= moment - EARLY:
            await run_slot(ctx, day, slot, max(now, moment))
        else:
            log.info("digest job %s %s not sent: not due today (now %s)", day, slot, now)
    finally:
        await ensure_scheduled(ctx.jobs, ctx.repos, settings, now)


async def reconcile_digests(ctx: JobContext) -> tuple[int, int]:
    """At start-up, before the scheduler runs anything: plan the coming digest jobs and drop
    stale ones (today's missed slots included: `catch_up_digests` sends those). Returns
    (jobs added, jobs removed)."""
    return await ensure_scheduled(ctx.jobs, ctx.repos, ctx.settings, ctx.clock())


async def catch_up_digests(ctx: JobContext) -> int:
    """Once the bot has synced after a start (so it knows its rooms and has archived what was
    said while it was down): send today's digests whose time has passed and that are not in
    the ledger, marked late. Past days are never sent. Returns how many were posted."""
    now = ctx.clock()
    sent = 0
    for slot in await slots(ctx.repos, ctx.settings):
        for day in due_digest_days(None, now, clock_time(slot), ctx.settings.tz):
            sent += await run_slot(ctx, day, slot, now)
    return sent


async def run_slot(ctx: JobContext, day: date, slot: str, now: datetime) -> int:
    """Send the digests of `day` at `slot` that are not in the ledger yet; returns how many
    were posted."""
    zone = ctx.settings.tz
    late = is_late(day, now, clock_time(slot), zone)
    done = {(s.kind, s.target) for s in await ctx.repos.digests.sent(day)}
    posted = 0
    if slot == ctx.settings.digest_time and ctx.plan is not None:
        posted += await _wg_and_executive(ctx, day, slot, late, done)
    posted += await _personal(ctx, day, slot, late, done)
    return posted + await mail_digests(ctx, day, slot, late)


async def _wg_and_executive(
    ctx: JobContext, day: date, slot: str, late: bool, done: set[tuple[str, str]]
) -> int:
    """Each WG room's digest and the committee's; every WG is read when the executive digest
    is still due (its rows need them all), only the unsent ones otherwise."""
    assert ctx.plan is not None
    repos, settings, lang = ctx.repos, ctx.settings, ctx.settings.language
    scopes = await wg_scopes(repos, ctx.plan)
    committee = await committee_room(repos, ctx.plan)
    pending = [s for s in scopes if ("wg", s.room_id) not in done]
    executive = committee is not None and ("executive", committee) not in done
    period = digest_period(day, clock_time(slot), settings.tz)
    if period is None or not (pending or executive):
        return 0
    wanted = scopes if executive else pending
    inputs = await gather_wgs(repos, settings, ctx.plan, wanted, period, day)
    waiting = {scope.room_id for scope in pending}
    posted = 0
    for scope, data in zip(wanted, inputs, strict=True):
        if scope.room_id in waiting:
            sections = wg_digest_sections(data, lang)
            send = _to_room(ctx, scope.room_id)
            posted += await post_once(ctx, ("wg", scope.room_id), day, slot, late, sections, send)
    if executive and committee is not None:
        before = previous_digest_period(day, clock_time(slot), settings.tz)
        counts = await previous_counts(repos, scopes, before)
        rows = [exec_row(data, counts[data.wg.key]) for data in inputs]
        sections = executive_digest_sections(rows, period, lang)
        send = _to_room(ctx, committee)
        posted += await post_once(ctx, ("executive", committee), day, slot, late, sections, send)
    return posted


async def _personal(
    ctx: JobContext, day: date, slot: str, late: bool, done: set[tuple[str, str]]
) -> int:
    """Subscribers on this slot who subscribed before it and have no digest today yet."""
    settings = ctx.settings
    moment = digest_at(day, clock_time(slot), settings.tz)
    users = [
        sub.user_id
        for sub in await ctx.repos.digests.subscriptions()
        if (sub.at or settings.digest_time) == slot
        and sub.since <= moment
        and ("personal", sub.user_id) not in done
    ]
    period = digest_period(day, clock_time(slot), settings.tz)
    if not users or period is None:
        return 0
    digests = await personal_digests(ctx.repos, settings, ctx.plan, users, period, day)
    posted = 0
    for user, sections in digests.items():
        send = _to_user(ctx, user)
        posted += await post_once(ctx, ("personal", user), day, slot, late, sections, send)
    return posted


def _to_room(ctx: JobContext, room_id: str) -> Send:
    async def send(notice: Notice) -> str:
        return str(await ctx.messenger.send_notice(room_id, notice, None, None))

    return send


def _to_user(ctx: JobContext, user_id: str) -> Send:
    async def send(notice: Notice) -> str:
        return str(await ctx.messenger.send_direct(user_id, notice))

    return send


async def post_once(
    ctx: JobContext,
    key: tuple[str, str],
    day: date,
    slot: str,
    late: bool,
    sections: list[Notice] | None,
    send: Send,
) -> int:
    """Claim (kind, target, day), then post the sections split under the event size limit;
    1 when posted. A claimed digest is never retried: a failure is logged and recorded."""
    kind, target = key
    digests = ctx.repos.digests
    if not await digests.claim(kind, target, day, slot, late, ctx.clock()):
        return 0
    if sections is None:
        await digests.finish(kind, target, day, "silent")
        return 0
    parts = split_notice(mark_late(sections, ctx.settings.language) if late else sections)
    first: str | None = None
    try:
        for part in parts:
            event_id = await send(part)
            first = first or event_id
    except Exception:
        log.exception("the %s digest of %s for %s could not be posted", kind, target, day)
        await digests.finish(kind, target, day, "failed", first)
        return 0
    await digests.finish(kind, target, day, "sent", first)
    return 1


def mark_late(sections: list[Notice], lang: str) -> list[Notice]:
    """The digest with `(지연 발송)` before its title."""
    head, *rest = sections
    mark = LATE.pick(lang)
    if not isinstance(head, Section):
        marked = Notice(f"{mark} {head.body}", f"<p>{esc(mark)}</p>{head.html}", head.mentions)
        return [marked, *rest]
    title = f"{mark} {head.title}"
    return [section(title, head.items, level=head.level), *rest]
