"""Meetings across a restart, and a series as `!회의 show` shows it: the real dispatcher, a
real SQLite store and the real job functions, with the clock injected.

A restart reconciles the jobs from the tables; a reminder that scheduling never added (it was
due before the meeting was made) must not come back then as a late reminder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest_asyncio

from commands.jobs import JOB_CONTEXT, JobContext
from commands.meetings.jobs import fire, reconcile
from commands.plan.file import load_plan
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR = CORE.wg.chairs[0]
SEOUL = ZoneInfo("Asia/Seoul")
LATE = "늦은 알림"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript:
        yield transcript


async def _say(t: Transcript, text: str) -> str:
    return await t.say_one(text, sender=CHAIR)


async def _restart(t: Transcript, lost_jobs: bool = False) -> None:
    """What start-up does: reconcile the meeting jobs with the tables, then run those due.
    `lost_jobs`: the job store was emptied (as a migration of job paths does)."""
    ctx = JobContext(t.messenger, t.dispatcher.repos, t.settings, lambda: t.now, PLAN, t.scheduler)
    JOB_CONTEXT.set(ctx)
    if lost_jobs:
        t.scheduler.jobs.clear()
    await reconcile(ctx)
    due = [args for when, _func, args in t.scheduler.jobs.values() if when <= t.now]
    for args in due:
        await fire(*args)


def _reminders(t: Transcript) -> list[str]:
    return [s.notice.body for s in t.messenger.sent if "회의 알림" in s.notice.body]


async def test_a_reminder_due_before_the_meeting_was_made_is_never_sent(t: Transcript) -> None:
    assert t.now.astimezone(SEOUL) == datetime(2026, 11, 27, 10, 0, tzinfo=SEOUL)
    await _say(t, "!회의 add 2026-11-27 12:00 점검")
    assert not any(job.endswith(":remind:1440") for job in t.scheduler.jobs)
    t.now += timedelta(minutes=30)
    await _restart(t)
    await _restart(t, lost_jobs=True)
    assert _reminders(t) == []
    t.now = datetime(2026, 11, 27, 11, 50, tzinfo=SEOUL)
    await _restart(t)
    (reminder,) = _reminders(t)
    assert LATE not in reminder and "점검" in reminder


async def test_a_reminder_missed_while_the_bot_was_down_is_still_sent_late(
    t: Transcript,
) -> None:
    await _say(t, "!회의 add 2026-11-28 11:00 점검")
    t.now = datetime(2026, 11, 27, 12, 0, tzinfo=SEOUL)
    await _restart(t, lost_jobs=True)
    (reminder,) = _reminders(t)
    assert LATE in reminder and "2026-11-28 (토) 11:00–12:00 KST" in reminder
    await _restart(t)
    assert len(_reminders(t)) == 1


async def test_a_series_date_gets_no_reminder_due_before_the_date_before_it_ended(
    t: Transcript,
) -> None:
    t.settings = replace(t.settings, meeting_reminders=(10 * 24 * 60,))
    t.dispatcher.settings = t.settings
    await _say(t, "!회의 add 2026-12-15 10:00 주간회의 --every week")
    t.now = datetime(2026, 12, 15, 11, 30, tzinfo=SEOUL)
    await _restart(t, lost_jobs=True)
    assert _reminders(t) == []
    assert not any(job.endswith(":remind:14400") for job in t.scheduler.jobs)


async def test_show_lists_a_series_next_dates_and_the_holidays_among_them(t: Transcript) -> None:
    await _say(t, "!회의 add 2027-02-02 10:00 주간회의 --every week")
    body = await _say(t, "!회의 show 1")
    dates = ["2027-02-02", "2027-02-16", "2027-02-23", "2027-03-02", "2027-03-09"]
    listed = "\n".join(f"· {d} (화) 10:00–11:00 KST" for d in dates)
    assert f"다음 5회:\n{listed}\n" in body
    assert "공휴일 건너뜀: 2027-02-09 (설날 대체 휴일)\n" in body
    assert "2027-09-14" not in body
    t.now = datetime(2027, 2, 3, 0, 0, tzinfo=SEOUL)
    body = await _say(t, "!회의 show 1")
    assert "· 2027-02-02" not in body and "· 2027-03-16 (화)" in body


async def test_show_of_a_short_series_and_in_english(t: Transcript) -> None:
    t.with_language("en")
    await _say(t, "!meeting add 2027-02-02 10:00 Weekly --every week --until 2027-02-16")
    body = await _say(t, "!meeting show 1")
    assert "Next 2 dates:\n· 2027-02-02 (Tue) 10:00–11:00 KST\n· 2027-02-16 (Tue)" in body
    assert "Skipped for holidays: 2027-02-09 (설날 대체 휴일)" in body
    await _say(t, "!meeting add tomorrow 3pm Once")
    assert "Next" not in await _say(t, "!meeting show 2")
