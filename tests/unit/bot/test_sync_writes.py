"""The sync path's writes stay few: a room's member list is one write after a start, and
the sync position is written at most once a second, the last one always kept on stop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, SyncResponse
from sqlalchemy import event

from bot.crypto import DeviceTrust
from bot.matrix import Runtime, SyncLoop
from bot.sync import SyncProcessor
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import Transcript

ROOM = "!wg:gov.kr"
MEMBERS = [f"@official{n}:gov.kr" for n in range(30)]


def member(user_id: str, number: int) -> dict[str, Any]:
    return {
        "type": "m.room.member",
        "event_id": f"$m{number}:gov.kr",
        "sender": user_id,
        "state_key": user_id,
        "origin_server_ts": 1_764_000_000_000,
        "content": {"membership": "join", "displayname": f"공무원 {number}"},
    }


def state_event(event_type: str, content: dict[str, Any]) -> dict[str, Any]:
    return member(MEMBERS[0], 0) | {"type": event_type, "state_key": "", "content": content}


def full_state_sync(bot: str, in_timeline: bool = False) -> SyncResponse:
    """A restart's first batch: the room's name, power levels and every member (a fresh
    install's first batch carries them in the timeline instead)."""
    state = [
        state_event("m.room.name", {"name": "예산 실무반"}),
        state_event("m.room.power_levels", {"users": {MEMBERS[1]: 50}, "users_default": 0}),
        *(member(u, n) for n, u in enumerate([*MEMBERS, bot])),
    ]
    timeline, state = (state, []) if in_timeline else ([], state)
    room = {
        "timeline": {"events": timeline, "limited": False, "prev_batch": "p0"},
        "state": {"events": state},
        "ephemeral": {"events": []},
        "account_data": {"events": []},
    }
    response = SyncResponse.from_dict({"next_batch": "s1", "rooms": {"join": {ROOM: room}}})
    assert isinstance(response, SyncResponse), response
    return response


def client_for(transcript: Transcript, store: Path) -> AsyncClient:
    config = AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False)
    return AsyncClient(
        "http://127.0.0.1:1", transcript.settings.user_id, store_path=str(store), config=config
    )


@pytest.mark.parametrize("fresh_install", [False, True])
async def test_a_rooms_member_list_after_a_start_is_one_write(
    sqlite_url: str, tmp_path: Path, fresh_install: bool
) -> None:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    client = client_for(transcript, tmp_path)
    commits: list[object] = []
    event.listen(db.engine.sync_engine, "commit", commits.append)
    try:
        response = full_state_sync(transcript.settings.user_id, in_timeline=fresh_install)
        await client.receive_response(response)
        trust = DeviceTrust(client, ("gov.kr",))
        since = None if fresh_install else "s0"
        await SyncProcessor(client, transcript.dispatcher, trust).process(response, since)
        assert len(commits) <= 2, len(commits)
        rooms = transcript.dispatcher.repos.rooms
        for number, user_id in enumerate(MEMBERS):
            seen = await rooms.member(ROOM, user_id)
            assert seen is not None and seen.display_name == f"공무원 {number}"
            assert seen.membership == "join"
            assert seen.power_level == (50 if number == 1 else 0)
        assert await rooms.name_of(ROOM) == "예산 실무반"
        assert await rooms.joined_count() == 1
    finally:
        await client.close()
        await db.close()


async def test_sync_positions_are_coalesced_and_the_last_is_kept(
    sqlite_url: str, tmp_path: Path
) -> None:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    user_id = transcript.settings.user_id
    await repos.sessions.save_login(user_id, "token", "DEVICE")
    client = client_for(transcript, tmp_path)
    trust = DeviceTrust(client, ("gov.kr",))
    settings, dispatcher = transcript.settings, transcript.dispatcher
    loop = SyncLoop(client, settings, repos, dispatcher, Runtime(), lambda: transcript.now, trust)
    try:
        await loop._bookkeep("s1")
        await loop._bookkeep("s2")  # the batch that echoes a reply, a moment later
        stored = await repos.sessions.get(user_id)
        assert stored is not None and stored.next_batch == "s1"
        loop.stop()
        await loop.save_pending_position()
        stored = await repos.sessions.get(user_id)
        assert stored is not None and stored.next_batch == "s2"
    finally:
        await client.close()
        await db.close()
