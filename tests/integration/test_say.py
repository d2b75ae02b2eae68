"""`sotong say`, the newcomer's way to talk to the bot: it prints the reply, and says plainly
when the demo user may not enter the room (instead of a traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.say import say
from bot.dev.synapse import HomeserverConfig
from tests.support.officials import PASSWORD, Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def test_say_prints_the_reply_and_explains_a_room_it_cannot_enter(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = bot_settings(synapse, tmp_path / "bot")
    project = tmp_path / "project"
    (project / "data" / "dev").mkdir(parents=True)
    env = {
        "MATRIX_HOMESERVER": synapse.base_url,
        "MATRIX_USER_ID": bot_user,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{project / 'unused.db'}",
    }
    (project / ".env").write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    credentials = {"kim": PASSWORD, "lee": PASSWORD}
    (project / "data" / "dev" / "credentials.json").write_text(json.dumps(credentials))
    kim = officials["kim"]
    room_id = await kim.create_room("say 시험", invite=[bot_user])
    async with running_bot(settings, tmp_path / "bot"):
        await kim.wait_membership(room_id, bot_user, "join", timeout=30)
        capsys.readouterr()
        assert await say(project, "kim", room_id, "!ping", 20) == 0
        assert capsys.readouterr().out.strip() == "pong"
        assert await say(project, "lee", room_id, "!ping", 5) == 1
        error = capsys.readouterr().err
        assert error.startswith(f"{officials['lee'].user_id} cannot join {room_id}:")
