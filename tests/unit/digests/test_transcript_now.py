"""`!요약 지금` as people use it, on the bot's real clock (UTC, like `bot.app`): every time in
the deployment's zone, the executive digest on demand in the committee room, and progress
(actions done in the period) in the WG and executive digests.

The scenario is `test_transcript._friday`: officials talk on Friday 2026-11-27 (KST), a meeting
is set for Monday 2026-11-30 14:00 KST.
"""

from __future__ import annotations

from datetime import UTC

from commands.digests.jobs import fire_digest
from tests.support.transcript import Transcript
from tests.unit.digests import test_transcript as scene
from tests.unit.digests.test_transcript import (
    COMMITTEE,
    CORE,
    HAN,
    LEE,
    PLAN,
    WG,
    _friday,
    _to,
    kst,
)

t = scene.t

KIM = PLAN.committee.wg.chairs[0]


async def _join_committee(t: Transcript) -> None:
    """Only the committee's chair has joined its room so far."""
    await t.dispatcher.repos.rooms.set_member(COMMITTEE, KIM, "join", None)


async def test_digest_now_shows_every_time_in_the_deployments_zone(t: Transcript) -> None:
    await _friday(t)
    t.now = kst(11, 30, 9, 15).astimezone(UTC)
    [wg] = await t.send("!요약 지금", sender=LEE)
    body = wg.notice.body
    assert "UTC" not in body and "UTC" not in wg.notice.html
    assert "기간: 2026-11-27 (금) 08:30 – 2026-11-30 (월) 09:15 KST" in body
    assert "14:00–15:00 주간 점검" in body
    assert "2026-11-27 (금) 10:05 KST" in body
    [dm, _note] = await t.send("!요약 지금 나", sender=LEE)
    assert "UTC" not in dm.notice.body and "14:00–15:00 주간 점검" in dm.notice.body
    assert "2026-11-27 (금) 10:05 KST" in dm.notice.body


async def test_the_committee_room_gets_the_executive_digest_on_demand(t: Transcript) -> None:
    await _friday(t)
    await _join_committee(t)
    t.now = kst(11, 30, 8).astimezone(UTC)  # still Sunday in UTC
    t.room_id = COMMITTEE
    replies = await t.send("!요약 지금", sender=KIM)
    assert [r.room_id for r in replies] == [COMMITTEE]
    body = replies[0].notice.body
    assert body.startswith("📊 핵심과제 현황 · 2026-11-30 (월)")
    assert "기간: 2026-11-27 (금) 08:30 – 2026-11-30 (월) 08:00 KST" in body
    assert f"• {CORE.name_ko}: 메시지 4" in body and "UTC" not in body
    assert not [s for s in t.messenger.sent if s.room_id.startswith("!dm-")]


async def test_committee_by_name_from_another_room(t: Transcript) -> None:
    await _friday(t)
    await _join_committee(t)
    t.now = kst(11, 30, 9).astimezone(UTC)
    for word in ("committee", "위원회"):
        [reply] = await t.send(f"!요약 지금 {word}", sender=KIM)
        assert reply.room_id == WG and reply.notice.body.startswith("📊 핵심과제 현황"), word
    [refused] = await t.send("!요약 지금 위원회", sender=LEE)
    assert "구성원이 아닙니다" in refused.notice.body


async def test_actions_done_in_the_period_are_listed_as_progress(t: Transcript) -> None:
    await _friday(t)
    assert "완료" in await t.say_one("!할일 완료 A-2", sender=HAN)
    t.now = kst(11, 30, 8, 30).astimezone(UTC)
    before = len(t.messenger.sent)
    await fire_digest("2026-11-30")
    [wg] = _to(t, before, WG)
    body = wg.notice.body
    assert "\n완료한 할 일\n• [A-2] 통계 정리" in body and "✅ 완료" in body
    assert "📅 오늘 마감" not in body
    assert HAN not in wg.notice.mentions
    [committee] = _to(t, before, COMMITTEE)
    assert f"• {CORE.name_ko}: 메시지 4 (▲ 신규) · 완료 할 일 1 · 지연 할 일 1" in (
        committee.notice.body
    )
    t.now = kst(12, 1, 8, 30).astimezone(UTC)
    before = len(t.messenger.sent)
    await fire_digest("2026-12-01")
    [next_day] = _to(t, before, WG)
    assert "완료한 할 일" not in next_day.notice.body
