"""`sotong provision` as the plan's operator meets it on a real Synapse: a wrong password, an
alias someone else holds, a task dropped from the plan, who may enter a WG room, and an
error in the middle of a run on a terminal."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from nio import (
    AsyncClient,
    JoinResponse,
    RoomCreateResponse,
    RoomGetStateResponse,
    SpaceGetHierarchyResponse,
)

from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord, PlanRoomRepository
from tests.support.officials import PASSWORD, Official, bot_settings
from tests.support.plans import MINI

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]

PARK = """
[[directory]]
user = "@park:localhost"
name = "박서준"
ministry = "과학기술정보통신부"
office = "sejong"
"""
CORE_01 = 'key = "core-01"\n'


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def plan_text(key: str, *, park: bool = False, core_01: str = "") -> str:
    """The small plan under another key; `park` sits on the committee (so in the goal space)
    but in no WG; `core_01` adds fields to core-01."""
    text = MINI.replace('key = "demo"', f'key = "{key}"', 1)
    if park:
        text = text.replace(
            'members = ["@lee:localhost"]\n', 'members = ["@lee:localhost", "@park:localhost"]\n', 1
        )
        text = text.replace("\n[[goals]]", PARK + "\n[[goals]]", 1)
    return text.replace(CORE_01, CORE_01 + core_01, 1)


def without_core_02(text: str) -> str:
    return text[: text.index('[[goals.core_tasks]]\nkey = "core-02"')]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def reader(synapse: HomeserverConfig, bot_user: str) -> AsyncIterator[Official]:
    """A client of the bot's own account, which may read every room's state."""
    client = AsyncClient(synapse.base_url, bot_user)
    await client.login(PASSWORD, device_name="test reader")
    yield Official(client)
    await client.logout()
    await client.close()


async def _provision(
    synapse: HomeserverConfig, tmp_path: Path, text: str, dry_run: bool = False, **kw: Any
) -> tuple[int, str]:
    """Run the command on `text`; its exit status and its stderr."""
    plan = tmp_path / "plan.toml"
    plan.write_text(text)
    err = kw.pop("err", io.StringIO())
    settings = bot_settings(synapse, tmp_path, **kw.pop("env", {}))
    status = await run_provision(settings, plan, dry_run, kw.pop("prune", False), tmp_path, err=err)
    return status, err.getvalue()


async def _records(tmp_path: Path, plan_key: str) -> dict[str, PlanRoomRecord]:
    db = Database(f"sqlite:///{tmp_path / 'sotong.db'}")
    try:
        return await PlanRoomRepository(db).all(plan_key)
    finally:
        await db.close()


async def _state(reader: Official, room_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    response = await reader.client.room_get_state(room_id)
    assert isinstance(response, RoomGetStateResponse), response
    return {(e["type"], e["state_key"]): e["content"] for e in response.events}


async def test_a_wrong_password_is_one_line_and_exit_2(
    synapse: HomeserverConfig, bot_user: str, tmp_path: Path
) -> None:
    env = {"MATRIX_PASSWORD": "not-the-password"}
    status, err = await _provision(synapse, tmp_path, plan_text("pwd"), env=env)
    assert status == 2
    [line] = err.splitlines()
    assert line.startswith("로그인 실패 / login failed:") and "M_FORBIDDEN" in line


async def test_an_alias_held_elsewhere_stops_the_run_before_anything_is_created(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    taken = await officials["lee"].client.room_create(alias="clash-core-02", name="남의 방")
    assert isinstance(taken, RoomCreateResponse), taken
    for dry_run in (True, False):
        status, err = await _provision(synapse, tmp_path, plan_text("clash"), dry_run)
        assert status == 1
        assert "#clash-core-02:localhost" in err and "nothing was created" in err
        assert "run again" not in err
        assert await _records(tmp_path, "clash") == {}
    resolved = await officials["kim"].client.room_resolve_alias("#clash:localhost")
    assert not hasattr(resolved, "room_id"), "the plan's space was created"
    assert capsys.readouterr().out == ""


async def test_a_task_dropped_from_the_plan_is_reported_then_archived_with_prune(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    reader: Official,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = plan_text("gone")
    assert (await _provision(synapse, tmp_path, text))[0] == 0
    records = await _records(tmp_path, "gone")
    room, space = records["core-02"].room_id, records["service"].room_id
    capsys.readouterr()
    assert (await _provision(synapse, tmp_path, without_core_02(text), True))[0] == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if "#gone-core-02:localhost" in line)
    assert "[핵심과제 2]" in line and "no longer in the plan" in line and "--prune" in line
    assert "1 room no longer in the plan" in out
    assert (await _provision(synapse, tmp_path, without_core_02(text), prune=True))[0] == 0
    assert "(archived)" in capsys.readouterr().out
    state = await _state(reader, room)
    assert state[("m.room.name", "")]["name"].startswith("[보관·archived] [핵심과제 2]")
    assert state[("m.room.join_rules", "")]["join_rule"] == "invite"
    assert not state[("m.space.parent", space)]
    assert not (await _state(reader, space))[("m.space.child", room)]
    assert {
        state[("m.room.member", u)]["membership"] for u in ("@kim:localhost", "@lee:localhost")
    } == {"invite"}
    notices = [e for e in await reader.history(room) if e["type"] == "m.room.message"]
    assert [e["content"]["msgtype"] for e in notices] == ["m.notice"]
    assert "보관" in notices[0]["content"]["body"]
    assert (await _provision(synapse, tmp_path, without_core_02(text), prune=True))[0] == 0
    assert capsys.readouterr().out.startswith("변경 없음")


async def test_who_may_enter_a_wg_room_is_the_plans_choice(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    reader: Official,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    closed = plan_text("acc", park=True, core_01='access = "invite"\n')
    assert (await _provision(synapse, tmp_path, closed))[0] == 0
    records = await _records(tmp_path, "acc")
    space = records["service"].room_id
    for key in ("core-01", "unit-01-1"):
        rules = (await _state(reader, records[key].room_id))[("m.room.join_rules", "")]
        assert rules == {"join_rule": "invite"}
    rules = (await _state(reader, records["core-02"].room_id))[("m.room.join_rules", "")]
    assert rules["join_rule"] == "restricted" and rules["allow"][0]["room_id"] == space
    park = officials["park"].client
    assert isinstance(await park.join(space), JoinResponse)
    assert isinstance(await park.join(records["core-02"].room_id), JoinResponse)
    assert not isinstance(await park.join(records["core-01"].room_id), JoinResponse)
    listed = await park.space_get_hierarchy(space)
    assert isinstance(listed, SpaceGetHierarchyResponse), listed
    seen = {room["room_id"] for room in listed.rooms}
    assert records["core-02"].room_id in seen and records["core-01"].room_id not in seen
    capsys.readouterr()
    opened = plan_text("acc", park=True)
    assert (await _provision(synapse, tmp_path, opened, True))[0] == 0
    out = capsys.readouterr().out
    assert out.count("would access → plan members, through the space (restricted)") == 2
    assert (await _provision(synapse, tmp_path, opened))[0] == 0
    assert isinstance(await park.join(records["core-01"].room_id), JoinResponse)


async def test_an_error_mid_run_on_a_terminal_starts_its_own_line(
    synapse: HomeserverConfig, bot_user: str, reader: Official, tmp_path: Path
) -> None:
    text = plan_text("glue")
    assert (await _provision(synapse, tmp_path, text))[0] == 0
    records = await _records(tmp_path, "glue")
    await reader.client.room_leave(records["core-02"].room_id)
    status, err = await _provision(synapse, tmp_path, text, err=Terminal())
    assert status == 1
    assert "\r" in err
    stopped = [line for line in err.split("\n") if "provisioning stopped" in line]
    assert len(stopped) == 1 and stopped[0].startswith("provisioning stopped:")
