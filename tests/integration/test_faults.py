"""Fault tests (loopback only, bounded): SIGKILL during a burst, and a Synapse restart."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.dev.conversation import history, replies_by_target
from bot.dev.synapse import (
    HomeserverConfig,
    default_synapse_venv,
    free_port,
    launch_homeserver,
    register_user,
)
from tests.support.officials import (
    PASSWORD,
    Official,
    bot_settings,
    make_official,
    running_bot,
)
from tests.support.postgres import PostgresCluster
from tests.support.synapse import PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.asyncio(loop_scope="session")]
BURST = 500
KILLS = 10


def _bot_env(synapse: HomeserverConfig, bot_user: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MATRIX_HOMESERVER": synapse.base_url,
        "MATRIX_USER_ID": bot_user,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{workdir / 'bot.db'}",
        "ALLOWED_INVITERS": synapse.server_name,
        "FLOOD_RATE": "0",
        "WEB_PORT": str(free_port()),
    }


def _start(workdir: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "bot.cli.main",
        "--log-level",
        "WARNING",
        "--env-file",
        str(workdir / "none"),
        "run",
    ]
    return subprocess.Popen(command, cwd=workdir, env=env, stderr=subprocess.DEVNULL)


COMMANDS = ("!ping", "!검색 장애")
"""A read-only command (starts while its claim is written) and one that writes (a search
cursor; starts once its claim is durable): both paths are killed mid-way."""


async def _send_burst(officials: list[Official], room_id: str, total: int) -> list[str]:
    async def one(official: Official, count: int) -> list[str]:
        sent = []
        for index in range(count):
            sent.append(await official.send(room_id, COMMANDS[index % len(COMMANDS)]))
            await asyncio.sleep(0.05)
        return sent

    share = total // len(officials)
    batches = await asyncio.gather(*(one(o, share) for o in officials))
    return [event_id for batch in batches for event_id in batch]


async def _kill_repeatedly(
    workdir: Path, env: dict[str, str], kills: int
) -> tuple[int, subprocess.Popen[bytes]]:
    """Start the bot, SIGKILL it `kills` times 1.6 s into each life; return the last one."""
    process = _start(workdir, env)
    for _ in range(kills):
        await asyncio.sleep(1.6)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        process = _start(workdir, env)
    return kills, process


async def test_sigkill_ten_times_during_a_burst_answers_each_command_once(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee, park = officials["kim"], officials["lee"], officials["park"]
    room_id = await kim.create_room("장애 시험", invite=[lee.user_id, park.user_id, bot_user])
    await lee.join(room_id)
    await park.join(room_id)
    env = _bot_env(synapse, bot_user, tmp_path)
    warm = _start(tmp_path, env)
    await kim.wait_membership(room_id, bot_user, "join", timeout=30)
    first = await kim.send(room_id, "!ping")
    await kim.wait_reply(room_id, first, bot_user, timeout=30)
    warm.send_signal(signal.SIGTERM)
    warm.wait(timeout=20)
    sending = asyncio.create_task(_send_burst([kim, lee, park], room_id, BURST))
    kills, process = await _kill_repeatedly(tmp_path, env, KILLS)
    sent = await sending
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            replies = replies_by_target(await history(kim.client, room_id, 4 * BURST), bot_user)
            if all(event_id in replies for event_id in sent):
                break
            await asyncio.sleep(2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    replies = replies_by_target(await history(kim.client, room_id, 4 * BURST), bot_user)
    missing = [e for e in sent if e not in replies]
    doubled = [e for e in sent if len(replies.get(e, [])) > 1]
    print(
        f"kills survived: {kills}, commands: {len(sent)}, lost: {len(missing)}, "
        f"answered twice: {len(doubled)}"
    )
    assert kills == KILLS and len(sent) == BURST - BURST % 3
    assert missing == [] and doubled == []


async def test_database_outage_delays_answers_but_loses_and_doubles_none(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    cluster = PostgresCluster(Path("/tmp") / f"sotong-outage-{os.getpid()}")
    cluster.start()
    try:
        settings = bot_settings(synapse, tmp_path, DATABASE_URL=cluster.new_database())
        kim = officials["kim"]
        room_id = await kim.create_room("DB 장애 시험", invite=[bot_user])
        async with running_bot(settings, tmp_path):
            await kim.wait_membership(room_id, bot_user, "join", timeout=30)
            first = await kim.send(room_id, "!ping")
            await kim.wait_reply(room_id, first, bot_user, timeout=20)
            cluster.stop()
            during = [await kim.send(room_id, "!ping") for _ in range(3)]
            await asyncio.sleep(4)
            cluster.restart()
            for event_id in during:
                reply = await kim.wait_reply(room_id, event_id, bot_user, timeout=40)
                assert reply["body"] == "pong"
            await asyncio.sleep(2)
        replies = await kim.replies(room_id, bot_user)
        assert [len(replies[e]) for e in [first, *during]] == [1, 1, 1, 1]
    finally:
        cluster.stop()
        shutil.rmtree(cluster.root, ignore_errors=True)


async def test_synapse_restart_is_survived_and_reconnection_is_quick(tmp_path: Path) -> None:
    venv = default_synapse_venv(PROJECT_ROOT)
    server = await launch_homeserver(tmp_path / "hs", venv, reuse_running=False)
    config = server.config
    try:
        await register_user(config.base_url, config.shared_secret, "sotong", PASSWORD)
        kim = await make_official(config, "kim", "김민수")
        settings = bot_settings(config, tmp_path / "bot")
        room_id = await kim.create_room("재시작 시험", invite=[config.user_id("sotong")])
        bot_id = config.user_id("sotong")
        async with running_bot(settings, tmp_path / "bot"):
            await kim.wait_membership(room_id, bot_id, "join", timeout=30)
            before = await kim.send(room_id, "!ping")
            await kim.wait_reply(room_id, before, bot_id, timeout=20)
            await asyncio.to_thread(server.stop)
            await asyncio.sleep(3)
            server = await launch_homeserver(tmp_path / "hs", venv, reuse_running=False)
            back_at = time.monotonic()
            after = [await kim.send(room_id, "!ping") for _ in range(3)]
            await kim.wait_reply(room_id, after[0], bot_id, timeout=30)
            reconnect = time.monotonic() - back_at
            for event_id in after[1:]:
                await kim.wait_reply(room_id, event_id, bot_id, timeout=20)
            await asyncio.sleep(1)
        replies = await kim.replies(room_id, bot_id)
        assert [len(replies[e]) for e in [before, *after]] == [1, 1, 1, 1]
        print(f"answered {reconnect:.2f}s after Synapse came back")
        assert reconnect < 5.0
        await kim.client.close()
    finally:
        await asyncio.to_thread(server.stop)
