"""The bot against a real Synapse: invites, replies, errors, restarts and first start."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.dev.synapse import HomeserverConfig
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def _room_with_bot(kim: Official, lee: Official, bot_user: str, name: str) -> str:
    room_id = await kim.create_room(name, invite=[lee.user_id, bot_user])
    await lee.join(room_id)
    await kim.wait_membership(room_id, bot_user, "join")
    return room_id


async def test_invite_from_allowed_user_is_accepted_and_help_is_korean(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee = officials["kim"], officials["lee"]
    settings = bot_settings(synapse, tmp_path, ALLOWED_INVITERS=kim.user_id)
    async with running_bot(settings, tmp_path):
        room_id = await _room_with_bot(kim, lee, bot_user, "초대 시험")
        asked = await lee.send(room_id, "!도움말")
        reply = await lee.wait_reply(room_id, asked, bot_user)
    assert reply["msgtype"] == "m.notice"
    assert "소통 봇 명령어" in reply["body"] and "!ping" in reply["body"]
    assert "<ul>" in reply["formatted_body"]


async def test_invite_from_other_server_or_user_is_refused(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee = officials["kim"], officials["lee"]
    settings = bot_settings(synapse, tmp_path, ALLOWED_INVITERS=f"moef.go.kr,{kim.user_id}")
    async with running_bot(settings, tmp_path):
        room_id = await lee.create_room("허용 안 됨", invite=[bot_user])
        await lee.wait_membership(room_id, bot_user, "leave")
        allowed = await kim.create_room("허용됨", invite=[bot_user])
        await kim.wait_membership(allowed, bot_user, "join")


async def test_malformed_and_unknown_commands_get_usage_and_suggestion(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee = officials["kim"], officials["lee"]
    async with running_bot(bot_settings(synapse, tmp_path), tmp_path):
        room_id = await _room_with_bot(kim, lee, bot_user, "오류 시험")
        malformed = await lee.send(room_id, "!ping twice")
        unknown = await lee.send(room_id, "!hlep")
        bad = await lee.wait_reply(room_id, malformed, bot_user)
        guess = await lee.wait_reply(room_id, unknown, bot_user)
    assert "남는 인자가 있습니다" in bad["body"] and "Usage: !ping" in bad["body"]
    assert "혹시 !help" in guess["body"] and "Did you mean !help?" in guess["body"]


async def test_commands_sent_while_down_are_answered_exactly_once(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    """More than a sync's 100-event timeline, so the gap must be filled from /messages."""
    kim, lee, park = officials["kim"], officials["lee"], officials["park"]
    settings = bot_settings(synapse, tmp_path)
    async with running_bot(settings, tmp_path):
        room_id = await _room_with_bot(kim, lee, bot_user, "재시작 시험")
        await kim.client.room_invite(room_id, park.user_id)
        await park.join(room_id)
        first = await kim.send(room_id, "!ping")
        await kim.wait_reply(room_id, first, bot_user)
    senders = [kim, lee, park]
    sent = []
    for index in range(130):
        sent.append(await senders[index % 3].send(room_id, "!ping"))
    async with running_bot(settings, tmp_path):
        await kim.wait_reply(room_id, sent[-1], bot_user, timeout=60)
        await asyncio.sleep(1.0)
    replies = await kim.replies(room_id, bot_user)
    assert all(len(replies.get(event_id, [])) == 1 for event_id in [first, *sent])
    assert len(replies) == len(sent) + 1


async def test_first_start_of_a_fresh_install_skips_history(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee = officials["kim"], officials["lee"]
    async with running_bot(bot_settings(synapse, tmp_path / "old"), tmp_path / "old"):
        room_id = await _room_with_bot(kim, lee, bot_user, "첫 시작 시험")
    old = await lee.send(room_id, "!ping")
    fresh = tmp_path / "fresh"
    async with running_bot(bot_settings(synapse, fresh), fresh):
        new = await lee.send(room_id, "!ping")
        await lee.wait_reply(room_id, new, bot_user)
        await asyncio.sleep(1.0)
    replies = await lee.replies(room_id, bot_user)
    assert old not in replies and len(replies[new]) == 1


def _state_version(data_dir: Path, value: int | None = None) -> int:
    """The stored state version; set first when `value` is given (as an older bot left it)."""
    with sqlite3.connect(data_dir / "sotong.db") as connection:
        if value is not None:
            connection.execute("UPDATE bot_session SET state_version = ?", (value,))
        return int(connection.execute("SELECT state_version FROM bot_session").fetchone()[0])


async def test_a_restart_reads_rooms_from_the_database_once_it_holds_them(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    """A database an older bot kept lacks encryption flags: its first restart reads the full
    state once; later restarts take the rooms from the database and still answer."""
    kim, lee = officials["kim"], officials["lee"]
    settings = bot_settings(synapse, tmp_path)
    async with running_bot(settings, tmp_path):
        room_id = await _room_with_bot(kim, lee, bot_user, "재시작 상태 시험")
    _state_version(tmp_path, 0)
    asked = await lee.send(room_id, "!ping")
    async with running_bot(settings, tmp_path) as bot:
        assert bot.loop.full_state_first
        await lee.wait_reply(room_id, asked, bot_user)
    assert _state_version(tmp_path) == 1
    again = await lee.send(room_id, "!ping")
    async with running_bot(settings, tmp_path) as bot:
        assert not bot.loop.full_state_first and room_id in bot.client.rooms
        await lee.wait_reply(room_id, again, bot_user)
