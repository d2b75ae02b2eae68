"""Daily digest build time at scale, and whether it depends on how long the history is.

A fresh database gets a synthetic plan of 97 working groups (one room each, 600 officials of
20 ministries), a few records and meetings per room, then an archive of HISTORY messages over
the year before the digest period plus 100,000 messages inside it (Monday 08:30 → Tuesday
08:30 KST; threads, replies, questions and mentions included), bulk-inserted with
`MessageArchive.add_many`. The timed "build" is what the 08:30 job does before posting: read
every WG's window of messages and its records and meetings, build the 97 WG digests and the
executive digest, and split them into events. One full job run (ledger claims and posting to a
recording messenger) is timed too. Build runs alternate between the history sizes, so load from
other processes falls on both alike; CPU time is printed beside wall time for the same reason.

    .venv/bin/python bench/digest.py [--backend sqlite|postgres] [--history 10000,1000000]

Targets (issue #5): build < 2 s, and the build at 1M history <= 1.3x the one at 10k.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import settings_from_mapping  # noqa: E402
from commands.digests.analysis import exec_row  # noqa: E402
from commands.digests.build import wg_digest_sections  # noqa: E402
from commands.digests.executive import executive_digest_sections  # noqa: E402
from commands.digests.gather import gather_wgs, previous_counts, wg_scopes  # noqa: E402
from commands.digests.jobs import run_slot  # noqa: E402
from commands.digests.period import digest_period, previous_digest_period  # noqa: E402
from commands.digests.split import split_notice  # noqa: E402
from commands.jobs import JobContext  # noqa: E402
from commands.plan.model import (  # noqa: E402
    Committee,
    CoreTask,
    Goal,
    Person,
    Plan,
    WorkingGroup,
)
from commands.render import Notice  # noqa: E402
from storage.archive import ArchivedMessage  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Meeting  # noqa: E402
from storage.plan_rooms import PlanRoomRecord  # noqa: E402
from storage.records import NewRecord  # noqa: E402
from storage.repositories import Repositories  # noqa: E402
from tests.support.transcript import RecordingMessenger, RecordingScheduler  # noqa: E402

SEOUL = ZoneInfo("Asia/Seoul")
DAY = date(2026, 12, 1)
AT = clock_time(8, 30)
WGS, PEOPLE, MINISTRIES, MEMBERS = 97, 600, 20, 20
DAY_MESSAGES = 100_000
LINES = (
    "예산 협의 일정 공유합니다",
    "자료 검토 부탁드립니다",
    "회의록 올렸습니다",
    "보고서 초안 수정했습니다",
    "내일 회의 몇 시인가요?",
    "관련 법령 개정안 문의드립니다",
    "확인했습니다",
    "Draft slides for the KPI review are up",
    "데이터 플랫폼 구축 계획 반영하겠습니다",
)


@asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A migrated, empty database URL (a throw-away PostgreSQL cluster for postgres)."""
    folder = Path(tempfile.mkdtemp(prefix="sotong-digest-bench-"))
    cluster = None
    try:
        if backend == "postgres":
            from tests.support.postgres import PostgresCluster

            cluster = PostgresCluster(Path("/tmp") / f"sotong-digest-pg-{uuid.uuid4().hex[:8]}")
            cluster.start()
            url = cluster.new_database()
        else:
            url = f"sqlite:///{folder / 'bench.db'}"
        await asyncio.to_thread(upgrade, url)
        yield url
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


def synthetic_plan() -> Plan:
    """97 core tasks under 4 goals; each WG has a chair and 19 members of mixed ministries."""
    people = tuple(
        Person(f"@official{n}:gov.kr", f"공무원{n}", f"부처{n % MINISTRIES}", "sejong")
        for n in range(PEOPLE)
    )
    goals = []
    for g in range(4):
        cores = tuple(
            CoreTask(
                key=f"core-{n:03d}",
                name_ko=f"핵심과제 {n}",
                name_en=f"Core task {n}",
                number=n,
                goal_key=f"goal-{g}",
                wg=WorkingGroup(members_of(n)[:1], members_of(n)[1:]),
            )
            for n in range(1 + g, WGS + 1, 4)
        )
        goals.append(
            Goal(
                key=f"goal-{g}",
                name_ko=f"목표 {g}",
                name_en=f"Goal {g}",
                number=g + 1,
                core_tasks=cores,
            )
        )
    committee = Committee(
        key="committee",
        name_ko="위원회",
        name_en="Committee",
        wg=WorkingGroup(("@official0:gov.kr",)),
    )
    return Plan(
        key="bench",
        name_ko="벤치",
        name_en="Bench",
        committee_room=True,
        encrypted=False,
        illustrative_note="",
        committee=committee,
        directory=people,
        offices=(),
        goals=tuple(goals),
    )


def members_of(wg: int) -> tuple[str, ...]:
    return tuple(f"@official{(wg * 7 + k * 31) % PEOPLE}:gov.kr" for k in range(MEMBERS))


def room_of(wg: int) -> str:
    return f"!wg{wg:03d}:gov.kr"


def messages(count: int, start: datetime, end: datetime, seed: int, tag: str) -> Iterator[Any]:
    """`count` messages spread over `[start, end)`, oldest first, in the 97 rooms: a tenth
    are thread replies, a twentieth replies, a twentieth mention someone."""
    rng = random.Random(seed)
    step = (end - start) / count
    recent: dict[int, list[str]] = {}
    for n in range(count):
        wg = rng.randrange(1, WGS + 1)
        earlier = recent.setdefault(wg, [])
        event_id = f"${tag}{n}"
        kind = rng.random()
        thread = rng.choice(earlier) if earlier and kind < 0.1 else None
        reply = rng.choice(earlier) if earlier and 0.1 <= kind < 0.15 else None
        mention = (rng.choice(members_of(wg)),) if 0.15 <= kind < 0.2 else ()
        yield ArchivedMessage(
            event_id,
            room_of(wg),
            rng.choice(members_of(wg)),
            start + step * n,
            rng.choice(LINES),
            thread,
            reply,
            mention,
        )
        if not thread and rng.random() < 0.2:
            earlier.append(event_id)
            del earlier[:-20]


async def ingest(repos: Repositories, history: int) -> float:
    """History over the year before the period, then the period's messages; seconds taken."""
    period = digest_period(DAY, AT, SEOUL)
    assert period is not None
    began = time.perf_counter()
    batches = [
        messages(history, period[0] - timedelta(days=365), period[0], 1, "h"),
        messages(DAY_MESSAGES, period[0], period[1], 2, "d"),
    ]
    for stream in batches:
        batch: list[ArchivedMessage] = []
        for message in stream:
            batch.append(message)
            if len(batch) == 5000:
                await repos.archive.add_many(batch)
                batch.clear()
        await repos.archive.add_many(batch)
    await repos.archive.optimize()
    return time.perf_counter() - began


async def records(repos: Repositories, plan: Plan, settings: Any) -> None:
    """Plan rooms, and per WG 5 actions (some overdue), 3 decisions, 2 blockers, 1 meeting."""
    at = datetime(2026, 11, 30, 10, tzinfo=SEOUL)
    for core in plan.core_tasks():
        room = room_of(core.number)
        await repos.plan_rooms.save(PlanRoomRecord("bench", core.key, room, "room", f"#{core.key}"))
        prefix = f"W{core.number}"
        for k in range(5):
            new = NewRecord(prefix, room, f"할 일 {k}", core.wg.chairs[0], at)
            await repos.records.add_action(new, core.wg.members[k : k + 2], DAY - timedelta(k))
        for k in range(3):
            await repos.records.add_decision(
                NewRecord(prefix, room, f"결정 {k}", core.wg.chairs[0], at)
            )
        for k in range(2):
            await repos.records.add_blocker(
                NewRecord(prefix, room, f"장애 {k}", core.wg.chairs[0], at)
            )
        start = datetime(2026, 12, 1, 14, tzinfo=SEOUL)
        meeting = Meeting(
            room_id=room,
            number=0,
            title="주간 점검",
            starts_at=start,
            duration_minutes=60,
            organizer=core.wg.chairs[0],
            conference=f"B{core.number}",
        )
        await repos.meetings.create(meeting)
    committee = PlanRoomRecord("bench", "committee", "!committee:gov.kr", "room", "#committee")
    await repos.plan_rooms.save(committee)


async def build(repos: Repositories, plan: Plan, settings: Any) -> list[Notice]:
    """What the 08:30 job computes before posting: every WG digest and the executive one."""
    period = digest_period(DAY, AT, SEOUL)
    assert period is not None
    scopes = await wg_scopes(repos, plan)
    inputs = await gather_wgs(repos, settings, plan, scopes, period, DAY)
    events = []
    for data in inputs:
        sections = wg_digest_sections(data, "ko")
        events += split_notice(sections) if sections else []
    counts = await previous_counts(repos, scopes, previous_digest_period(DAY, AT, SEOUL))
    rows = [exec_row(data, counts[data.wg.key]) for data in inputs]
    return events + split_notice(executive_digest_sections(rows, period, "ko"))


@dataclass
class Setup:
    """One database ready to digest, and its build timings (wall and CPU seconds)."""

    history: int
    db: Database
    repos: Repositories
    settings: Any
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


async def prepare(url: str, history: int, plan: Plan) -> Setup:
    """Ingest, add the records, and build once (warming caches)."""
    db = Database(url)
    repos = Repositories.over(db)
    env = {"MATRIX_HOMESERVER": "http://127.0.0.1:1", "MATRIX_USER_ID": "@sotong:gov.kr"}
    settings = settings_from_mapping({**env, "MATRIX_PASSWORD": "unused", "DATABASE_URL": url})
    seconds = await ingest(repos, history)
    await records(repos, plan, settings)
    events = await build(repos, plan, settings)
    total = await repos.archive.count()
    print(
        f"history {history:,} + {DAY_MESSAGES:,} in the period: {total:,} archived "
        f"(ingest {seconds:.0f} s), {len(events)} digest events"
    )
    return Setup(history, db, repos, settings)


async def full_run(setup: Setup, plan: Plan) -> None:
    """The real job once: ledger claims, and posting to a recording messenger."""
    messenger = RecordingMessenger()
    clock = datetime(2026, 12, 1, 8, 30, 5, tzinfo=SEOUL)
    context = JobContext(
        messenger, setup.repos, setup.settings, lambda: clock, plan, RecordingScheduler()
    )
    began = time.perf_counter()
    posted = await run_slot(context, DAY, "08:30", clock)
    took = time.perf_counter() - began
    print(
        f"  history {setup.history:,}: full job run {took:.2f} s "
        f"({posted} digests in {len(messenger.sent)} events)"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--history", default="10000,1000000")
    parser.add_argument("--repeats", type=int, default=7)
    options = parser.parse_args()
    plan = synthetic_plan()
    async with AsyncExitStack() as stack:
        setups = []
        for size in (int(size) for size in options.history.split(",")):
            url = await stack.enter_async_context(fresh_database(options.backend))
            setups.append(await prepare(url, size, plan))
        for _ in range(options.repeats):
            for setup in setups:
                began, began_cpu = time.perf_counter(), time.process_time()
                await build(setup.repos, plan, setup.settings)
                setup.wall.append(time.perf_counter() - began)
                setup.cpu.append(time.process_time() - began_cpu)
        print(f"\n{options.backend}: build, {options.repeats} interleaved runs per history size")
        for setup in setups:
            wall, cpu = statistics.median(setup.wall), statistics.median(setup.cpu)
            print(
                f"  history {setup.history:,}: median {wall:.2f} s (min {min(setup.wall):.2f} s),"
                f" CPU median {cpu:.2f} s"
            )
        for setup in setups:
            await full_run(setup, plan)
            await setup.db.close()
    first, last = setups[0], setups[-1]
    if len(setups) > 1:
        ratio = statistics.median(last.wall) / statistics.median(first.wall)
        cpu_ratio = statistics.median(last.cpu) / statistics.median(first.cpu)
        print(
            f"\nbuild ratio {last.history:,} / {first.history:,} history: {ratio:.2f} "
            f"(CPU {cpu_ratio:.2f}; target <= 1.3)"
        )
    print(f"build at {last.history:,} history: {statistics.median(last.wall):.2f} s (target < 2 s)")


if __name__ == "__main__":
    asyncio.run(main())
