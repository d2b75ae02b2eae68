"""Meeting reminders at scale: start-up reconcile time and reminder lateness.

A fresh SQLite database (migrated) gets 10,000 scheduled meetings spread over the next two
weeks, a fifth of them recurring; those starting within 24 hours already had their 24-hour
reminder sent (it is in the ledger), as after a restart. Then, with the real scheduler (its
job store in the same database) and the real job functions:

(a) reconcile on an empty job table (cold start: every job added), then again (warm restart:
    nothing to add), each timed while the scheduler is paused;
(b) 1,500 more meetings whose 24-hour reminders fall due over the next 60 s, and 100 in
    progress that end in that minute (widget removed, next occurrence scheduled), are added
    and reconciled; the scheduler resumes, and each reminder's lateness (sent − due) is
    recorded;
(c) a restart after they fired: a new scheduler reconciles and runs for a few seconds, and no
    reminder may be sent a second time (the ledger).

Loopback only: the messenger is a recorder, nothing leaves the process.

    .venv/bin/python bench/reminders.py [--meetings 10000] [--due 1500] [--ending 100] [--window 60]

Target (issue #4): lateness p95 <= 1 s, every due reminder sent exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bot.config import Settings, settings_from_mapping  # noqa: E402
from bot.scheduler import Scheduler  # noqa: E402
from commands.jobs import JOB_CONTEXT, JobContext  # noqa: E402
from commands.meetings.jobs import reconcile  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Meeting, MeetingNotice  # noqa: E402
from storage.repositories import Repositories  # noqa: E402

ROOMS = 250
DAY = timedelta(days=1)
REPEATS = ["week"] * 10 + ["2weeks"] * 5 + ["month"] * 5 + [None] * 80


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Recorder:
    """The messenger: keeps each notice and state change with the moment it was made."""

    sent: list[tuple[datetime, str, str]] = field(default_factory=list)
    state: list[tuple[datetime, str, str]] = field(default_factory=list)

    async def send_notice(
        self, room_id: str, notice: Any, reply_to: str | None, thread_root: str | None
    ) -> str:
        self.sent.append((utc_now(), room_id, notice.body))
        return f"$sent{len(self.sent)}"

    async def set_room_state(
        self, room_id: str, event_type: str, state_key: str, content: dict[str, Any]
    ) -> str:
        self.state.append((utc_now(), room_id, event_type))
        return f"$state{len(self.state)}"


def meeting_row(room: str, number: int, start: datetime, repeat: str | None) -> dict[str, Any]:
    """One `meeting` row as `!meeting add` would store it."""
    return {
        "room_id": room,
        "number": number,
        "title": f"WG meeting {room[1:].split(':')[0]} #{number}",
        "starts_at": start,
        "duration_minutes": random.choice([30, 60, 90]),
        "recurrence": repeat,
        "until": (start + timedelta(days=120)).date() if repeat and number % 2 else None,
        "organizer": "@chair:bench.kr",
        "invitees": json.dumps([f"@member{n}:bench.kr" for n in range(number % 4)]),
        "conference": f"Sotong-bench-{room[1:].split(':')[0]}-{number}",
        "sequence": 0,
        "status": "scheduled",
        "announcement_event_id": f"$announce-{room}-{number}",
        "cancelled_occurrences": "[]",
        "created_at": utc_now(),
    }


async def insert_rows(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert; the new meeting ids, in the order of `rows`."""
    table = Meeting.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    async with db.engine.begin() as connection:
        return list((await connection.execute(statement, rows)).scalars())


async def presend(db: Database, done: list[tuple[int, datetime, str]], at: datetime) -> None:
    """Ledger entries for (meeting, occurrence, kind) sent before the bench's 'restart'."""
    rows = [
        {"meeting_id": mid, "occurrence": start, "kind": kind, "outcome": "sent", "done_at": at}
        for mid, start, kind in done
    ]
    if rows:
        async with db.engine.begin() as connection:
            await connection.execute(insert(MeetingNotice.__table__), rows)


async def seed_background(db: Database, count: int, now: datetime) -> int:
    """`count` meetings from 2–3 hours to 14 days ahead; the 24-hour reminders of those
    starting within a day are already in the ledger. Returns how many were pre-sent."""
    rows = []
    hour = now.replace(minute=0, second=0, microsecond=0)
    for i in range(count):
        start = hour + timedelta(hours=3) + timedelta(minutes=5 * random.randrange(14 * 288))
        rows.append(
            meeting_row(f"!wg{i % ROOMS}:bench.kr", i // ROOMS + 1, start, REPEATS[i % 100])
        )
    ids = await insert_rows(db, rows)
    done = [
        (mid, row["starts_at"], "remind:1440")
        for mid, row in zip(ids, rows, strict=True)
        if row["starts_at"] - now < DAY
    ]
    await presend(db, done, now)
    return len(done)


async def seed_due(
    db: Database, count: int, first_due: datetime, window: float
) -> dict[str, datetime]:
    """`count` one-off meetings, one per room, whose 24-hour reminders fall due evenly over
    `window` seconds from `first_due`. Returns each room's due time."""
    due = {
        f"!due{i}:bench.kr": first_due + timedelta(seconds=window * i / count) for i in range(count)
    }
    rows = [meeting_row(room, 1, when + DAY, None) for room, when in due.items()]
    await insert_rows(db, rows)
    return due


async def seed_ending(db: Database, count: int, first_due: datetime, window: float) -> set[str]:
    """`count` meetings in progress (half of them weekly) that end during the window: their
    end jobs remove the widget and schedule the next occurrence while reminders fall due.
    Everything before their end was sent before the 'restart'. Returns their rooms."""
    rows = []
    for i in range(count):
        end = (first_due + timedelta(seconds=window * (i + 0.5) / count)).replace(microsecond=0)
        row = meeting_row(f"!ending{i}:bench.kr", 1, end - timedelta(minutes=30), None)
        rows.append(row | {"duration_minutes": 30, "recurrence": "week" if i % 2 else None})
    ids = await insert_rows(db, rows)
    kinds = ("remind:1440", "remind:10", "widget", "start")
    done = [
        (mid, row["starts_at"], kind) for mid, row in zip(ids, rows, strict=True) for kind in kinds
    ]
    await presend(db, done, utc_now())
    return {row["room_id"] for row in rows}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


async def timed_reconcile(ctx: JobContext, label: str) -> tuple[int, float]:
    started = time.perf_counter()
    added, removed = await reconcile(ctx)
    elapsed = time.perf_counter() - started
    print(f"{label:<34} {added:>6} jobs added, {removed} removed in {elapsed:7.2f} s")
    return added, elapsed


def context_for(
    recorder: Recorder, repos: Repositories, settings: Settings, jobs: Scheduler
) -> JobContext:
    context = JobContext(recorder, repos, settings, utc_now, None, jobs)
    JOB_CONTEXT.set(context)
    return context


async def phase_reconcile(ctx: JobContext, db: Database, meetings: int) -> tuple[float, float]:
    """(a): cold and warm reconcile of the background meetings, scheduler paused."""
    presend = await seed_background(db, meetings, utc_now())
    print(f"{meetings} meetings seeded ({presend} had their 24 h reminder sent already)")
    _, cold = await timed_reconcile(ctx, "cold reconcile (empty job table)")
    added, warm = await timed_reconcile(ctx, "warm reconcile (restart)")
    if added:
        print(f"  !! warm reconcile added {added} jobs (expected 0)")
    return cold, warm


def lateness(
    recorder: Recorder, due: dict[str, datetime], since: int
) -> tuple[list[float], Counter[str]]:
    """Seconds late of each reminder sent to a due room, and how often each room got one."""
    late: list[float] = []
    per_room: Counter[str] = Counter()
    for sent_at, room, body in recorder.sent[since:]:
        if room in due and ("Reminder" in body or "회의 알림" in body):
            per_room[room] += 1
            late.append((sent_at - due[room]).total_seconds())
    return late, per_room


def report_lateness(late: list[float], per_room: Counter[str], expected: int) -> None:
    twice = sum(1 for n in per_room.values() if n > 1)
    print(f"reminders sent {len(per_room)}/{expected}, rooms reminded twice: {twice}")
    if late:
        print(
            f"lateness p50 {percentile(late, 0.50) * 1000:7.1f} ms   "
            f"p95 {percentile(late, 0.95) * 1000:7.1f} ms   max {max(late) * 1000:7.1f} ms   "
            f"mean {statistics.fmean(late) * 1000:.1f} ms"
        )
        verdict = "meets" if percentile(late, 0.95) <= 1.0 else "MISSES"
        print(f"target p95 <= 1 s: {verdict}")


async def wait_for_reminders(recorder: Recorder, due: dict[str, datetime], since: int) -> None:
    """Until every due room has its reminder, or 10 s after the last was due."""
    deadline = max(due.values()) + timedelta(seconds=10)
    while utc_now() < deadline:
        if len(lateness(recorder, due, since)[1]) == len(due):
            return
        await asyncio.sleep(0.5)


async def phase_lateness(
    ctx: JobContext, db: Database, scheduler: Scheduler, args: argparse.Namespace, cold: float
) -> dict[str, datetime]:
    """(b): meetings whose reminders fall due over the window, and meetings ending in it;
    the scheduler runs."""
    scheduling = cold * (args.due + args.ending) / args.meetings
    lead = max(10.0, 2 * scheduling + 5)
    first_due = utc_now() + timedelta(seconds=lead)
    due = await seed_due(db, args.due, first_due, args.window)
    ending = await seed_ending(db, args.ending, first_due, args.window)
    print(
        f"{args.due} meetings with reminders due and {args.ending} ending, "
        f"from +{lead:.0f} s over {args.window:.0f} s"
    )
    await timed_reconcile(ctx, "reconcile of those meetings")
    if utc_now() > first_due:
        print("  !! scheduling ran past the first due time: lateness includes it")
    since = len(ctx.messenger.sent)
    scheduler.resume()
    await wait_for_reminders(ctx.messenger, due, since)
    late, per_room = lateness(ctx.messenger, due, since)
    report_lateness(late, per_room, len(due))
    removed = {room for _, room, kind in ctx.messenger.state if kind.endswith("widgets")}
    print(f"ended meetings whose widget was removed: {len(removed & ending)}/{len(ending)}")
    return due


async def phase_restart(
    recorder: Recorder, repos: Repositories, settings: Settings, due: dict[str, datetime]
) -> None:
    """(c): a new scheduler on the same database reconciles and runs; nothing is resent."""
    scheduler = Scheduler(settings.database_url)
    ctx = context_for(recorder, repos, settings, scheduler)
    scheduler.start()
    await timed_reconcile(ctx, "reconcile after the reminders fired")
    since = len(recorder.sent)
    scheduler.resume()
    await asyncio.sleep(5)
    scheduler.shutdown()
    before = lateness(recorder, due, 0)[1] - lateness(recorder, due, since)[1]
    overall = lateness(recorder, due, 0)[1]
    twice = sum(1 for n in overall.values() if n > 1)
    print(
        f"after the restart: {len(recorder.sent) - since} notices sent; due rooms reminded "
        f"{len(overall)}/{len(due)} overall ({len(overall) - len(before)} only after the "
        f"restart), {twice} twice"
    )


def bench_settings(url: str) -> Settings:
    return settings_from_mapping(
        {
            "MATRIX_HOMESERVER": "http://127.0.0.1:1",
            "MATRIX_USER_ID": "@sotong:bench.kr",
            "MATRIX_PASSWORD": "unused",
            "DATABASE_URL": url,
            "LANGUAGE": "en",
            "MEETING_REMINDERS": "1440,10",
        }
    )


async def run(args: argparse.Namespace, url: str) -> None:
    settings = bench_settings(url)
    db = Database(url)
    repos = Repositories.over(db)
    recorder = Recorder()
    scheduler = Scheduler(url)
    ctx = context_for(recorder, repos, settings, scheduler)
    scheduler.start()
    try:
        cold, _warm = await phase_reconcile(ctx, db, args.meetings)
        due = await phase_lateness(ctx, db, scheduler, args, cold)
    finally:
        scheduler.shutdown()
    await phase_restart(recorder, repos, settings, due)
    await db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_500)
    parser.add_argument("--ending", type=int, default=100)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    random.seed(args.seed)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="sotong-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'sotong.db'}"
        upgrade(url)
        asyncio.run(run(args, url))


if __name__ == "__main__":
    main()
