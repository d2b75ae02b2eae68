"""Task rooms in use on a real Synapse: !과제, !구성원 and !검색 across ministries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from bot.app import Bot
from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig
from commands.plan.file import Plan, load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.integration.conftest import SHIPPED_PLAN
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


@dataclass
class Rooms:
    plan: Plan
    bot: Bot
    a: str
    b: str
    a_only: Official
    b_only: Official


def _only_in(plan: Plan, mine: str, other: str, officials: dict[str, Official]) -> Official:
    inside = set(plan.members_of(mine)) - set(plan.members_of(other))
    return next(o for o in officials.values() if o.user_id in inside)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def rooms(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Rooms]:
    data_dir = tmp_path_factory.mktemp("taskrooms")
    plan_file = data_dir / "plan.toml"
    plan_file.write_text(SHIPPED_PLAN.read_text().replace('key = "gov3"', 'key = "srch"', 1))
    plan = load_plan(plan_file)
    settings = bot_settings(synapse, data_dir, PLAN_FILE=str(plan_file))
    assert await run_provision(settings, plan_file, False, False, data_dir) == 0
    db = Database(settings.database_url)
    records = await PlanRoomRepository(db).all("srch")
    await db.close()
    core_a, core_b = plan.core_tasks()[0].key, plan.core_tasks()[1].key
    a_only = _only_in(plan, core_a, core_b, officials)
    b_only = _only_in(plan, core_b, core_a, officials)
    await a_only.join(records[core_a].room_id)
    await b_only.join(records[core_b].room_id)
    async with running_bot(settings, Path(data_dir)) as bot:
        yield Rooms(plan, bot, records[core_a].room_id, records[core_b].room_id, a_only, b_only)


async def _ask(rooms: Rooms, who: Official, room_id: str, text: str, bot_user: str) -> str:
    asked = await who.send(room_id, text)
    return str((await who.wait_reply(room_id, asked, bot_user, timeout=20))["body"])


async def test_task_shows_goal_core_task_and_chairs(rooms: Rooms, bot_user: str) -> None:
    core = rooms.plan.core_tasks()[0]
    body = await _ask(rooms, rooms.a_only, rooms.a, "!과제", bot_user)
    assert core.name_ko in body and core.label_ko in body
    chair = rooms.plan.person(core.wg.chairs[0])
    assert chair is not None and chair.name in body
    assert rooms.plan.goals[0].name_ko in body


async def test_members_lists_ministries_and_who_has_not_joined(rooms: Rooms, bot_user: str) -> None:
    body = await _ask(rooms, rooms.a_only, rooms.a, "!구성원", bot_user)
    core = rooms.plan.core_tasks()[0]
    for user in core.wg.everyone():
        person = rooms.plan.person(user)
        assert person is not None and person.ministry in body and person.name in body
    joined_line = next(line for line in body.splitlines() if rooms.a_only.user_id in line)
    assert f"{rooms.a_only.user_id}) (미참여)" not in joined_line
    assert "(미참여)" in body


async def test_search_finds_korean_words_only_in_the_askers_rooms(
    rooms: Rooms, bot_user: str
) -> None:
    await rooms.a_only.send(rooms.a, "협업지도를 이번 주에 공유하겠습니다")
    await rooms.a_only.send(rooms.a, "범정부지식공유 플랫폼 예산 회의는 목요일입니다")
    await rooms.b_only.send(rooms.b, "B방 내부 예산 회의 자료입니다")
    body = await _ask(rooms, rooms.a_only, rooms.a, "!검색 예산", bot_user)
    assert "범정부지식공유 플랫폼" in body and "B방" not in body
    body = await _ask(rooms, rooms.a_only, rooms.a, "!검색 협업지도", bot_user)
    assert "협업지도를 이번 주에" in body
    body = await _ask(rooms, rooms.a_only, rooms.a, "!검색 지식공유", bot_user)
    assert "범정부지식공유" in body
    body = await _ask(rooms, rooms.b_only, rooms.b, "!검색 예산", bot_user)
    assert "B방 내부 예산" in body and "범정부지식공유" not in body


async def test_edits_and_redactions_are_reflected_in_search(rooms: Rooms, bot_user: str) -> None:
    original = await rooms.a_only.send(rooms.a, "안전점검 일정은 금요일입니다")
    edit = {
        "msgtype": "m.text",
        "body": "* 재난대응 일정은 금요일입니다",
        "m.new_content": {"msgtype": "m.text", "body": "재난대응 일정은 금요일입니다"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": original},
    }
    await rooms.a_only.client.room_send(rooms.a, "m.room.message", edit)
    body = await _ask(rooms, rooms.a_only, rooms.a, "!검색 재난대응", bot_user)
    assert "재난대응 일정은 금요일입니다" in body
    assert "결과가 없습니다" in await _ask(rooms, rooms.a_only, rooms.a, "!검색 안전점검", bot_user)
    secret = await rooms.a_only.send(rooms.a, "기밀 보고서 초안입니다")
    assert "기밀 보고서" in await _ask(rooms, rooms.a_only, rooms.a, "!검색 기밀", bot_user)
    await rooms.a_only.client.room_redact(rooms.a, secret)
    assert "결과가 없습니다" in await _ask(rooms, rooms.a_only, rooms.a, "!검색 기밀", bot_user)
