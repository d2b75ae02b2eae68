"""`!할일`, `!결정`, `!장애` through the real dispatcher and a real SQLite store: short ids per
WG, permissions, the reply-to decision, escalation to the committee room, usage and audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio

from bot.dispatch import IncomingMessage
from commands.plan.file import Plan, load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.transcript import Sent, Transcript

KIM, LEE, PARK, CHAIR = "@kim:gov.kr", "@lee:gov.kr", "@park:gov.kr", "@chair:gov.kr"
COMMITTEE_ROOM = "!committee:gov.kr"
PLAN_FILE = Path(__file__).resolve().parents[3] / "plans" / "gov3.toml"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    rooms = transcript.dispatcher.repos.rooms
    for user in (KIM, LEE, PARK, CHAIR):
        await rooms.set_member(transcript.room_id, user, "join", None)
    await rooms.set_power_levels(transcript.room_id, {CHAIR: 50}, 0)
    yield transcript
    await db.close()


async def _in_plan(t: Transcript, node: str = "core-01", committee: bool = True) -> Plan:
    """Make the transcript's room the plan room of `node` (gov3: core-01 is WG A)."""
    plan = load_plan(PLAN_FILE)
    t.dispatcher.plan = plan
    save = t.dispatcher.repos.plan_rooms.save
    await save(PlanRoomRecord(plan.key, node, t.room_id, "room", f"#gov3-{node}:gov.kr"))
    if committee:
        await save(PlanRoomRecord(plan.key, "committee", COMMITTEE_ROOM, "room", "#c:gov.kr"))
    return plan


async def _as_reply(t: Transcript, target: str, body: str, sender: str = KIM) -> list[Sent]:
    before = len(t.messenger.sent)
    event = f"$reply{next(t.events)}"
    await t.dispatcher.on_message(IncomingMessage(event, t.room_id, sender, body, reply_to=target))
    await t.dispatcher.drain()
    return t.messenger.sent[before:]


async def _audit(t: Transcript) -> list[tuple[str, str, str]]:
    entries = await t.dispatcher.repos.audit.recent(t.room_id)
    return [(e.command, e.arguments, e.outcome) for e in reversed(entries)]


async def test_action_add_mentions_owners_and_shows_the_due_weekday(t: Transcript) -> None:
    [reply] = await t.send('!할일 추가 "보고서 작성" @lee:gov.kr park 기한 12월 4일')
    assert reply.notice.body == (
        "할 일 추가 R-1: 보고서 작성\n담당: @lee:gov.kr, @park:gov.kr\n기한: 2026-12-04 (금)"
    )
    assert reply.notice.mentions == (LEE, PARK)
    assert '<a href="https://matrix.to/#/@lee:gov.kr">@lee:gov.kr</a>' in reply.notice.html
    assert await _audit(t) == [
        ("action add", "R-1 '보고서 작성' @lee:gov.kr @park:gov.kr due=2026-12-04", "ok")
    ]


async def test_ids_follow_the_wg_letter_across_kinds(t: Transcript) -> None:
    await _in_plan(t)
    assert "할 일 추가 A-1" in await t.say_one('!action add "draft"')
    assert "결정 A-2" in await t.say_one("!결정 추가 예산 동결")
    assert "장애 제기 A-3" in await t.say_one("!장애 추가 서버 부족")
    t.room_id = "!unit:gov.kr"
    await _in_plan(t, node="unit-03-1", committee=False)
    assert "C-1" in await t.say_one('!할일 추가 "unit work"')


async def test_concurrent_adds_get_unique_ids(t: Transcript) -> None:
    await _in_plan(t)
    messages = [
        IncomingMessage(f"$c{i}", t.room_id, KIM, f'!할일 추가 "일 {i}"') for i in range(10)
    ]
    await asyncio.gather(*(t.dispatcher.on_message(m) for m in messages))
    await t.dispatcher.drain()
    labels = {s.notice.body.split(":")[0].split()[-1] for s in t.messenger.sent}
    assert labels == {f"A-{n}" for n in range(1, 11)}


async def test_list_views(t: Transcript) -> None:
    await t.send('!할일 추가 "mine soon" kim 기한 내일')
    await t.send('!할일 추가 "lee later" lee 기한 12월 20일')
    await t.send('!할일 추가 "closed" kim')
    await t.send("!할일 완료 R-3")
    body = await t.say_one("!할일 목록")
    assert body.startswith("진행 중인 할 일 (2)") and "closed" not in body
    assert "R-1 mine soon — @kim:gov.kr · 2026-11-28 (토)" in body
    assert "lee later" not in await t.say_one("!할일 목록 내것")
    assert "closed" in await t.say_one("!action list all")
    t.now += timedelta(days=3)
    overdue = await t.say_one("!할일 목록 지연")
    assert overdue.startswith("기한이 지난 할 일 (1)") and "(지연)" in overdue
    assert "lee later" not in overdue
    assert "할 일 (0): 없음" in await t.say_one("!할일 목록 내것", sender=PARK)


async def test_only_owners_or_chairs_change_an_action(t: Transcript) -> None:
    await t.send('!할일 추가 "예산안" lee')
    refused = await t.say_one("!할일 완료 R-1", sender=PARK)
    assert "R-1은(는) 담당자 또는 의장(WG 의장)만 할 수 있습니다." in refused
    assert "Only its owners or a chair" in refused
    moved = await t.say_one("!할일 기한 R-1 12월 10일", sender=LEE)
    assert "기한: 2026-12-10 (목)" in moved
    handed = await t.send("!할일 담당 R-1 @park:gov.kr", sender=LEE)
    assert "담당: @park:gov.kr" in handed[0].notice.body and handed[0].notice.mentions == (PARK,)
    assert "담당자 또는 의장" in await t.say_one("!할일 완료 R-1", sender=LEE)
    assert "할 일 완료 R-1" in await t.say_one("!할일 완료 r1", sender=CHAIR)
    assert "이미 완료되었습니다" in await t.say_one("!할일 완료 R-1", sender=PARK)
    assert [(c, o) for c, _, o in await _audit(t)] == [
        ("action add", "ok"),
        ("action done", "denied"),
        ("action due", "ok"),
        ("action reassign", "ok"),
        ("action done", "denied"),
        ("action done", "ok"),
    ]


async def test_an_action_without_owners_belongs_to_whoever_added_it(t: Transcript) -> None:
    await t.send('!할일 추가 "혼자 할 일"', sender=LEE)
    assert "담당자 또는 의장" in await t.say_one("!할일 완료 R-1", sender=PARK)
    assert "할 일 완료 R-1" in await t.say_one("!할일 완료 R-1", sender=LEE)


async def test_malformed_action_commands_get_the_usage(t: Transcript) -> None:
    usage = "Usage: !action add TEXT [@OWNER…] [--due WHEN…]"
    body = await t.say_one("!할일 추가")
    assert "TEXT 인자가 필요합니다." in body and body.endswith(usage)
    body = await t.say_one("!할일 추가 보고서 작성")
    assert "'작성'은(는) 사용자 ID가 아닙니다" in body and body.endswith(usage)
    assert "Nobody called 'report'" in await t.say_one("!action add write report")
    assert "due 뒤에 값이 필요합니다." in await t.say_one('!할일 추가 "x" kim due')
    assert "이미 지난 때입니다" in await t.say_one('!할일 추가 "x" due 어제')
    body = await t.say_one("!할일 완료 xyz")
    assert "기록 번호가 아닙니다" in body and body.endswith("Usage: !action done ID")
    assert "Usage: !action list [VIEW]" in await t.say_one("!할일 목록 someday")
    assert "이 작업그룹에 R-9이(가) 없습니다." in await t.say_one("!할일 완료 R-9")


async def test_records_of_another_room_are_not_reachable(t: Transcript) -> None:
    await t.send('!할일 추가 "here"')
    t.room_id = "!elsewhere:gov.kr"
    await t.dispatcher.repos.rooms.set_member(t.room_id, CHAIR, "join", None)
    await t.dispatcher.repos.rooms.set_power_levels(t.room_id, {CHAIR: 100}, 0)
    assert "R-1이(가) 없습니다" in await t.say_one("!할일 완료 R-1", sender=CHAIR)


async def test_user_text_is_escaped(t: Transcript) -> None:
    [reply] = await t.send('!할일 추가 "<script>x</script> & co"')
    assert "&lt;script&gt;x&lt;/script&gt; &amp; co" in reply.notice.html
    assert "<script>" not in reply.notice.html
    [listed] = await t.send("!장애 추가 <img src=x>")
    assert "<img" not in listed.notice.html and "&lt;img src=x&gt;" in listed.notice.html


async def test_decision_by_reply_keeps_author_and_permalink(t: Transcript) -> None:
    said = IncomingMessage("$said", t.room_id, LEE, "내년 예산은 동결합니다", sent_at=t.now)
    await t.dispatcher.on_message(said)
    [reply] = await _as_reply(t, "$said", "!결정")
    assert reply.notice.body.startswith("결정 R-1: 내년 예산은 동결합니다\n발언: @lee:gov.kr")
    assert "https://matrix.to/#/!wg:gov.kr/$said" in reply.notice.html
    [again] = await _as_reply(t, "$said", "!decision add")
    assert "이미 결정 R-1(으)로 기록되어 있습니다." in again.notice.body
    [decision] = await t.dispatcher.repos.records.decisions([t.room_id], t.now)
    assert (decision.author, decision.source_sender) == (KIM, LEE)
    assert (await _audit(t))[0] == ("decision add", "R-1 '내년 예산은 동결합니다' from $said", "ok")


async def test_decision_replying_to_an_unknown_message_is_refused(t: Transcript) -> None:
    [reply] = await _as_reply(t, "$never-archived", "!결정")
    assert "답장한 메시지가 보관되어 있지 않아" in reply.notice.body
    body = await t.say_one("!결정")
    assert "결정할 메시지에 답장으로" in body and body.endswith("Usage: !decision <add|list>")


async def test_decision_list_from_a_date(t: Transcript) -> None:
    await t.send("!결정 추가 오래된 결정")
    t.now += timedelta(days=5)
    await t.send("!결정 추가 새 결정")
    everything = await t.say_one("!결정 목록")
    assert everything.startswith("결정 (2)") and "오래된 결정" in everything
    recent = await t.say_one("!결정 목록 --from 어제")
    assert "새 결정" in recent and "오래된 결정" not in recent
    assert "Usage: !decision list [--from DATE]" in await t.say_one("!결정 목록 --from")


async def test_blocker_resolve_by_opener_or_chair(t: Transcript) -> None:
    await t.send("!장애 추가 서버 예산 부족", sender=LEE)
    await t.send("!장애 추가 인력 부족", sender=LEE)
    refused = await t.say_one('!장애 해결 R-1 "추경 확보"', sender=PARK)
    assert "제기한 사람 또는 의장(WG 의장)만" in refused
    resolved = await t.say_one("!장애 해결 R-1 추경 확보", sender=LEE)
    assert "장애 해결 R-1" in resolved and "해결: 추경 확보 (@lee:gov.kr" in resolved
    assert "장애 해결 R-2" in await t.say_one("!blocker resolve R-2 채용", sender=CHAIR)
    assert "이미 해결되었습니다" in await t.say_one("!장애 해결 R-2 again", sender=CHAIR)
    assert "미해결 장애 (0): 없음" in await t.say_one("!장애 목록")
    assert "해결: 채용" in await t.say_one("!장애 목록 전체")
    assert [(c, o) for c, _, o in await _audit(t)][:4] == [
        ("blocker add", "ok"),
        ("blocker add", "ok"),
        ("blocker resolve", "denied"),
        ("blocker resolve", "ok"),
    ]


async def test_escalation_reaches_the_committee_room(t: Transcript) -> None:
    plan = await _in_plan(t)
    await t.send("!장애 추가 부처 간 데이터 공유 <근거> 없음", sender=LEE, event_id="$raised")
    denied = await t.say_one("!장애 상정 A-1", sender=LEE)
    assert "의장(WG 의장) 권한이 필요합니다" in denied
    wg_chair = plan.chairs_of("core-01")[0]
    replies = await t.send("!장애 상정 A-1", sender=wg_chair)
    [posted] = [s for s in replies if s.room_id == COMMITTEE_ROOM]
    [answer] = [s for s in replies if s.room_id == t.room_id]
    assert posted.reply_to is None and posted.notice.mentions == plan.committee.wg.chairs
    assert "부처 간 데이터 공유 &lt;근거&gt; 없음" in posted.notice.html
    assert "[핵심과제 1]" in posted.notice.body and "https://matrix.to/#/!wg:gov.kr/$raised" in (
        posted.notice.html
    )
    assert "A-1을(를) 위원회 방에 상정했습니다." in answer.notice.body
    stored = await t.dispatcher.repos.records.blocker("A", 1)
    assert stored is not None and stored.escalated_at == t.now
    assert stored.escalation_event_id is not None
    assert "이미 위원회에 상정되었습니다" in await t.say_one("!장애 상정 A-1", sender=CHAIR)
    assert "미해결 장애 (1)" in await t.say_one("!장애 목록")
    outcomes = [o for c, _, o in await _audit(t) if c == "blocker escalate"]
    assert outcomes == ["denied", "ok", "invalid"]


async def test_escalation_without_a_committee_room_is_a_clear_error(t: Transcript) -> None:
    await t.send("!장애 추가 막힘")
    body = await t.say_one("!장애 상정 R-1", sender=CHAIR)
    assert "계획에 위원회 방이 없어 상정할 수 없습니다." in body
    assert not any(s.room_id == COMMITTEE_ROOM for s in t.messenger.sent)
    stored = await t.dispatcher.repos.records.blocker("R", 1)
    assert stored is not None and stored.escalated_at is None


async def test_english_replies(t: Transcript) -> None:
    t.with_language("en")
    body = await t.say_one('!action add "Draft" kim due 12월 4일')
    assert body == "Action added R-1: Draft\nOwners: @kim:gov.kr\nDue: 2026-12-04 (Fri)"
