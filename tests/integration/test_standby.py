"""Hot standby on PostgreSQL: one active bot, the standby takes over after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.dev.synapse import HomeserverConfig, free_port
from tests.support.officials import PASSWORD, Official
from tests.support.postgres import PostgresCluster

pytestmark = [
    pytest.mark.integration,
    pytest.mark.postgres,
    pytest.mark.asyncio(loop_scope="session"),
]


def _start(workdir: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "bot.cli.main", "--env-file", str(workdir / "none"), "run"]
    return subprocess.Popen(
        command,
        cwd=workdir,
        env={**env, "WEB_PORT": str(free_port())},
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_standby_takes_over_within_ten_seconds_and_nothing_is_lost(
    synapse: HomeserverConfig,
    officials: dict[str, Official],
    bot_user: str,
    postgres_cluster: PostgresCluster,
    tmp_path: Path,
) -> None:
    kim = officials["kim"]
    env = {
        **os.environ,
        "MATRIX_HOMESERVER": synapse.base_url,
        "MATRIX_USER_ID": bot_user,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": postgres_cluster.new_database(),
        "ALLOWED_INVITERS": synapse.server_name,
    }
    room_id = await kim.create_room("대기 시험", invite=[bot_user])
    active = _start(tmp_path / "a", env)
    standby = None
    try:
        await kim.wait_membership(room_id, bot_user, "join", timeout=30)
        standby = _start(tmp_path / "b", env)
        first = await kim.send(room_id, "!ping")
        await kim.wait_reply(room_id, first, bot_user, timeout=20)
        time.sleep(2.0)
        active.send_signal(signal.SIGKILL)
        active.wait(timeout=10)
        killed_at = time.monotonic()
        during = [await kim.send(room_id, "!ping") for _ in range(5)]
        await kim.wait_reply(room_id, during[0], bot_user, timeout=30)
        takeover = time.monotonic() - killed_at
        for event_id in during[1:]:
            await kim.wait_reply(room_id, event_id, bot_user, timeout=20)
        replies = await kim.replies(room_id, bot_user)
        assert [len(replies[e]) for e in [first, *during]] == [1] * 6
        assert takeover < 10.0, f"takeover took {takeover:.1f}s"
        print(f"standby takeover: {takeover:.2f}s after SIGKILL")
    finally:
        logs = {}
        for name, process in (("active", active), ("standby", standby)):
            if process is not None:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
                logs[name] = process.communicate(timeout=20)[1]
    assert "another process is active; standing by" in logs["standby"]
    assert "this process is now the active bot" in logs["standby"]
    assert logs["standby"].count("logged in as") == 0
