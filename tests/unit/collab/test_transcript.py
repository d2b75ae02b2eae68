"""`!협업지도` and `!대시보드` through the real dispatcher and a real SQLite store: ministries of
the shipped plan talk and meet in WG rooms; the map names the right pair; links are personal."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio

from commands.plan.file import Plan, load_plan, parse_plan
from storage.archive import ArchivedMessage
from storage.db import Database
from storage.models import Meeting
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
JUNG, LEE, HAN, YOON = (f"@{name}:localhost" for name in ("jung", "lee", "han", "yoon"))
WG1, WG2, COMMITTEE = "!wg1:localhost", "!wg2:localhost", "!committee:localhost"


def at(day: int, hour: int = 2) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def message(
    n: int, sender: str, when: datetime, room: str = WG1, reply_to: int | None = None, **kw: object
) -> ArchivedMessage:
    return ArchivedMessage(
        f"$m{n}",
        room,
        sender,
        when,
        f"메시지 {n}",
        reply_to=f"$m{reply_to}" if reply_to else None,
        **kw,  # type: ignore[arg-type]
    )


async def seed(repos: Repositories, plan: Plan) -> None:
    """Health (jung) and finance (lee) talk in WG 1 this week and meet; NIA (han) is mentioned
    once; in WG 2, last week, Busan (yoon) and finance talked."""
    for node, room in (("core-01", WG1), ("core-02", WG2), ("committee", COMMITTEE)):
        await repos.plan_rooms.save(PlanRoomRecord(plan.key, node, room, "room", f"#{node}"))
    await repos.archive.add_many(
        [
            message(1, JUNG, at(24)),
            message(2, LEE, at(24, 3), reply_to=1),
            message(3, JUNG, at(25), reply_to=2),
            message(4, LEE, at(25, 3), mentions=(HAN,)),
            message(5, "@sotong:gov.kr", at(25, 4), reply_to=4),
            message(6, YOON, at(17), room=WG2),
            message(7, LEE, at(17, 3), room=WG2, reply_to=6),
        ]
    )
    meeting = await repos.meetings.create(
        Meeting(
            room_id=WG1,
            number=0,
            title="예산 협의",
            starts_at=at(26, 5),
            duration_minutes=60,
            organizer=JUNG,
            invitees=json.dumps([LEE, HAN]),
            conference="Sotong-x",
        )
    )
    await repos.meetings.set_rsvp(meeting.id or 0, LEE, "yes", "$r1")
    await repos.meetings.set_rsvp(meeting.id or 0, HAN, "no", "$r2")


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    transcript.room_id = WG1
    await seed(repos, PLAN)
    yield transcript
    await db.close()


async def test_the_map_is_an_image_and_a_summary_naming_the_pair(t: Transcript) -> None:
    [summary] = await t.send("!협업지도", sender=JUNG)
    room, name, data = t.messenger.files[-1]
    assert room == WG1 and name == "collab-20261121-20261127.png"
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 5_000
    body = summary.notice.body
    assert body.startswith("협업지도 · 2026-11-21 (토) ~ 2026-11-27 (금) · 전체")
    assert "1. 기획재정부 ↔ 보건복지부 4 (신규)" in body
    assert "기획재정부 ↔ 한국지능정보사회진흥원 1" in body
    assert "기획재정부 ↔ 부산광역시 (지난 기간 1)" in body
    assert summary.reply_to is not None
    assert "<ol>" in summary.notice.html


async def test_a_task_scope_and_a_period_in_either_order(t: Transcript) -> None:
    body = await t.say_one("!collab 지난주 core-02", sender=JUNG)
    assert "2026-11-16 (월) ~ 2026-11-22 (일) · 핵심과제 2" in body
    assert "기획재정부 ↔ 부산광역시 1" in body
    body = await t.say_one("!협업지도 선제적 맞춤형 서비스 month", sender=JUNG)
    assert "핵심과제 1 선제적 맞춤형 서비스" in body and "보건복지부" in body
    assert t.messenger.files[-1][1] == "collab-20261029-20261127-core-01.png"


async def test_unknown_tasks_and_periods_are_clear_errors(t: Transcript) -> None:
    body = await t.say_one("!협업지도 없는과제", sender=JUNG)
    assert body.startswith("⚠️") and "없는과제" in body and "no task" in body
    body = await t.say_one("!협업지도 2026-13", sender=JUNG)
    assert "기간을 알 수 없습니다" in body and "Usage: !collab" in body
    assert t.messenger.files == []


async def test_without_a_plan_there_is_no_map(t: Transcript) -> None:
    t.dispatcher.plan = None
    assert "PLAN_FILE" in await t.say_one("!협업지도")


async def test_dashboard_link_by_dm_then_revoked(t: Transcript) -> None:
    replies = await t.send("!대시보드", sender=LEE)
    [dm] = [r for r in replies if r.room_id == f"!dm-{LEE}"]
    assert "/collab/" in dm.notice.body and "2026-12-04 (금)" in dm.notice.body
    assert "개인 메시지로 보냈습니다" in replies[-1].notice.body
    token = dm.notice.body.rsplit("/collab/", 1)[1]
    tokens = t.dispatcher.repos.dashboard_tokens
    assert len(token) >= 40 and await tokens.user_for(token, t.now) == LEE
    assert await tokens.user_for(token, t.now + timedelta(days=7, seconds=1)) is None
    assert "폐기했습니다" in await t.say_one("!dashboard revoke", sender=LEE)
    assert await tokens.user_for(token, t.now) is None
    assert "유효한 대시보드 링크가 없습니다" in await t.say_one("!대시보드 폐기", sender=LEE)


async def test_a_new_dashboard_link_replaces_the_old_one(t: Transcript) -> None:
    first = (await t.send("!대시보드", sender=LEE))[0].notice.body.rsplit("/collab/", 1)[1]
    second = (await t.send("!대시보드", sender=LEE))[0].notice.body.rsplit("/collab/", 1)[1]
    tokens = t.dispatcher.repos.dashboard_tokens
    assert first != second
    assert await tokens.user_for(first, t.now) is None
    assert await tokens.user_for(second, t.now) == LEE
    assert "revoke" in await t.say_one("!대시보드 지워", sender=LEE)


def narrow_plan() -> Plan:
    """The shipped plan with jung (health) off the committee: a WG member like any other."""
    text = (PROJECT_ROOT / "plans" / "gov3.toml").read_text()
    return parse_plan(text.replace('    "@jung:localhost",\n', "", 1))


async def test_a_wg_member_sees_only_the_rooms_they_are_in(t: Transcript) -> None:
    t.dispatcher.plan = narrow_plan()
    await t.dispatcher.repos.rooms.set_member(WG1, JUNG, "join", None)
    body = await t.say_one("!협업지도 month", sender=JUNG)
    assert "1. 기획재정부 ↔ 보건복지부 4" in body
    assert "기획재정부 ↔ 부산광역시 1" not in body and "핵심과제 2" not in body
    body = await t.say_one("!협업지도 core-02", sender=JUNG)
    assert body.startswith("⚠️") and "core-02" in body
    nothing = await t.send("!협업지도 month", sender="@nobody:gov.kr")
    assert "보건복지부" not in nothing[-1].notice.body


async def test_the_committee_and_admins_see_the_whole_plan(t: Transcript) -> None:
    t.dispatcher.plan = narrow_plan()
    for asker in ("@kim:localhost", "@admin:gov.kr"):
        body = await t.say_one("!협업지도 month", sender=asker)
        assert "기획재정부 ↔ 부산광역시 1" in body and "기획재정부 ↔ 보건복지부 4" in body
