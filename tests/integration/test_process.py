"""`sotong run` as a real process: it answers, and SIGTERM stops it cleanly and quickly."""

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

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def test_sigterm_stops_the_bot_cleanly_and_the_device_is_reused(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim = officials["kim"]
    env = {
        **os.environ,
        "MATRIX_HOMESERVER": synapse.base_url,
        "MATRIX_USER_ID": bot_user,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}",
        "ALLOWED_INVITERS": synapse.server_name,
        "WEB_PORT": str(free_port()),
    }
    command = [sys.executable, "-m", "bot.cli.main", "--env-file", str(tmp_path / "none"), "run"]
    devices = []
    room_id = await kim.create_room("프로세스 시험", invite=[bot_user])
    for _ in range(2):
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            await kim.wait_membership(room_id, bot_user, "join", timeout=30)
        except AssertionError:
            process.kill()
            raise AssertionError(process.communicate()[1][-3000:]) from None
        asked = await kim.send(room_id, "!ping")
        assert (await kim.wait_reply(room_id, asked, bot_user, timeout=30))["body"] == "pong"
        process.send_signal(signal.SIGTERM)
        began = time.monotonic()
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr
        assert time.monotonic() - began < 10
        assert "Traceback" not in stderr and PASSWORD not in stderr
        devices.append(stderr.count("logged in as"))
    assert devices == [1, 0]
