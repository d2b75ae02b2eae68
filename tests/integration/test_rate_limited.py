"""A Synapse that rate-limits the bot (events 2/s after a burst of 4, rooms 0.5/s after 2),
as a ministry's homeserver does when the bot is not exempted: provisioning still completes
and a burst of commands is answered once each — every 429 is waited out as the server's
`retry_after_ms` says, and a retried event keeps its transaction id."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.cli.provision import run_provision
from bot.dev.synapse import (
    HomeserverConfig,
    default_synapse_venv,
    launch_homeserver,
    login,
    register_user,
)
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.support.officials import PASSWORD, bot_settings, make_official, running_bot
from tests.support.plans import MINI
from tests.support.synapse import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
LIMITS = {
    "rc_message": {"per_second": 2, "burst_count": 4},
    "rc_room_creation": {"per_second": 0.5, "burst_count": 2},
}
COMMANDS = 12


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def limited(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[HomeserverConfig]:
    server = await launch_homeserver(
        tmp_path_factory.mktemp("limited"),
        default_synapse_venv(PROJECT_ROOT),
        reuse_running=False,
        limits=LIMITS,
    )
    try:
        yield server.config
    finally:
        await asyncio.to_thread(server.stop)


async def test_provisioning_and_a_command_burst_on_a_rate_limited_homeserver(
    limited: HomeserverConfig, tmp_path: Path
) -> None:
    bot_user = await register_user(limited.base_url, limited.shared_secret, "sotong", PASSWORD)
    kim = await make_official(limited, "kim", "김민수")
    lee = await make_official(limited, "lee", "이지은")
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(MINI)
    settings = bot_settings(limited, tmp_path, PLAN_FILE=str(plan_file))
    try:
        assert await run_provision(settings, plan_file, False, False, tmp_path) == 0
        db = Database(settings.database_url)
        records = await PlanRoomRepository(db).all("demo")
        await db.close()
        assert {"core-01", "core-02", "unit-01-1", "committee"} <= set(records)
        wg = records["core-01"].room_id
        await kim.join(wg)
        async with running_bot(settings, tmp_path):
            pings = [await kim.send(wg, "!ping") for _ in range(COMMANDS)]
            deadline = time.monotonic() + 60
            while True:
                replies = await kim.replies(wg, bot_user)
                if all(p in replies for p in pings) or time.monotonic() > deadline:
                    break
                await asyncio.sleep(1.0)
        assert [len(replies.get(p, [])) for p in pings] == [1] * COMMANDS
        # plans default to encrypted rooms: the replies are ciphertext to this plain client
        assert {replies[p][0]["type"] for p in pings} == {"m.room.encrypted"}
    finally:
        await kim.client.close()
        await lee.client.close()


async def _statuses(base: str, token: str, room_id: str, count: int, tag: str) -> list[int]:
    """HTTP statuses of `count` messages sent all at once (no retries): well past the burst
    whatever the machine's speed."""
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session:

        async def send(number: int) -> int:
            url = f"{base}/_matrix/client/v3/rooms/{room_id}/send/m.room.message/{tag}{number}"
            body = {"msgtype": "m.notice", "body": f"{tag} {number}"}
            async with session.put(url, json=body, headers=headers) as response:
                return response.status

        return list(await asyncio.gather(*(send(number) for number in range(count))))


async def test_the_readmes_rate_limit_exemption_lifts_the_limit_for_the_bot_account(
    limited: HomeserverConfig,
) -> None:
    """README, "Running at scale": the admin API call that exempts the bot account."""
    base, secret = limited.base_url, limited.shared_secret
    bot_user = await register_user(base, secret, "exempt_bot", PASSWORD)
    admin_user = await register_user(base, secret, "exempt_admin", PASSWORD, admin=True)
    bot_token, _ = await login(base, bot_user, PASSWORD)
    admin_token, _ = await login(base, admin_user, PASSWORD)
    async with aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bearer {bot_token}"}
        url = f"{base}/_matrix/client/v3/createRoom"
        async with session.post(url, json={"name": "면제 시험"}, headers=headers) as response:
            room_id = (await response.json())["room_id"]
    assert 429 in await _statuses(base, bot_token, room_id, 12, "before")
    url = f"{base}/_synapse/admin/v1/users/{bot_user}/override_ratelimit"
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            url,
            json={"messages_per_second": 0, "burst_count": 0},
            headers={"Authorization": f"Bearer {admin_token}"},
        ) as response,
    ):
        assert response.status == 200, await response.text()
    assert await _statuses(base, bot_token, room_id, 20, "after") == [200] * 20
