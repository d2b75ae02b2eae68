"""Daily digests through the real dispatcher, a real SQLite store and the real job functions,
with a fixed clock: what WG rooms, the committee room and subscribers get, exactly once, on
working days only, caught up late after downtime, and `!요약`.

Officials talk on Friday 2026-11-27 (KST); Monday 2026-11-30's digest covers Friday 08:30 →
Monday 08:30.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest_asyncio

from bot.dispatch import IncomingMessage
from bot.event_fields import mentions_of
from commands.digests.jobs import catch_up_digests, fire_digest, reconcile_digests
from commands.jobs import JOB_CONTEXT, JobContext
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Sent, Transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE, CORE2 = PLAN.core_tasks()[0], PLAN.core_tasks()[1]
CHAIR, LEE, HAN = CORE.wg.chairs[0], "@lee:localhost", "@han:localhost"
WG, WG2, COMMITTEE = "!wg:gov.kr", "!wg2:gov.kr", "!committee:gov.kr"
SEOUL = ZoneInfo("Asia/Seoul")


def kst(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SEOUL)


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    transcript.room_id = WG
    for room, core in ((WG, CORE), (WG2, CORE2)):
        for user in core.wg.everyone():
            await repos.rooms.set_member(room, user, "join", None)
        alias = f"#gov3-{core.key}:gov.kr"
        await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, core.key, room, "room", alias))
    await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, "committee", COMMITTEE, "room", "#c"))
    JOB_CONTEXT.set(
        JobContext(
            transcript.messenger,
            repos,
            transcript.settings,
            lambda: transcript.now,
            PLAN,
            transcript.scheduler,
        )
    )
    yield transcript
    await db.close()


async def _say(t: Transcript, event_id: str, sender: str, body: str, **extra: object) -> None:
    """A plain message (archived, never a command) sent at the transcript's clock."""
    message = IncomingMessage(event_id, t.room_id, sender, body, **extra)  # type: ignore[arg-type]
    await t.dispatcher.on_message(message)


async def _friday(t: Transcript) -> None:
    """Friday 10:00 KST: a thread, a question to Lee, records, a meeting for Monday, RSVPs."""
    await _say(t, "$root", CHAIR, "예산 협의 일정 공유합니다")
    t.now = kst(11, 27, 10, 5)
    await _say(t, "$r1", LEE, "확인했습니다", thread_root="$root")
    await _say(t, "$r2", HAN, "저도 확인", thread_root="$root")
    await _say(t, "$ask", CHAIR, "이지은 님, 자료 확인 부탁드립니다", mentions=(LEE,))
    await t.send('!할일 추가 "예산안 <초안> 작성" @lee:localhost 기한 11월 27일', sender=CHAIR)
    await t.send('!할일 추가 "통계 정리" @han:localhost 기한 11월 30일', sender=CHAIR)
    await t.send("!결정 추가 예산 동결", sender=CHAIR)
    await t.send("!장애 추가 서버 부족", sender=LEE)
    await t.send("!장애 상정 A-4", sender=CHAIR)
    await t.send(f"!회의 add 11월 30일 오후 2시 주간 점검 {LEE}", sender=CHAIR)
    meeting = await t.dispatcher.repos.meetings.by_number(WG, 1)
    assert meeting is not None and meeting.announcement_event_id is not None
    await t.dispatcher.on_reaction(LEE, meeting.announcement_event_id, "✅", "$rsvp")


def _to(t: Transcript, since: int, room: str) -> list[Sent]:
    return [s for s in t.messenger.sent[since:] if s.room_id == room]


async def test_working_day_digests_reach_wg_committee_and_subscribers(t: Transcript) -> None:
    await _friday(t)
    await t.send("!요약 구독", sender=LEE)
    await t.send("!요약 구독 7:00", sender=HAN)
    assert {"digest:2026-11-30:0700", "digest:2026-11-30:0830"} <= set(t.scheduler.jobs)
    before = len(t.messenger.sent)
    t.now = kst(11, 30, 7)
    await fire_digest("2026-11-30", "07:00")
    [han] = t.messenger.sent[before:]
    assert han.room_id == f"!dm-{HAN}" and "내 할 일" in han.notice.body
    assert "통계 정리" in han.notice.body and "오늘 마감" in han.notice.body
    before = len(t.messenger.sent)
    t.now = kst(11, 30, 8, 30)
    await fire_digest("2026-11-30", "08:30")
    [wg] = _to(t, before, WG)
    body = wg.notice.body
    assert body.startswith(f"📋 {CORE.name_ko} 일일 요약 · 2026-11-30 (월)")
    for heading in ("활동", "주요 스레드", "새 결정", "할 일", "미해결 장애", "오늘 회의"):
        assert f"\n{heading}\n" in body, heading
    assert "예산 동결" in body and "서버 부족" in body and "⬆ 위원회 상정" in body
    assert "예산안 <초안> 작성" in body and "⚠ 3일 지연" in body and "📅 오늘 마감" in body
    assert "예산안 &lt;초안&gt; 작성" in wg.notice.html and "<초안>" not in wg.notice.html
    assert set(wg.notice.mentions) == {LEE, HAN}
    assert "14:00–15:00 주간 점검" in body and "✅ 1 ❌ 0 ❔ 0" in body
    assert "“예산 협의 일정 공유합니다” — 참여 3명" in body
    [quiet] = _to(t, before, WG2)
    assert "조용한 하루였습니다" in quiet.notice.body
    [committee] = _to(t, before, COMMITTEE)
    assert "📊 핵심과제 현황 · 2026-11-30 (월)" in committee.notice.body
    assert f"• {CORE.name_ko}: 메시지 4" in committee.notice.body
    [lee] = _to(t, before, f"!dm-{LEE}")
    for part in ("내 할 일", "예산안 <초안> 작성", "답하지 않은 멘션", "자료 확인", "주간 점검"):
        assert part in lee.notice.body, part
    assert len(t.messenger.sent) == before + 4
    sent = await t.dispatcher.repos.digests.sent(date(2026, 11, 30))
    assert [(s.kind, s.target, s.outcome, s.late) for s in sent] == [
        ("executive", COMMITTEE, "sent", False),
        ("personal", HAN, "sent", False),
        ("personal", LEE, "sent", False),
        ("wg", WG2, "sent", False),
        ("wg", WG, "sent", False),
    ]
    assert {"digest:2026-12-01:0700", "digest:2026-12-01:0830"} <= set(t.scheduler.jobs)
    t.now = kst(11, 30, 8, 31)
    await fire_digest("2026-11-30", "08:30")
    await fire_digest("2026-11-30", "07:00")
    assert len(t.messenger.sent) == before + 4


async def test_a_holiday_sends_nothing_and_plans_the_next_working_day(t: Transcript) -> None:
    t.now = kst(12, 25, 8, 30)
    await fire_digest("2026-12-25")
    assert t.messenger.sent == []
    assert [j for j in t.scheduler.jobs if j.startswith("digest:")] == ["digest:2026-12-28:0830"]
    assert t.scheduler.jobs["digest:2026-12-28:0830"][0] == kst(12, 28, 8, 30)


async def test_start_up_after_the_digest_time_sends_it_late_once(t: Transcript) -> None:
    await _friday(t)
    t.now = kst(11, 30, 9, 15)
    before = len(t.messenger.sent)
    added, _removed = await reconcile_digests(JOB_CONTEXT.get())
    assert added == 1 and "digest:2026-12-01:0830" in t.scheduler.jobs
    assert await catch_up_digests(JOB_CONTEXT.get()) == 3
    [wg] = _to(t, before, WG)
    assert wg.notice.body.startswith("(지연 발송) 📋") and "(지연 발송)" in wg.notice.html
    ledger = await t.dispatcher.repos.digests.sent(date(2026, 11, 30))
    assert all(s.late for s in ledger) and len(ledger) == 3
    assert await catch_up_digests(JOB_CONTEXT.get()) == 0
    await fire_digest("2026-11-30")
    assert len(t.messenger.sent) == before + 3


async def test_a_past_days_digest_is_never_sent(t: Transcript) -> None:
    await _friday(t)
    await reconcile_digests(JOB_CONTEXT.get())
    assert "digest:2026-11-30:0830" in t.scheduler.jobs
    t.now = kst(12, 1, 7)
    before = len(t.messenger.sent)
    await reconcile_digests(JOB_CONTEXT.get())
    assert await catch_up_digests(JOB_CONTEXT.get()) == 0
    await fire_digest("2026-11-30")
    assert len(t.messenger.sent) == before
    assert "digest:2026-12-01:0830" in t.scheduler.jobs
    assert "digest:2026-11-30:0830" not in t.scheduler.jobs


async def test_quiet_none_posts_nothing_on_a_quiet_day(t: Transcript) -> None:
    t.room_id = WG2
    assert "보내지 않음" in await t.say_one("!요약 조용 none", sender=CORE2.wg.chairs[0])
    assert "의장" in await t.say_one("!요약 조용 line", sender=CORE2.wg.members[0])
    t.now = kst(11, 30, 8, 30)
    before = len(t.messenger.sent)
    await fire_digest("2026-11-30")
    assert _to(t, before, WG2) == [] and len(_to(t, before, WG)) == 1
    sent = await t.dispatcher.repos.digests.sent(date(2026, 11, 30))
    assert ("wg", WG2, "silent") in [(s.kind, s.target, s.outcome) for s in sent]


async def test_digest_now_in_a_room_by_name_and_by_dm(t: Transcript) -> None:
    await _friday(t)
    t.now = kst(11, 27, 11)
    [reply] = await t.send("!요약 지금", sender=LEE)
    assert (
        reply.room_id == WG
        and "일일 요약" in reply.notice.body
        and "예산 동결" in reply.notice.body
    )
    replies = await t.send("!digest now me", sender=LEE)
    assert [s.room_id for s in replies] == [f"!dm-{LEE}", WG]
    assert "답하지 않은 멘션" in replies[0].notice.body
    [other] = await t.send("!요약 지금 gov3-core-02", sender=LEE)
    assert CORE2.name_ko in other.notice.body and other.room_id == WG
    [refused] = await t.send(f"!요약 지금 {WG2}", sender=CHAIR)
    assert "구성원이 아닙니다" in refused.notice.body
    [bad] = await t.send("!요약 지금 #nowhere", sender=CHAIR)
    assert "찾을 수 없거나" in bad.notice.body


async def test_subscription_errors_and_unsubscribe(t: Transcript) -> None:
    body = await t.say_one("!요약 구독 25:00", sender=LEE)
    assert "HH:MM" in body and "Usage: !digest subscribe [TIME]" in body
    assert "구독하고 있지 않습니다" in await t.say_one("!요약 해지", sender=LEE)
    assert "07:30에 개인 요약" in await t.say_one("!요약 구독 07:30", sender=LEE)
    assert "digest:2026-11-30:0730" in t.scheduler.jobs
    assert "해지했습니다" in await t.say_one("!digest unsubscribe", sender=LEE)
    assert "digest:2026-11-30:0730" not in t.scheduler.jobs
    assert await t.dispatcher.repos.digests.subscriptions() == []


def test_sync_reads_mentions_from_m_mentions_and_pills() -> None:
    class Event:
        source = {  # noqa: RUF012
            "content": {
                "m.mentions": {"user_ids": [LEE]},
                "formatted_body": '<a href="https://matrix.to/#/%40han%3Alocalhost">한</a>'
                f' <a href="https://matrix.to/#/{LEE}">이</a>'
                ' <a href="https://matrix.to/#/!room:x">방</a>',
            }
        }

    assert mentions_of(Event()) == (LEE, HAN)
