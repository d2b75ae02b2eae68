"""Officials with their own end-to-end encrypted clients, for tests in encrypted rooms."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import aiohttp
from nio import (
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomSendResponse,
)

from bot.dev.synapse import HomeserverConfig
from tests.support.officials import PASSWORD

ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class CryptoOfficial:
    """An official's own E2EE client: its own store, a sync loop, decrypted replies kept."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.replies: dict[str, dict[str, Any]] = {}
        self.notices: list[tuple[str, dict[str, Any]]] = []
        client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.task = asyncio.create_task(client.sync_forever(timeout=3000))

    async def _on_notice(self, room: MatrixRoom, event: RoomMessageNotice) -> None:
        self.notices.append((room.room_id, event.source))
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        target = (relation.get("m.in_reply_to") or {}).get("event_id")
        if target:
            self.replies[target] = event.source

    async def send(self, room_id: str, body: str) -> str:
        if self.client.should_query_keys:
            await self.client.keys_query()
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": body},
            ignore_unverified_devices=True,
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def until_in(self, room_id: str, timeout: float = 30) -> None:
        """Until a sync has brought the joined room (and whether it is encrypted)."""
        deadline = time.monotonic() + timeout
        while room_id not in self.client.rooms:
            assert time.monotonic() < deadline, f"{room_id} never synced"
            await asyncio.sleep(0.2)

    async def until_encrypted(self, room_id: str, timeout: float = 30) -> None:
        """Until a sync has told this client that the room is encrypted."""
        deadline = time.monotonic() + timeout
        while not getattr(self.client.rooms.get(room_id), "encrypted", False):
            assert time.monotonic() < deadline, f"{room_id} never turned encrypted"
            await asyncio.sleep(0.2)

    async def notice_containing(self, room_id: str, text: str, timeout: float = 30) -> str:
        """The decrypted body of the first notice in `room_id` that contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for room, source in self.notices:
                body = str(source.get("content", {}).get("body", ""))
                if room == room_id and text in body:
                    return body
            await asyncio.sleep(0.2)
        raise AssertionError(f"no decrypted notice with {text!r} in {room_id}")

    async def reply_to(self, event_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if event_id in self.replies:
                return self.replies[event_id]
            await asyncio.sleep(0.2)
        raise AssertionError(f"no decrypted reply to {event_id}")


async def crypto_official(
    synapse: HomeserverConfig, user: str, store: Path, device_name: str
) -> CryptoOfficial:
    store.mkdir()
    client = AsyncClient(
        synapse.base_url,
        user,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True),
    )
    await client.login(PASSWORD, device_name=device_name)
    return CryptoOfficial(client)


async def close_official(person: CryptoOfficial) -> None:
    person.client.stop_sync_forever()
    person.task.cancel()
    await person.client.close()


async def raw_events(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """The room's events as the server stores them (nio would decrypt them for us)."""
    url = f"{client.homeserver}/_matrix/client/v3/rooms/{room_id}/messages"
    headers = {"Authorization": f"Bearer {client.access_token}"}
    params = {"dir": "b", "limit": "100"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params=params, headers=headers) as response,
    ):
        return list((await response.json())["chunk"])


async def encrypted_room(official: CryptoOfficial, name: str, bot_user: str) -> str:
    created = await official.client.room_create(
        name=name, invite=[bot_user], initial_state=[ENCRYPTION]
    )
    assert isinstance(created, RoomCreateResponse)
    return created.room_id
