"""Meeting reminders and widgets as scheduled jobs: planned from the tables, done once.

Each occurrence gets jobs `meeting:{id}:{start}:{kind}` — reminders at the configured
offsets, the widget a few minutes early, "starting now" at the start, and the end (widget
removed, next occurrence scheduled). A job claims its (meeting, occurrence, kind) in the
ledger before acting, so a restart or a re-added job never sends twice; one that fires late
is sent marked late while the meeting has not ended, otherwise skipped and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.context import directory_names
from commands.jobs import JOB_CONTEXT, JobContext, Scheduling
from commands.meetings.recurrence import Schedule, occurrences
from commands.meetings.render import reminder_notice
from commands.meetings.widgets import set_widget
from storage.meetings import cancelled_of
from storage.models import Meeting

log = logging.getLogger(__name__)
FIRE = "commands.meetings.jobs:fire"
WIDGET_LEAD = timedelta(minutes=5)
LATE_AFTER = timedelta(seconds=60)
NEAR_OCCURRENCES = 8
RETRY_AFTER = timedelta(seconds=30)


@dataclass(frozen=True)
class PlannedJob:
    job_id: str
    when: datetime
    meeting_id: int
    start: datetime
    kind: str

    @property
    def args(self) -> list[str | int]:
        """What the stored job calls `fire` with: ids and text, never objects."""
        return [self.meeting_id, self.start.isoformat(), self.kind]


def schedule_of(meeting: Meeting, limit: int = 200) -> Schedule:
    return occurrences(
        meeting.starts_at,
        timedelta(minutes=meeting.duration_minutes),
        meeting.recurrence,
        meeting.until,
        limit=limit,
        cancelled=cancelled_of(meeting),
    )


def next_start(meeting: Meeting, now: datetime) -> datetime | None:
    """The start of the first occurrence not ended by `now`. The series is expanded only as
    far as needed: start-up plans every meeting, and a full expansion (200 dates, each looked
    up in the holidays) costs about a millisecond a series."""
    for limit in (NEAR_OCCURRENCES, 200):
        schedule = schedule_of(meeting, limit)
        start = schedule.next_held(now)
        if start is not None or not schedule.truncated:
            return start
    return None


def offset_of(kind: str) -> timedelta:
    """How long before the start a job of this kind is due (negative: after)."""
    if kind.startswith("remind:"):
        return timedelta(minutes=int(kind.split(":", 1)[1]))
    return {"widget": WIDGET_LEAD, "start": timedelta(0)}.get(kind, timedelta(0))


def jobs_for(meeting: Meeting, reminders: tuple[int, ...], now: datetime) -> list[PlannedJob]:
    """The jobs of the next occurrence that has not ended (none for a finished series)."""
    start = next_start(meeting, now) if meeting.status == "scheduled" else None
    if start is None:
        return []
    end = start + timedelta(minutes=meeting.duration_minutes)
    stamp = int(start.timestamp())
    kinds = [f"remind:{m}" for m in reminders] + ["widget", "start"]
    planned = [(kind, start - offset_of(kind)) for kind in kinds] + [("end", end)]
    return [
        PlannedJob(f"meeting:{meeting.id}:{stamp}:{kind}", when, meeting.id or 0, start, kind)
        for kind, when in planned
    ]


async def schedule_meeting(
    jobs: Scheduling, meeting: Meeting, reminders: tuple[int, ...], now: datetime
) -> int:
    """(Re)schedule a meeting's next occurrence; earlier jobs of it are dropped first.
    Reminders already due when the meeting is scheduled (a 24-hour reminder for a meeting
    in 19 hours) are not sent: the announcement itself is that notice."""
    await jobs.cancel_prefix(f"meeting:{meeting.id}:")
    planned = [job for job in jobs_for(meeting, reminders, now) if not _due_before(job, now)]
    for job in planned:
        await jobs.at(job.job_id, job.when, FIRE, job.args)
    return len(planned)


def _due_before(job: PlannedJob, moment: datetime) -> bool:
    """A reminder already due at `moment`: never sent when its date was planned then."""
    return job.kind.startswith("remind:") and job.when < moment


def planned_from(meeting: Meeting, start: datetime) -> datetime:
    """When the jobs of the date at `start` were planned: at the meeting's creation, or for a
    later date of a series when the date before it ended (its end job plans the next)."""
    earlier = [held for held in schedule_of(meeting).held if held < start]
    if not earlier:
        return meeting.created_at
    return max(meeting.created_at, earlier[-1] + timedelta(minutes=meeting.duration_minutes))


async def reconcile(ctx: JobContext) -> tuple[int, int]:
    """At start-up: drop orphaned meeting jobs, then add the missing jobs of every scheduled
    meeting. Returns (jobs added, jobs removed)."""
    now = ctx.clock()
    meetings = {item.id or 0: item for item in await ctx.repos.meetings.scheduled()}
    wanted = {
        job.job_id: job
        for meeting in meetings.values()
        for job in jobs_for(meeting, ctx.settings.meeting_reminders, now)
    }
    existing = await ctx.jobs.job_ids()
    removed = 0
    for job_id in existing - wanted.keys():
        if job_id.startswith("meeting:"):
            removed += await ctx.jobs.cancel_prefix(job_id)
    if removed:
        existing = await ctx.jobs.job_ids()
    missing = [job for job_id, job in wanted.items() if job_id not in existing]
    added = 0
    for job in await _not_done(ctx, missing, meetings, now):
        await ctx.jobs.at(job.job_id, job.when, FIRE, job.args)
        added += 1
    return added, removed


async def _not_done(
    ctx: JobContext, jobs: list[PlannedJob], meetings: dict[int, Meeting], now: datetime
) -> list[PlannedJob]:
    """Drop the jobs already due that scheduling never added (a reminder already due when its
    date was planned: a meeting made two hours ahead has no 24-hour reminder, after a restart
    either) or whose notice is in the ledger: done before a restart (a fired job leaves the
    job table), re-adding one would only fire it to find its claim taken."""
    done: dict[int, set[tuple[datetime, str]]] = {}
    kept = []
    for job in jobs:
        if job.when <= now:
            if _due_before(job, planned_from(meetings[job.meeting_id], job.start)):
                continue
            if job.meeting_id not in done:
                notices = await ctx.repos.meetings.notices(job.meeting_id)
                done[job.meeting_id] = {(occurrence, kind) for occurrence, kind, _ in notices}
            if (job.start, job.kind) in done[job.meeting_id]:
                continue
        kept.append(job)
    return kept


async def fire(meeting_id: int, occurrence: str, kind: str) -> None:
    """A meeting job is due: reload, claim it in the ledger, then act."""
    ctx = JOB_CONTEXT.get()
    meeting = await ctx.repos.meetings.get(meeting_id)
    start = datetime.fromisoformat(occurrence).astimezone(ctx.settings.tz)
    if meeting is None or meeting.status != "scheduled" or start in cancelled_of(meeting):
        return
    now = ctx.clock()
    end = start + timedelta(minutes=meeting.duration_minutes)
    late = now - (start - offset_of(kind)) > LATE_AFTER
    if kind != "end" and late and now >= end:
        if await ctx.repos.meetings.claim_notice(meeting_id, start, kind, "missed"):
            log.warning("meeting %s %s %s missed while the bot was down", meeting_id, start, kind)
        return
    if not await ctx.repos.meetings.claim_notice(
        meeting_id, start, kind, "late" if late else "sent"
    ):
        return
    try:
        await _act(ctx, meeting, start, kind, late)
    except Exception:
        log.exception("meeting %s %s failed; retrying in %s", meeting_id, kind, RETRY_AFTER)
        await ctx.repos.meetings.release_notice(meeting_id, start, kind)
        retry_id = f"meeting:{meeting_id}:{int(start.timestamp())}:{kind}:retry"
        await ctx.jobs.at(retry_id, now + RETRY_AFTER, FIRE, [meeting_id, occurrence, kind])


async def _act(ctx: JobContext, meeting: Meeting, start: datetime, kind: str, late: bool) -> None:
    if kind == "widget":
        await set_widget(ctx, meeting, add=True)
    elif kind == "end":
        await set_widget(ctx, meeting, add=False)
        end = start + timedelta(minutes=meeting.duration_minutes)
        await schedule_meeting(ctx.jobs, meeting, ctx.settings.meeting_reminders, end)
    else:
        rsvps = await ctx.repos.meetings.rsvps(meeting.id or 0)
        names = directory_names(ctx.plan)
        notice = reminder_notice(meeting, start, kind, late, rsvps, ctx.settings, names)
        await ctx.messenger.send_notice(
            meeting.room_id, notice, meeting.announcement_event_id, None
        )
