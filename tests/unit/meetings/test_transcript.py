"""`!회의` through the real dispatcher, a real SQLite store, and the real job functions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from icalendar import Calendar

from commands.jobs import JOB_CONTEXT, JobContext
from commands.meetings.jobs import fire
from commands.plan.file import load_plan
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR, MEMBER = CORE.wg.chairs[0], CORE.wg.members[0]
NAMES = {person.user_id: person.name for person in PLAN.directory}


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript:
        yield transcript


async def _add(t: Transcript, text: str, sender: str = CHAIR) -> str:
    return await t.say_one(text, sender=sender)


async def test_chair_schedules_in_korean_and_the_time_is_repeated(t: Transcript) -> None:
    body = await _add(t, f"!회의 add 월요일 오후 2시 1h30m 주간 점검 회의 {MEMBER}")
    assert "회의 #1: 주간 점검 회의" in body
    assert "2026-11-30 (월) 14:00–15:30 KST" in body
    assert "Jitsi: https://meet.jit.si/Sotong-" in body and f"초대: {NAMES[MEMBER]}\n" in body
    assert MEMBER not in body
    announcement = t.messenger.sent[-1]
    assert announcement.notice.mentions == (MEMBER,)
    pill = f'<a href="https://matrix.to/#/{MEMBER}">{NAMES[MEMBER]}</a>'
    assert pill in announcement.notice.html
    assert [key for _, _, key in t.messenger.reactions] == ["✅", "❌", "❔"]
    name, data = t.messenger.files[-1][1:]
    assert name == "meeting-1.ics"
    event = next(c for c in Calendar.from_ical(data).walk("VEVENT"))
    assert event["SUMMARY"] == "주간 점검 회의"
    assert event.decoded("DTSTART").isoformat() == "2026-11-30T14:00:00+09:00"
    kinds = sorted(job_id.rsplit(":", 1)[1] for job_id in t.scheduler.jobs)
    assert kinds == ["10", "1440", "end", "start", "widget"]


async def test_members_are_refused_and_nothing_is_stored(t: Transcript) -> None:
    body = await _add(t, "!회의 add 내일 오후 2시 회의", sender=MEMBER)
    assert "의장" in body and "chair" in body
    assert await t.dispatcher.repos.meetings.scheduled() == []


async def test_past_and_unparseable_times_are_clear_errors(t: Transcript) -> None:
    body = await _add(t, "!회의 add 어제 오후 2시 회의")
    assert "⚠️" in body and "Usage: !meeting add" in body
    body = await _add(t, "!회의 add 언젠가 회의")
    assert "예:" in body and "Usage: !meeting add" in body
    assert await t.dispatcher.repos.meetings.scheduled() == []
    assert t.scheduler.jobs == {}


async def test_rsvp_by_reaction_then_show_lists_answers(t: Transcript) -> None:
    await _add(t, f"!회의 add 내일 10시 예산 회의 {MEMBER} {CORE.wg.members[1]}")
    announcement_id = "$sent1"
    await t.dispatcher.on_reaction(MEMBER, announcement_id, "✅", "$r1")
    body = await _add(t, "!회의 show 1")
    assert f"참석 1: {NAMES[MEMBER]}" in body
    assert f"미응답 1: {NAMES[CORE.wg.members[1]]}" in body
    await t.dispatcher.on_redaction("$r1")
    body = await _add(t, "!회의 show #1")
    assert "참석 0" in body and "미응답 2" in body


async def test_weekly_series_skips_korean_holidays(t: Transcript) -> None:
    body = await _add(t, "!회의 add 2027-02-02 10:00 주간회의 --every week --until 2027-02-23")
    assert "매주" in body and "2027-02-09 (설날 대체 휴일)" in body
    data = t.messenger.files[-1][2]
    event = next(c for c in Calendar.from_ical(data).walk("VEVENT"))
    assert "FREQ=WEEKLY" in event["RRULE"].to_ical().decode()
    exdates = [d.dts[0].dt.date().isoformat() for d in [event["EXDATE"]]]
    assert exdates == ["2027-02-09"]


async def test_cancel_move_and_invite(t: Transcript) -> None:
    await _add(t, "!회의 add 내일 오후 3시 점검")
    body = await _add(t, "!회의 move 1 모레 오전 11시")
    assert "2026-11-29 (일) 11:00–12:00 KST" in body
    body = await _add(t, f"!회의 invite 1 {MEMBER}")
    assert f"초대: {NAMES[MEMBER]}" in body
    replies = await t.send("!회의 cancel 1", sender=CHAIR)
    assert "취소되었습니다" in replies[0].notice.body
    ics = Calendar.from_ical(t.messenger.files[-1][2])
    event = next(c for c in ics.walk("VEVENT"))
    assert event["STATUS"] == "CANCELLED" and int(event["SEQUENCE"]) == 3
    assert t.scheduler.jobs == {}
    assert "예정된 회의가 없습니다" in await _add(t, "!회의 list")


async def test_reminder_jobs_send_once_and_skip_when_over(t: Transcript) -> None:
    await _add(t, f"!회의 add 내일 오후 2시 점검 {MEMBER}")
    repos = t.dispatcher.repos
    context = JobContext(t.messenger, repos, t.settings, lambda: t.now, PLAN, t.scheduler)
    JOB_CONTEXT.set(context)
    when, _func, args = t.scheduler.jobs[next(j for j in t.scheduler.jobs if j.endswith(":10"))]
    t.now = when
    before = len(t.messenger.sent)
    await fire(*args)
    await fire(*args)
    reminders = t.messenger.sent[before:]
    assert len(reminders) == 1 and "회의 알림: 점검" in reminders[0].notice.body
    assert reminders[0].notice.mentions == (MEMBER,)
    assert reminders[0].notice.body.endswith(f"\n{NAMES[MEMBER]}")
    start_job = next(j for j in t.scheduler.jobs if j.endswith(":start"))
    t.now = t.scheduler.jobs[start_job][0] + timedelta(hours=2)
    await fire(*t.scheduler.jobs[start_job][2])
    assert len(t.messenger.sent) == before + 1
    outcomes = {kind: outcome for _, kind, outcome in await repos.meetings.notices(1)}
    assert outcomes == {"remind:10": "sent", "start": "missed"}


async def test_widget_added_then_removed(t: Transcript) -> None:
    await _add(t, "!회의 add 내일 오후 2시 점검")
    context = JobContext(
        t.messenger, t.dispatcher.repos, t.settings, lambda: t.now, PLAN, t.scheduler
    )
    JOB_CONTEXT.set(context)
    widget = next(j for j in t.scheduler.jobs if j.endswith(":widget"))
    end = next(j for j in t.scheduler.jobs if j.endswith(":end"))
    t.now = t.scheduler.jobs[widget][0]
    await fire(*t.scheduler.jobs[widget][2])
    end_when, _, end_args = t.scheduler.jobs[end]
    t.now = end_when
    await fire(*end_args)
    widgets = [
        (kind, content)
        for _, kind, _, content in t.messenger.state
        if kind == "im.vector.modular.widgets"
    ]
    assert widgets[0][1]["type"] == "jitsi" and widgets[1][1] == {}
    layouts = [c for _, kind, _, c in t.messenger.state if kind == "io.element.widgets.layout"]
    assert len(layouts) == 2 and layouts[1]["widgets"] == {}


async def test_savings_counts_trips_of_held_meetings(t: Transcript) -> None:
    others = [u for u in CORE.wg.members if PLAN.person(u).office != PLAN.person(CHAIR).office]  # type: ignore[union-attr]
    await _add(t, "!회의 add 내일 오후 2시 점검 " + " ".join(others))
    t.now += timedelta(days=3)
    body = await _add(t, "!출장절감 2026-11")
    assert "2026-11" in body and CORE.name_ko in body
    assert f"{len(others)}" in body
    assert "회의 수" in body
