"""An official whose device the trust policy excludes is told why it cannot read the bot:
`m.room_key.withheld` with code `m.blacklisted`, once per megolm session, on a real Synapse."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from nio import (
    MatrixRoom,
    MegolmEvent,
    RoomCreateResponse,
    ToDeviceMessage,
    ToDeviceResponse,
    UnknownToDeviceEvent,
)

from bot.config import Settings
from bot.dev.conversation import wait_membership
from bot.dev.synapse import HomeserverConfig, register_user
from tests.support.crypto_officials import (
    ENCRYPTION,
    CryptoOfficial,
    close_official,
    crypto_official,
)
from tests.support.officials import PASSWORD, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
MARKER = "org.sotong.test.marker"


class Outsider:
    """The excluded official's client: the bot's events it cannot decrypt, its to-device mail."""

    def __init__(self, person: CryptoOfficial, bot_user: str) -> None:
        self.person = person
        self.bot_user = bot_user
        self.unreadable: list[MegolmEvent] = []
        self.to_device: list[dict[str, Any]] = []
        person.client.add_event_callback(self._on_megolm, MegolmEvent)
        person.client.add_to_device_callback(self._on_to_device, UnknownToDeviceEvent)

    async def _on_megolm(self, room: MatrixRoom, event: MegolmEvent) -> None:
        if event.sender == self.bot_user:
            self.unreadable.append(event)

    async def _on_to_device(self, event: UnknownToDeviceEvent) -> None:
        self.to_device.append(event.source)

    def withheld(self) -> list[dict[str, Any]]:
        return [e["content"] for e in self.to_device if e["type"] == "m.room_key.withheld"]

    async def until(self, what: str, check: Any, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, f"the outsider never got {what}"
            await asyncio.sleep(0.2)


async def _ping(official: CryptoOfficial, outsider: Outsider, room_id: str) -> MegolmEvent:
    """Ask the bot; the allowed official reads the reply, the outsider's copy is unreadable."""
    seen = len(outsider.unreadable)
    asked = await official.send(room_id, "!ping")
    assert (await official.reply_to(asked))["content"]["body"] == "pong"
    await outsider.until("the bot's reply", lambda: len(outsider.unreadable) > seen)
    return outsider.unreadable[-1]


async def _until_member(bot_client: Any, room_id: str, user_id: str) -> None:
    deadline = time.monotonic() + 30
    while user_id not in getattr(bot_client.rooms.get(room_id), "users", {}):
        assert time.monotonic() < deadline, f"the bot never saw {user_id} join"
        await asyncio.sleep(0.2)


async def _marker(official: CryptoOfficial, outsider: Outsider) -> None:
    """A to-device message from the official: once it arrives, so has all the bot sent before."""
    client = outsider.person.client
    message = ToDeviceMessage(MARKER, client.user_id, client.device_id, {"marker": True})
    assert isinstance(await official.client.to_device(message), ToDeviceResponse)
    await outsider.until("the marker", lambda: any(e["type"] == MARKER for e in outsider.to_device))


async def _kim_and_outsider(
    synapse: HomeserverConfig, bot_user: str, tmp_path: Path, prefix: str
) -> tuple[CryptoOfficial, Outsider, Settings]:
    """An allowed official, an outsider the policy excludes, and the bot's settings."""
    server = (synapse.base_url, synapse.shared_secret)
    allowed_id = await register_user(*server, f"{prefix}_kim", PASSWORD)
    outsider_id = await register_user(*server, f"{prefix}_outsider", PASSWORD)
    official = await crypto_official(synapse, allowed_id, tmp_path / "kim", "kim phone")
    person = await crypto_official(synapse, outsider_id, tmp_path / "outsider", "outsider")
    settings = bot_settings(synapse, tmp_path / "bot", ALLOWED_INVITERS=allowed_id)
    return official, Outsider(person, bot_user), settings


async def test_an_excluded_device_is_told_once_per_session_that_its_key_was_withheld(
    synapse: HomeserverConfig, bot_user: str, tmp_path: Path
) -> None:
    official, outsider, settings = await _kim_and_outsider(synapse, bot_user, tmp_path, "withheld")
    person, outsider_id = outsider.person, outsider.person.client.user_id
    created = await official.client.room_create(
        name="배제 기기 안내", invite=[bot_user, outsider_id], initial_state=[ENCRYPTION]
    )
    assert isinstance(created, RoomCreateResponse)
    room_id = created.room_id
    try:
        await person.client.join(room_id)
        async with running_bot(settings, tmp_path / "bot") as bot:
            await _until_member(bot.client, room_id, outsider_id)
            first = await _ping(official, outsider, room_id)
            await outsider.until("a withheld notice", outsider.withheld)
            notice = outsider.withheld()[0]
            assert notice == {
                "algorithm": "m.megolm.v1.aes-sha2",
                "room_id": room_id,
                "session_id": first.session_id,
                "sender_key": first.sender_key,
                "code": "m.blacklisted",
                "reason": notice["reason"],
            }
            assert "ALLOWED_INVITERS" in notice["reason"]
            assert (await _ping(official, outsider, room_id)).session_id == first.session_id
        await _marker(official, outsider)  # the bot has stopped: nothing of it still in flight
        assert [w["session_id"] for w in outsider.withheld()] == [first.session_id]

        async with running_bot(settings, tmp_path / "bot"):  # a restart starts a new session
            third = await _ping(official, outsider, room_id)
        await _marker(official, outsider)
        assert third.session_id != first.session_id
        assert [(w["session_id"], w["code"]) for w in outsider.withheld()] == [
            (first.session_id, "m.blacklisted"),
            (third.session_id, "m.blacklisted"),
        ]
    finally:
        await close_official(person)
        await close_official(official)


async def test_members_are_judged_before_a_key_goes_out_in_a_room_encrypted_after_a_restart(
    synapse: HomeserverConfig, bot_user: str, tmp_path: Path
) -> None:
    """A restart takes its rooms from the database, without their members. When such a room
    turns encrypted, its members are read and their devices judged before the first room key
    goes out: an outsider who was always in the room gets no key."""
    official, outsider, settings = await _kim_and_outsider(synapse, bot_user, tmp_path, "late")
    person, outsider_id = outsider.person, outsider.person.client.user_id
    created = await official.client.room_create(
        name="재시작 뒤 암호화", invite=[bot_user, outsider_id]
    )
    assert isinstance(created, RoomCreateResponse)
    room_id = created.room_id
    try:
        await person.client.join(room_id)
        async with running_bot(settings, tmp_path / "bot"):
            await wait_membership(official.client, room_id, bot_user, "join", timeout=30)
            asked = await official.send(room_id, "!ping")
            assert (await official.reply_to(asked))["content"]["body"] == "pong"
        async with running_bot(settings, tmp_path / "bot") as bot:
            assert not bot.loop.full_state_first
            await official.client.room_put_state(
                room_id, "m.room.encryption", ENCRYPTION["content"]
            )
            await _until_encrypted(bot.client, room_id)
            await official.until_encrypted(room_id)
            unreadable = await _ping(official, outsider, room_id)
            await outsider.until("a withheld notice", outsider.withheld)
        assert [w["session_id"] for w in outsider.withheld()] == [unreadable.session_id]
    finally:
        await close_official(person)
        await close_official(official)


async def _until_encrypted(client: Any, room_id: str) -> None:
    deadline = time.monotonic() + 30
    while not getattr(client.rooms.get(room_id), "encrypted", False):
        assert time.monotonic() < deadline, f"the bot never saw {room_id} turn encrypted"
        await asyncio.sleep(0.2)
