"""`!회의` series and edge cases through the real dispatcher and a real SQLite store:
cancelling one date of a series, dates and times that cannot work, and English phrases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest_asyncio
from icalendar import Calendar, Event

from commands.jobs import JOB_CONTEXT, JobContext
from commands.meetings.jobs import fire
from commands.plan.file import load_plan
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR = CORE.wg.chairs[0]
SEOUL = ZoneInfo("Asia/Seoul")
WEEKLY = "!회의 add 2026-12-01 10:00 주간회의 --every week"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript:
        yield transcript


async def _say(t: Transcript, text: str) -> str:
    return await t.say_one(text, sender=CHAIR)


def _last_event(t: Transcript) -> Event:
    return next(iter(Calendar.from_ical(t.messenger.files[-1][2]).walk("VEVENT")))


def _exdates(event: Event) -> list[datetime]:
    found = event.get("EXDATE", [])
    lines = found if isinstance(found, list) else [found]
    return [entry.dt for line in lines for entry in line.dts]


async def test_cancelling_one_date_keeps_the_series(t: Transcript) -> None:
    await _say(t, WEEKLY)
    holidays = _exdates(_last_event(t))
    body = await _say(t, "!회의 cancel 1 --date 2026-12-08")
    assert "2026-12-08 회차가 취소되었습니다" in body
    event = _last_event(t)
    cancelled = datetime(2026, 12, 8, 10, 0, tzinfo=SEOUL)
    assert sorted(_exdates(event)) == sorted([*holidays, cancelled])
    assert int(event["SEQUENCE"]) == 1
    assert event["STATUS"] == "CONFIRMED" and "FREQ=WEEKLY" in event["RRULE"].to_ical().decode()
    assert "2026-12-01 (화) 10:00–11:00 KST — 주간회의" in await _say(t, "!회의 list")
    t.now = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
    assert "2026-12-15 (화) 10:00–11:00 KST — 주간회의" in await _say(t, "!회의 list")


async def _fire_job(t: Transcript, suffix: str) -> None:
    """Run the pending job whose id ends with `suffix` at its due time, as the scheduler would."""
    job_id = next(j for j in t.scheduler.jobs if j.endswith(suffix))
    when, _func, args = t.scheduler.jobs[job_id]
    t.now = when
    await fire(*args)


async def test_after_a_meeting_the_series_skips_the_cancelled_date(t: Transcript) -> None:
    await _say(t, WEEKLY)
    await _say(t, "!회의 cancel 1 --date 2026-12-08")
    repos = t.dispatcher.repos
    JOB_CONTEXT.set(JobContext(t.messenger, repos, t.settings, lambda: t.now, PLAN, t.scheduler))
    await _fire_job(t, ":end")
    sent = len(t.messenger.sent)
    await _fire_job(t, ":remind:10")
    (reminder,) = t.messenger.sent[sent:]
    assert reminder.notice.body.startswith(
        "⏰ 회의 알림: 주간회의 (2026-12-15 (화) 10:00–11:00 KST)"
    )


async def test_cancelling_a_date_without_an_occurrence_is_not_found(t: Transcript) -> None:
    await _say(t, WEEKLY)
    files = len(t.messenger.files)
    body = await _say(t, "!회의 cancel 1 --date 2026-12-09")
    assert "⚠️" in body and "2026-12-09에는 이 회의가 없습니다" in body
    assert "No occurrence on 2026-12-09" in body
    assert len(t.messenger.files) == files
    (series,) = await t.dispatcher.repos.meetings.scheduled()
    assert series.sequence == 0 and series.cancelled_occurrences == "[]"


async def test_moving_to_the_past_is_refused_and_nothing_changes(t: Transcript) -> None:
    await _say(t, "!회의 add 내일 오후 3시 점검")
    jobs = dict(t.scheduler.jobs)
    body = await _say(t, "!회의 move 1 어제 오후 2시")
    assert "이미 지난 때입니다" in body and "is in the past" in body
    assert "Usage: !meeting move" in body
    (item,) = await t.dispatcher.repos.meetings.scheduled()
    assert item.starts_at == datetime(2026, 11, 28, 15, 0, tzinfo=SEOUL)
    assert item.sequence == 0
    assert t.scheduler.jobs == jobs
    assert "2026-11-28 (토) 15:00–16:00 KST — 점검" in await _say(t, "!회의 list")


async def test_until_without_every_is_an_error_with_usage(t: Transcript) -> None:
    body = await _say(t, "!회의 add 내일 오후 2시 회의 --until 2026-12-31")
    assert "--until 은 --every 와 함께 씁니다" in body and "--until needs --every" in body
    assert "Usage: !meeting add" in body and "[--every EVERY]" in body
    assert await t.dispatcher.repos.meetings.scheduled() == []
    assert t.scheduler.jobs == {}


async def test_english_phrases_when_the_language_is_english(t: Transcript) -> None:
    t.with_language("en")
    body = await _say(t, "!meeting add tomorrow 3pm 45m Budget review")
    assert "Meeting #1: Budget review" in body
    assert "2026-11-28 (Sat) 15:00–15:45 KST" in body and "45 min" in body
    listed = await _say(t, "!meeting list")
    assert listed == "#1 2026-11-28 (Sat) 15:00–15:45 KST — Budget review"
