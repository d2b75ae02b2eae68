"""Provisioning the shipped plan on a real Synapse: rooms as planned, idempotent, reconciled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from nio import AsyncClient, RoomGetStateResponse, RoomResolveAliasResponse

from bot.cli.provision import run_provision
from bot.config import Settings
from bot.dev.synapse import HomeserverConfig
from bot.matrix import log_in, make_client
from bot.provision import Provisioner, ProvisionReport
from commands.plan.file import load_plan, parse_plan
from storage.db import Database
from storage.migrate import upgrade
from storage.plan_rooms import PlanRoomRepository
from storage.repositories import Repositories
from tests.integration.conftest import SHIPPED_PLAN
from tests.support.officials import PASSWORD, Official, bot_settings

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


@dataclass
class Provisioned:
    settings: Settings
    data_dir: Path
    records: dict[str, Any]


async def _provision_text(p: Provisioned, text: str, dry_run: bool, prune: bool) -> ProvisionReport:
    db = Database(p.settings.database_url)
    client = make_client(p.settings, p.data_dir / "store", encryption=False)
    try:
        await log_in(client, p.settings, Repositories.over(db))
        provisioner = Provisioner(client, p.settings, parse_plan(text), PlanRoomRepository(db))
        return await provisioner.run(dry_run, prune, lambda *_: None)
    finally:
        await client.close()
        await db.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def provisioned(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path_factory: pytest.TempPathFactory,
) -> Provisioned:
    data_dir = tmp_path_factory.mktemp("provision")
    settings = bot_settings(synapse, data_dir, PLAN_FILE=str(SHIPPED_PLAN))
    assert await run_provision(settings, SHIPPED_PLAN, False, False, data_dir) == 0
    db = Database(settings.database_url)
    records = await PlanRoomRepository(db).all("gov3")
    await db.close()
    return Provisioned(settings, data_dir, records)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def reader(synapse: HomeserverConfig, bot_user: str) -> AsyncIterator[Official]:
    """A client of the bot's own account, which may read every room's state."""
    client = AsyncClient(synapse.base_url, bot_user)
    await client.login(PASSWORD, device_name="test reader")
    yield Official(client)
    await client.logout()
    await client.close()


async def _state(official: Official, room_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    response = await official.client.room_get_state(room_id)
    assert isinstance(response, RoomGetStateResponse), response
    return {(e["type"], e["state_key"]): e["content"] for e in response.events}


async def test_every_planned_room_exists_as_planned(
    provisioned: Provisioned, officials: dict[str, Official], bot_user: str, reader: Official
) -> None:
    plan = load_plan(SHIPPED_PLAN)
    planned = plan.rooms()
    assert set(provisioned.records) == {room.key for room in planned}
    assert len(planned) == 1 + 3 + 8 + 2 + 1
    kim = officials["kim"]
    for room in planned:
        record = provisioned.records[room.key]
        resolved = await kim.client.room_resolve_alias(f"#{room.alias_localpart}:localhost")
        assert isinstance(resolved, RoomResolveAliasResponse)
        assert resolved.room_id == record.room_id
        state = await _state(reader, record.room_id)
        assert state[("m.room.name", "")]["name"] == room.name
        assert state[("m.room.history_visibility", "")]["history_visibility"] == "shared"
        users = state[("m.room.power_levels", "")]["users"]
        assert users.get(bot_user, 100) == 100
        assert all(users[chair] == 50 for chair in room.chairs)
        memberships = {k[1]: v["membership"] for k, v in state.items() if k[0] == "m.room.member"}
        assert all(memberships.get(u) == "invite" for u in room.members if u != bot_user)
        if room.space_key is not None:
            space_id = provisioned.records[room.space_key].room_id
            rule = state[("m.room.join_rules", "")]
            assert rule["join_rule"] == "restricted"
            assert rule["allow"] == [{"type": "m.room_membership", "room_id": space_id}]
            assert state[("m.space.parent", space_id)]["via"] == ["localhost"]
            space_state = await _state(reader, space_id)
            assert ("m.space.child", record.room_id) in space_state


async def test_a_second_run_changes_nothing(provisioned: Provisioned) -> None:
    report = await _provision_text(provisioned, SHIPPED_PLAN.read_text(), False, False)
    assert report.unchanged, [c.detail for c in report.changes]


async def test_a_changed_plan_is_reconciled(
    provisioned: Provisioned, officials: dict[str, Official], reader: Official
) -> None:
    text = SHIPPED_PLAN.read_text()
    core = load_plan(SHIPPED_PLAN).core_tasks()[0]
    newcomer = next(u for u in officials.values() if u.user_id not in core.wg.everyone())
    old_chair = core.wg.chairs[0]
    new_chair = core.wg.members[0]
    changed = _change_core(text, core.key, core.name_ko, newcomer.user_id, old_chair, new_chair)
    dry = await _provision_text(provisioned, changed, True, False)
    kinds = sorted(c.kind for c in dry.changes if c.room_key == core.key)
    assert kinds == ["invite", "name", "power"]
    room_id = provisioned.records[core.key].room_id
    state = await _state(reader, room_id)
    assert state[("m.room.name", "")]["name"].startswith(f"[{core.label_ko}] {core.name_ko} |")
    await _provision_text(provisioned, changed, False, False)
    state = await _state(reader, room_id)
    assert "개편" in state[("m.room.name", "")]["name"]
    assert state[("m.room.member", newcomer.user_id)]["membership"] == "invite"
    users = state[("m.room.power_levels", "")]["users"]
    assert users[new_chair] == 50 and old_chair not in users
    assert state[("m.room.member", old_chair)]["membership"] == "invite"
    pruned = _drop_member(changed, core.key, old_chair)
    await _provision_text(provisioned, pruned, False, False)
    assert (await _state(reader, room_id))[("m.room.member", old_chair)]["membership"] == "invite"
    await _provision_text(provisioned, pruned, False, True)
    state = await _state(reader, room_id)
    assert state[("m.room.member", old_chair)]["membership"] == "leave"
    assert (await _provision_text(provisioned, pruned, False, True)).unchanged


def _change_core(
    text: str, key: str, name_ko: str, newcomer: str, old_chair: str, new_chair: str
) -> str:
    """Rename the core task, add a member and hand the chair to a member (old chair stays)."""
    start = text.index(f'key = "{key}"')
    end = text.index("wg = {", start)
    wg_end = text.index("}", end)
    block = text[start:end].replace(f'name_ko = "{name_ko}"', f'name_ko = "{name_ko} 개편"', 1)
    wg = (
        f'wg = {{ chairs = ["{new_chair}"], members = ["{old_chair}", "{newcomer}", '
        + ", ".join(f'"{m}"' for m in _members(text[end:wg_end]) if m not in (new_chair,))
        + "] "
    )
    return text[:start] + block + wg + text[wg_end:]


def _members(wg_text: str) -> list[str]:
    inside = wg_text.split("members = [", 1)[1].split("]", 1)[0]
    return [part.strip().strip('"') for part in inside.split(",") if part.strip()]


def _drop_member(text: str, key: str, user: str) -> str:
    start = text.index(f'key = "{key}"')
    wg = text.index("wg = {", start)
    wg_end = text.index("}", wg)
    return text[:wg] + text[wg:wg_end].replace(f'"{user}", ', "") + text[wg_end:]


class _Interrupt(Exception):
    """Stands in for a crash or Ctrl-C in the middle of a run."""


async def test_an_interrupted_run_resumes_without_duplicates(
    synapse: HomeserverConfig, bot_user: str, reader: Official, tmp_path: Path
) -> None:
    text = SHIPPED_PLAN.read_text().replace('key = "gov3"', 'key = "resu"', 1)
    p = Provisioned(bot_settings(synapse, tmp_path), tmp_path, {})
    seen: list[int] = []

    def stop_after_five(done: int, total: int, _label: str) -> None:
        seen.append(total)
        if done == 5:
            raise _Interrupt

    upgrade(p.settings.database_url)
    db = Database(p.settings.database_url)
    client = make_client(p.settings, tmp_path / "store", encryption=False)
    await log_in(client, p.settings, Repositories.over(db))
    provisioner = Provisioner(client, p.settings, parse_plan(text), PlanRoomRepository(db))
    with pytest.raises(_Interrupt):
        await provisioner.run(False, False, stop_after_five)
    await client.close()
    assert len(await PlanRoomRepository(db).all("resu")) == 5
    await db.close()
    report = await _provision_text(p, text, False, False)
    assert len(report.created) == seen[0] - 5
    db = Database(p.settings.database_url)
    records = await PlanRoomRepository(db).all("resu")
    await db.close()
    assert len(records) == seen[0]
    assert len({r.room_id for r in records.values()}) == seen[0]
    assert (await _provision_text(p, text, False, False)).unchanged
