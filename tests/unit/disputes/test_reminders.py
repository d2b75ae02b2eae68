"""The position-reminder job: a party without a position is reminded in the WG room after
DISPUTE_REMIND_DAYS Korean working days, at most once a working day, never on a weekend or a
public holiday (a fixed clock from Tue 2026-12-22 across Christmas and a weekend)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest_asyncio

from bot.config import settings_from_mapping
from commands.disputes.jobs import fire_dispute_reminders, reconcile_dispute_reminders
from commands.jobs import JOB_CONTEXT, JobContext
from commands.plan.file import load_plan
from storage.db import Database
from storage.disputes import Position
from storage.records import NewRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV, RecordingMessenger, RecordingScheduler, seat_wg_room

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
ROOM = "!wg:localhost"
LEE, HAN = "@lee:localhost", "@han:localhost"
RAISED = datetime(2026, 12, 22, 1, 0, tzinfo=UTC)  # Tue 10:00 in Seoul


class Clock:
    def __init__(self) -> None:
        self.now = RAISED

    def __call__(self) -> datetime:
        return self.now


@pytest_asyncio.fixture
async def job(sqlite_url: str) -> AsyncIterator[tuple[JobContext, Clock, RecordingMessenger]]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    await seat_wg_room(repos, PLAN, CORE, ROOM)
    new = NewRecord("A", ROOM, "데이터 공유 범위", "@yoon:localhost", RAISED, "$raised")
    record = await repos.disputes.add(new, ["기획재정부", "한국지능정보사회진흥원"])
    await repos.disputes.state_position(
        record.id, Position("한국지능정보사회진흥원", "공유 반대", HAN, RAISED, None)
    )
    clock, messenger = Clock(), RecordingMessenger()
    settings = settings_from_mapping(BASE_ENV)
    context = JobContext(messenger, repos, settings, clock, PLAN, RecordingScheduler())
    token = JOB_CONTEXT.set(context)
    yield context, clock, messenger
    JOB_CONTEXT.reset(token)
    await db.close()


async def _fire_on(clock: Clock, day: date) -> None:
    clock.now = datetime(day.year, day.month, day.day, 1, 0, tzinfo=UTC)
    await fire_dispute_reminders(day.isoformat())


async def test_reminders_on_working_days_only_once_a_day(
    job: tuple[JobContext, Clock, RecordingMessenger],
) -> None:
    _, clock, messenger = job
    reminded: list[date] = []
    for offset in range(1, 9):  # Wed 23 … Wed 30 December
        day = RAISED.date() + timedelta(days=offset)
        before = len(messenger.sent)
        await _fire_on(clock, day)
        await _fire_on(clock, day)  # the job run twice the same day reminds once
        reminded += [day] * (len(messenger.sent) - before)
    # Thu 24 is two working days; Fri 25 (Christmas) and the weekend are not working days.
    assert reminded == [date(2026, 12, 28), date(2026, 12, 29), date(2026, 12, 30)]
    notice = messenger.sent[0].notice
    assert messenger.sent[0].room_id == ROOM and notice.mentions == (LEE,)
    assert "이견 A-1 (데이터 공유 범위): 기획재정부의 입장이 아직 없습니다" in notice.body
    assert "(제기 후 근무일 3일)" in notice.body
    assert "한국지능정보사회진흥원의" not in notice.body


async def test_a_stated_position_stops_the_reminders(
    job: tuple[JobContext, Clock, RecordingMessenger],
) -> None:
    context, clock, messenger = job
    position = Position("기획재정부", "부분 공유", LEE, RAISED, None)
    await context.repos.disputes.state_position(1, position)
    await _fire_on(clock, date(2026, 12, 28))
    assert messenger.sent == []


async def test_jobs_are_planned_for_the_next_working_day(
    job: tuple[JobContext, Clock, RecordingMessenger],
) -> None:
    context, clock, _ = job
    await _fire_on(clock, date(2026, 12, 24))
    assert await context.jobs.job_ids() == {"dispute-remind:2026-12-28"}
    clock.now = datetime(2026, 12, 26, 3, 0, tzinfo=UTC)  # a Saturday: nothing today
    assert await reconcile_dispute_reminders(context) == (0, 0)
    clock.now = datetime(2026, 12, 28, 3, 0, tzinfo=UTC)  # Monday, past 10:00: runs soon
    assert await reconcile_dispute_reminders(context) == (1, 0)
    assert await context.jobs.job_ids() == {
        "dispute-remind:2026-12-28",
        "dispute-remind:2026-12-29",
    }
