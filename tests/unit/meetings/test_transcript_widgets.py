"""The meeting widget in the room, through the real dispatcher, store and job functions: taken
down when its meeting (or today's date of a series) is cancelled, and where the bot may not
pin it, the chair is told once which power level the bot needs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio

from commands.context import MatrixRefused
from commands.jobs import JOB_CONTEXT, JobContext
from commands.meetings.jobs import fire
from commands.meetings.video import LAYOUT_EVENT, WIDGET_EVENT, widget_id_for
from commands.plan.file import load_plan
from storage.db import Database
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import RecordingMessenger, Transcript, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR = CORE.wg.chairs[0]
BOT = "@sotong:gov.kr"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript:
        yield transcript


async def _say(t: Transcript, text: str) -> str:
    return await t.say_one(text, sender=CHAIR)


def _jobs_run_with(t: Transcript, messenger: Any, repos: Repositories | None = None) -> None:
    repos = repos or t.dispatcher.repos
    JOB_CONTEXT.set(JobContext(messenger, repos, t.settings, lambda: t.now, PLAN, t.scheduler))


async def _fire_job(t: Transcript, prefix: str, suffix: str) -> None:
    """Run the pending job `prefix…suffix` at its due time, as the scheduler would."""
    job_id = next(j for j in t.scheduler.jobs if j.startswith(prefix) and j.endswith(suffix))
    when, _func, args = t.scheduler.jobs[job_id]
    t.now = when
    await fire(*args)


def _room_state(t: Transcript) -> dict[tuple[str, str], dict[str, Any]]:
    """The room's state as Element would see it after every state event the bot sent."""
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for _room, kind, key, content in t.messenger.state:
        state[(kind, key)] = content
    return state


def _pinned(t: Transcript, widget_id: str) -> bool:
    state = _room_state(t)
    widget = state.get((WIDGET_EVENT, widget_id), {})
    layout = state.get((LAYOUT_EVENT, ""), {}).get("widgets", {})
    return widget.get("type") == "jitsi" and widget_id in layout


async def test_cancelling_a_meeting_takes_its_widget_down(t: Transcript) -> None:
    await _say(t, "!회의 add 내일 오후 2시 점검")
    _jobs_run_with(t, t.messenger)
    await _fire_job(t, "meeting:1:", ":widget")
    widget_id = widget_id_for(f"{t.room_id}/1")
    assert _pinned(t, widget_id)
    assert "취소되었습니다" in await _say(t, "!회의 cancel 1")
    state = _room_state(t)
    assert state[(WIDGET_EVENT, widget_id)] == {}
    assert widget_id not in state[(LAYOUT_EVENT, "")]["widgets"]
    assert t.scheduler.jobs == {}


async def test_cancelling_todays_date_of_a_series_takes_its_widget_down(t: Transcript) -> None:
    await _say(t, "!회의 add 2026-12-01 10:00 주간회의 --every week")
    _jobs_run_with(t, t.messenger)
    await _fire_job(t, "meeting:1:", ":widget")
    widget_id = widget_id_for(f"{t.room_id}/1")
    assert _pinned(t, widget_id)
    assert "2026-12-01 회차가 취소되었습니다" in await _say(t, "!회의 cancel 1 --date 2026-12-01")
    assert not _pinned(t, widget_id)
    assert _room_state(t)[(WIDGET_EVENT, widget_id)] == {}
    assert "2026-12-08 (화) 10:00–11:00 KST — 주간회의" in await _say(t, "!회의 list")
    await _fire_job(t, "meeting:1:", ":widget")
    assert _pinned(t, widget_id)


async def test_moving_a_meeting_takes_its_pinned_widget_down(t: Transcript) -> None:
    await _say(t, "!회의 add 내일 오후 2시 점검")
    _jobs_run_with(t, t.messenger)
    await _fire_job(t, "meeting:1:", ":widget")
    widget_id = widget_id_for(f"{t.room_id}/1")
    assert _pinned(t, widget_id)
    assert "11-30 (월) 14:00" in await _say(t, "!회의 move 1 2026-11-30 14:00")
    assert not _pinned(t, widget_id)
    await _fire_job(t, "meeting:1:", ":widget")
    assert _pinned(t, widget_id)


async def test_cancelling_before_the_widget_sends_no_room_state(t: Transcript) -> None:
    await _say(t, "!회의 add 내일 오후 2시 점검")
    await _say(t, "!회의 add 2026-12-01 10:00 주간회의 --every week")
    await _say(t, "!회의 cancel 1")
    await _say(t, "!회의 cancel 2 --date 2026-12-01")
    assert t.messenger.state == []


@dataclass
class PowerlessMessenger(RecordingMessenger):
    """A room where the bot's power level is below what widget state events need."""

    power_levels: dict[str, Any] = field(
        default_factory=lambda: {
            "users": {CHAIR: 100},
            "users_default": 0,
            "state_default": 50,
            "events": {WIDGET_EVENT: 75},
        }
    )

    async def set_room_state(
        self,
        room_id: str,
        event_type: str,
        state_key: str,
        content: dict[str, Any],
        txn_id: str | None = None,
    ) -> str:
        raise MatrixRefused(f"setting {event_type} in {room_id} failed: M_FORBIDDEN", "M_FORBIDDEN")

    async def room_state(
        self, room_id: str, event_type: str, state_key: str = ""
    ) -> dict[str, Any] | None:
        return self.power_levels if event_type == "m.room.power_levels" else None


async def test_without_the_power_the_chair_is_told_once_what_to_grant(
    t: Transcript, sqlite_url: str
) -> None:
    for title in ("점검", "보고", "검토"):
        await _say(t, f"!회의 add 내일 오후 2시 {title}")
    room = PowerlessMessenger()
    _jobs_run_with(t, room)
    await _fire_job(t, "meeting:1:", ":widget")
    (notice,) = room.sent
    assert notice.room_id == t.room_id and notice.notice.mentions == (CHAIR,)
    body = notice.notice.body
    assert f"봇({BOT})의 권한 등급이 75 이상이어야 합니다 (지금 0)" in body
    assert "방 설정 → 역할 및 권한" in body and f"/op {BOT} 75" in body
    assert f"<code>/op {BOT} 75</code>" in notice.notice.html
    await _fire_job(t, "meeting:2:", ":widget")
    restarted = Database(sqlite_url)
    try:
        _jobs_run_with(t, room, Repositories.over(restarted))
        await _fire_job(t, "meeting:3:", ":widget")
    finally:
        await restarted.close()
    assert len(room.sent) == 1


async def test_the_power_notice_in_english_reads_the_state_default(t: Transcript) -> None:
    t.with_language("en")
    await _say(t, "!meeting add tomorrow 2pm Review")
    room = PowerlessMessenger()
    room.power_levels = {"users": {BOT: 10}, "state_default": 60}
    _jobs_run_with(t, room)
    await _fire_job(t, "meeting:1:", ":widget")
    (notice,) = room.sent
    assert f"the bot ({BOT}) needs power level 60 (it has 10)" in notice.notice.body
    assert "Room settings → Roles & Permissions" in notice.notice.body
