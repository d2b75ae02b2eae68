"""Real nio clients acting as officials, and a bot runner for integration tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from nio import (
    AsyncClient,
    LoginResponse,
    MessageDirection,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomSendResponse,
)

from bot.app import Bot
from bot.config import Settings, settings_from_mapping
from bot.devserver import HomeserverConfig, register_user

PASSWORD = "test-password-1"


class Official:
    """One official with a logged-in nio client."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    @property
    def user_id(self) -> str:
        return self.client.user_id

    async def create_room(self, name: str, invite: list[str] = ()) -> str:  # type: ignore[assignment]
        response = await self.client.room_create(name=name, invite=list(invite))
        assert isinstance(response, RoomCreateResponse), response
        return response.room_id

    async def join(self, room_id: str) -> None:
        await self.client.join(room_id)

    async def send(self, room_id: str, body: str, content: dict[str, Any] | None = None) -> str:
        payload = {"msgtype": "m.text", "body": body, **(content or {})}
        response = await self.client.room_send(room_id, "m.room.message", payload)
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def history(self, room_id: str, limit: int = 1000) -> list[dict[str, Any]]:
        """The room's events, oldest first, as raw dicts."""
        events: list[dict[str, Any]] = []
        start = ""
        while len(events) < limit:
            response = await self.client.room_messages(
                room_id, start=start, direction=MessageDirection.back, limit=200
            )
            assert isinstance(response, RoomMessagesResponse), response
            events.extend(e.source for e in response.chunk)
            if not response.chunk or not response.end:
                break
            start = response.end
        return list(reversed(events))

    async def replies(self, room_id: str, sender: str) -> dict[str, list[dict[str, Any]]]:
        """Replies from `sender`, grouped by the event they answer."""
        found: dict[str, list[dict[str, Any]]] = {}
        for event in await self.history(room_id):
            relation = event.get("content", {}).get("m.relates_to", {})
            target = relation.get("m.in_reply_to", {}).get("event_id")
            if event.get("sender") == sender and target:
                found.setdefault(target, []).append(event)
        return found

    async def wait_reply(
        self, room_id: str, event_id: str, sender: str, timeout: float = 15.0
    ) -> dict[str, Any]:
        """The content of the bot's reply to `event_id`, polling until it arrives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = (await self.replies(room_id, sender)).get(event_id)
            if replies:
                return replies[0]["content"]
            await asyncio.sleep(0.2)
        raise AssertionError(f"no reply to {event_id} within {timeout}s")

    async def members(self, room_id: str) -> dict[str, str]:
        """user id → membership, from the room state."""
        response = await self.client.room_get_state(room_id)
        return {
            e["state_key"]: e["content"].get("membership")
            for e in response.events
            if e.get("type") == "m.room.member"
        }

    async def wait_membership(
        self, room_id: str, user_id: str, wanted: str, timeout: float = 15.0
    ) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (await self.members(room_id)).get(user_id) == wanted:
                return
            await asyncio.sleep(0.2)
        raise AssertionError(f"{user_id} not '{wanted}' in {room_id} after {timeout}s")


async def make_official(server: HomeserverConfig, localpart: str, name: str) -> Official:
    user_id = await register_user(server.base_url, server.shared_secret, localpart, PASSWORD,
                                  displayname=name)
    client = AsyncClient(server.base_url, user_id)
    response = await client.login(PASSWORD)
    assert isinstance(response, LoginResponse), response
    return Official(client)


def bot_settings(server: HomeserverConfig, data_dir: Path, **overrides: str) -> Settings:
    env = {
        "MATRIX_HOMESERVER": server.base_url,
        "MATRIX_USER_ID": server.user_id("sotong"),
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{data_dir / 'sotong.db'}",
        "ALLOWED_INVITERS": server.server_name,
        **overrides,
    }
    return settings_from_mapping(env)


@asynccontextmanager
async def running_bot(settings: Settings, data_dir: Path) -> AsyncIterator[Bot]:
    """A real bot in this event loop, stopped cleanly at the end."""
    bot = Bot(settings, data_dir=data_dir, web=False)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
