"""Real nio clients acting as officials, and a bot runner for integration tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from nio import AsyncClient, LoginResponse, RoomCreateResponse

from bot.app import Bot
from bot.config import Settings, settings_from_mapping
from bot.dev.conversation import (
    history,
    memberships,
    replies_by_target,
    send_text,
    wait_for_reply,
    wait_membership,
)
from bot.dev.synapse import HomeserverConfig, register_user

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

    async def send(self, room_id: str, body: str) -> str:
        return await send_text(self.client, room_id, body)

    async def history(self, room_id: str) -> list[dict[str, Any]]:
        return await history(self.client, room_id)

    async def replies(self, room_id: str, sender: str) -> dict[str, list[dict[str, Any]]]:
        """Replies from `sender`, grouped by the event they answer."""
        return replies_by_target(await self.history(room_id), sender)

    async def wait_reply(
        self, room_id: str, event_id: str, sender: str, timeout: float = 15.0
    ) -> dict[str, Any]:
        """The content of the bot's reply to `event_id`."""
        reply = await wait_for_reply(self.client, room_id, event_id, sender, timeout)
        return reply["content"]

    async def members(self, room_id: str) -> dict[str, str]:
        """user id → membership, from the room state."""
        return await memberships(self.client, room_id)

    async def wait_membership(
        self, room_id: str, user_id: str, wanted: str, timeout: float = 15.0
    ) -> None:
        await wait_membership(self.client, room_id, user_id, wanted, timeout)


async def make_official(server: HomeserverConfig, localpart: str, name: str) -> Official:
    user_id = await register_user(
        server.base_url, server.shared_secret, localpart, PASSWORD, displayname=name
    )
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
async def running_bot(settings: Settings, data_dir: Path, web: bool = False) -> AsyncIterator[Bot]:
    """A real bot in this event loop, stopped cleanly at the end; `web` serves its web side
    on WEB_HOST:WEB_PORT."""
    bot = Bot(settings, data_dir=data_dir, web=web)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
