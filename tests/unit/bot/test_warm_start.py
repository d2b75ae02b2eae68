"""A restart rebuilds nio's rooms from the database: every room the bot is in, encrypted
where its state said so, whichever way the state arrived (a start's batch, or a timeline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from nio import SyncResponse

from bot.crypto import DeviceTrust
from bot.sync import SyncProcessor
from bot.warm_start import restore_rooms
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import Transcript
from tests.unit.bot.test_sync_writes import MEMBERS, client_for, member, state_event

SECRET, OPEN, LEFT = "!secret:gov.kr", "!open:gov.kr", "!left:gov.kr"
ENCRYPTION = {"algorithm": "m.megolm.v1.aes-sha2"}


def room(events: list[dict[str, Any]], in_timeline: bool) -> dict[str, Any]:
    timeline, state = (events, []) if in_timeline else ([], events)
    return {
        "timeline": {"events": timeline, "limited": False, "prev_batch": "p0"},
        "state": {"events": state},
    }


def batch(bot: str, in_timeline: bool) -> SyncResponse:
    """The bot in two rooms, one encrypted, and a third room it has left."""
    joined = [member(MEMBERS[0], 0), member(bot, 1)]
    rooms = {
        SECRET: room([*joined, state_event("m.room.encryption", ENCRYPTION)], in_timeline),
        OPEN: room(joined, in_timeline),
        LEFT: room([*joined, member(bot, 2) | {"content": {"membership": "leave"}}], True),
    }
    response = SyncResponse.from_dict({"next_batch": "s1", "rooms": {"join": rooms}})
    assert isinstance(response, SyncResponse), response
    return response


@pytest.mark.parametrize("in_timeline", [False, True], ids=["start-batch", "timeline"])
async def test_a_restart_knows_every_joined_room_and_which_are_encrypted(
    sqlite_url: str, tmp_path: Path, in_timeline: bool
) -> None:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    bot = transcript.settings.user_id
    before = client_for(transcript, tmp_path / "before")
    after = client_for(transcript, tmp_path / "after")
    try:
        trust = DeviceTrust(before, ("gov.kr",))
        processor = SyncProcessor(before, transcript.dispatcher, trust)
        await processor.process(batch(bot, in_timeline), "s0")
        restored = await restore_rooms(after, transcript.dispatcher.repos.rooms)
        assert restored == 2
        assert set(after.rooms) == {SECRET, OPEN}
        assert after.rooms[SECRET].encrypted and not after.rooms[OPEN].encrypted
    finally:
        await before.close()
        await after.close()
        await db.close()
