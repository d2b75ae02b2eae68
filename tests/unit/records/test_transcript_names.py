"""Records name people as the plan's directory does (이지은) in the plain body, with the
Matrix id only in the HTML pill; someone the directory does not list keeps their id."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.dispatch import IncomingMessage
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, seat_wg_room

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR, LEE, HAN = CORE.wg.chairs[0], "@lee:localhost", "@han:localhost"
GUEST = "@guest:localhost"
NAMES = {person.user_id: person.name for person in PLAN.directory}
COMMITTEE_ROOM = "!committee:localhost"


def pill(user_id: str) -> str:
    return f'<a href="https://matrix.to/#/{user_id}">{NAMES.get(user_id, user_id)}</a>'


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    await seat_wg_room(repos, PLAN, CORE, transcript.room_id)
    await repos.rooms.set_member(transcript.room_id, GUEST, "join", None)
    committee = PlanRoomRecord(PLAN.key, "committee", COMMITTEE_ROOM, "room", "#c:localhost")
    await repos.plan_rooms.save(committee)
    yield transcript
    await db.close()


async def test_action_card_and_list_show_directory_names(t: Transcript) -> None:
    [card] = await t.send(f'!할일 추가 "예산안" {LEE} {GUEST}', sender=CHAIR)
    assert card.notice.body.endswith(f"담당: {GUEST}, {NAMES[LEE]}")
    assert LEE not in card.notice.body
    assert pill(LEE) in card.notice.html and card.notice.mentions == (GUEST, LEE)
    [done] = await t.send("!할일 완료 A-1", sender=LEE)
    assert done.notice.body.endswith(f"· {NAMES[LEE]}")
    listed = await t.say_one("!할일 목록 전체")
    assert f"A-1 예산안 — {GUEST}, {NAMES[LEE]}" in listed and LEE not in listed


async def test_decision_card_and_list_show_directory_names(t: Transcript) -> None:
    said = IncomingMessage("$said", t.room_id, HAN, "내년 예산은 동결합니다", sent_at=t.now)
    await t.dispatcher.on_message(said)
    await t.dispatcher.on_message(
        IncomingMessage("$cmd", t.room_id, LEE, "!결정", reply_to="$said")
    )
    await t.dispatcher.drain()
    card = t.messenger.sent[-1].notice
    assert f"발언: {NAMES[HAN]}\n기록: {NAMES[LEE]}" in card.body
    assert pill(HAN) in card.html and HAN not in card.body
    listed = await t.say_one("!결정 목록")
    assert listed.endswith(f"내년 예산은 동결합니다 — {NAMES[HAN]}")


async def test_blocker_card_list_and_escalation_show_directory_names(t: Transcript) -> None:
    [card] = await t.send("!장애 추가 서버 부족", sender=LEE)
    assert f"제기: {NAMES[LEE]} · " in card.notice.body and LEE not in card.notice.body
    assert f"— {NAMES[LEE]} · " in await t.say_one("!장애 목록")
    replies = await t.send("!장애 상정 A-1", sender=CHAIR)
    [posted] = [s.notice for s in replies if s.room_id == COMMITTEE_ROOM]
    committee_chair = PLAN.committee.wg.chairs[0]
    assert f"제기: {NAMES[LEE]}\n상정: {NAMES[CHAIR]}\n" in posted.body
    assert f"위원회 의장: {NAMES[committee_chair]}" in posted.body
    assert "@" not in posted.body.replace("https://matrix.to/#/", "")
    assert pill(CHAIR) in posted.html and posted.mentions == (committee_chair,)
    [resolved] = await t.send("!장애 해결 A-1 증설", sender=GUEST)
    assert "의장" in resolved.notice.body
    [resolved] = await t.send("!장애 해결 A-1 증설", sender=CHAIR)
    assert f"해결: 증설 ({NAMES[CHAIR]}, " in resolved.notice.body
