"""`!이견` through the real dispatcher and a real SQLite store: raising a disagreement between
ministries, positions by party members only, list and show, escalation with the positions side
by side, resolution as a WG decision (by a WG chair, or the committee chair from the committee
room), withdrawal by whoever raised it, and the audit trail."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, pill, seat_wg_room

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR, LEE, HAN, YOON = CORE.wg.chairs[0], "@lee:localhost", "@han:localhost", "@yoon:localhost"
COMMITTEE_CHAIR = PLAN.committee.wg.chairs[0]
NAMES = {person.user_id: person.name for person in PLAN.directory}
COMMITTEE_ROOM = "!committee:localhost"
ADD = '!이견 추가 "데이터 공유 범위" 당사자 기획재정부 @han:localhost'


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    await seat_wg_room(repos, PLAN, CORE, transcript.room_id)
    committee = PlanRoomRecord(PLAN.key, "committee", COMMITTEE_ROOM, "room", "#c:localhost")
    await repos.plan_rooms.save(committee)
    await repos.rooms.set_member(COMMITTEE_ROOM, COMMITTEE_CHAIR, "join", None)
    yield transcript
    await db.close()


async def _audit(t: Transcript, room: str | None = None) -> list[tuple[str, str]]:
    entries = await t.dispatcher.repos.audit.recent(room or t.room_id)
    return [(e.command, e.outcome) for e in reversed(entries)]


async def test_add_names_the_parties_and_mentions_their_members(t: Transcript) -> None:
    [reply] = await t.send(ADD, sender=YOON, event_id="$raised")
    body = reply.notice.body
    assert body.startswith("이견 제기 A-1: 데이터 공유 범위")
    assert "당사 부처: 기획재정부, 한국지능정보사회진흥원" in body
    assert "입장 · 기획재정부: (입장 없음)" in body
    assert reply.notice.mentions == (LEE, HAN)
    assert f"알림: {NAMES[LEE]}, {NAMES[HAN]}" in body and "@lee:localhost" not in body
    assert '<a href="https://matrix.to/#/@lee:localhost">' in reply.notice.html
    assert await _audit(t) == [("dispute add", "ok")]


async def test_parties_by_multiword_name_or_pill_and_clear_errors(t: Transcript) -> None:
    body = await t.say_one(
        '!dispute add "기록 이관" --between 행정안전부 국가기록원 @jung:localhost', sender=LEE
    )
    assert "당사 부처: 행정안전부 국가기록원, 보건복지부" in body
    one = await t.say_one('!이견 추가 "혼자" 당사자 기획재정부 @lee:localhost', sender=LEE)
    assert "서로 다른 부처를 둘 이상 적어 주세요" in one
    unknown = await t.say_one('!이견 추가 "x" 당사자 기획재정부 외교부', sender=LEE)
    assert "'외교부'은(는) 인명부의 부처가 아닙니다." in unknown
    head = '!이견 추가 "공유" 당사자 기획재정부 '
    [picked] = await t.send(
        head + NAMES[HAN], sender=LEE, formatted=head + pill(HAN, NAMES[HAN]), mentions=(HAN,)
    )
    assert "당사 부처: 기획재정부, 한국지능정보사회진흥원" in picked.notice.body


async def test_only_party_members_state_positions_and_history_is_kept(t: Transcript) -> None:
    await t.send(ADD, sender=YOON)
    refused = await t.say_one("!이견 입장 A-1 반대합니다", sender=YOON)
    assert "A-1의 입장은 당사 부처(기획재정부, 한국지능정보사회진흥원) 구성원만" in refused
    await t.send("!이견 입장 A-1 예산 범위 내 공유", sender=LEE)
    t.now += timedelta(hours=1)
    stated = await t.say_one('!이견 입장 A-1 "전면 공유는 어려움"', sender=LEE)
    assert f"입장 · 기획재정부: 전면 공유는 어려움 ({NAMES[LEE]}" in stated
    assert "예산 범위 내 공유" not in stated
    record = await t.dispatcher.repos.disputes.get("A", 1)
    assert record is not None and [p.text for p in record.history] == [
        "예산 범위 내 공유",
        "전면 공유는 어려움",
    ]
    assert record.missing == ("한국지능정보사회진흥원",)
    assert await _audit(t) == [
        ("dispute add", "ok"),
        ("dispute position", "denied"),
        ("dispute position", "ok"),
        ("dispute position", "ok"),
    ]


async def test_list_and_show(t: Transcript) -> None:
    await t.send(ADD, sender=YOON, event_id="$raised")
    await t.send("!이견 입장 A-1 공유 반대", sender=HAN, event_id="$said")
    t.now += timedelta(days=4)
    listed = await t.say_one("!이견 목록")
    assert listed.startswith("진행 중인 이견 (1)")
    assert "A-1 데이터 공유 범위 — 기획재정부 ↔ 한국지능정보사회진흥원" in listed
    assert "입장 없음: 기획재정부" in listed
    shown = await t.say_one("!dispute show A-1")
    assert "경과: 4일" in shown
    assert "제기 메시지: https://matrix.to/#/!wg:gov.kr/$raised" in shown
    assert "입장 메시지 · 한국지능정보사회진흥원: https://matrix.to/#/!wg:gov.kr/$said" in shown
    assert "이 작업그룹에 A-9이(가) 없습니다." in await t.say_one("!이견 보기 A-9")


async def test_escalate_then_committee_chair_resolves_as_a_wg_decision(t: Transcript) -> None:
    await t.send(ADD, sender=YOON, event_id="$raised")
    await t.send("!이견 입장 A-1 부분 공유", sender=LEE)
    denied = await t.say_one("!이견 상정 A-1", sender=LEE)
    assert "의장(WG 의장) 권한이 필요합니다" in denied
    replies = await t.send("!이견 상정 A-1", sender=CHAIR)
    [posted] = [s for s in replies if s.room_id == COMMITTEE_ROOM]
    assert posted.notice.mentions == PLAN.committee.wg.chairs
    assert "- 기획재정부: 부분 공유" in posted.notice.body
    assert "- 한국지능정보사회진흥원: (입장 없음)" in posted.notice.body
    assert "<th>기획재정부</th><th>한국지능정보사회진흥원</th>" in posted.notice.html
    assert "이미 위원회에 상정되었습니다" in await t.say_one("!이견 상정 A-1", sender=CHAIR)
    t.room_id = COMMITTEE_ROOM
    resolved = await t.send('!이견 조정 A-1 "비식별 정보만 공유"', sender=COMMITTEE_CHAIR)
    [to_wg] = [s for s in resolved if s.room_id == "!wg:gov.kr"]
    assert "이견 조정 A-1" in to_wg.notice.body and to_wg.notice.mentions == (LEE, HAN)
    assert "조정 결과: 비식별 정보만 공유" in to_wg.notice.body and "결정: A-2" in to_wg.notice.body
    t.room_id = "!wg:gov.kr"
    decisions = await t.say_one("!결정 목록")
    assert "A-2" in decisions and "이견 A-1 조정: 비식별 정보만 공유" in decisions
    assert "이미 종결되었습니다" in await t.say_one("!이견 조정 A-1 again", sender=CHAIR)
    assert "진행 중인 이견 (0): 없음" in await t.say_one("!이견 목록")
    assert "조정 완료" in await t.say_one("!이견 목록 전체")


async def test_only_chairs_resolve_and_only_the_opener_withdraws(t: Transcript) -> None:
    await t.send(ADD, sender=YOON)
    assert "의장(WG 의장) 권한이 필요합니다" in await t.say_one("!이견 조정 A-1 합의", sender=LEE)
    assert "제기한 사람만 철회할 수 있습니다" in await t.say_one("!이견 철회 A-1", sender=LEE)
    withdrawn = await t.say_one("!이견 철회 A-1", sender=YOON)
    assert withdrawn.startswith("이견 철회 A-1") and "상태: 철회" in withdrawn
    resolved = await t.say_one("!이견 조정 A-1 합의", sender=CHAIR)
    assert "이미 종결되었습니다" in resolved
    outcomes = await _audit(t)
    assert ("dispute withdraw", "denied") in outcomes and ("dispute withdraw", "ok") in outcomes
    assert ("dispute resolve", "denied") in outcomes


async def test_the_committee_room_sees_only_escalated_disputes(t: Transcript) -> None:
    await t.send(ADD, sender=YOON)
    t.room_id = COMMITTEE_ROOM
    body = await t.say_one("!이견 조정 A-1 합의", sender=COMMITTEE_CHAIR)
    assert "A-1이(가) 없습니다" in body


async def test_english(t: Transcript) -> None:
    t.with_language("en")
    body = await t.say_one(ADD.replace("!이견 추가", "!dispute add"), sender=YOON)
    assert body.startswith("Disagreement raised A-1") and "Parties: 기획재정부" in body
