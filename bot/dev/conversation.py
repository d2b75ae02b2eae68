"""Reading a room as an official would: history and the bot's replies to given events.

Shared by `sotong say`, the integration tests and the benchmarks.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from nio import (
    AsyncClient,
    MessageDirection,
    RoomGetStateResponse,
    RoomMessagesResponse,
    RoomSendResponse,
)


async def send_text(client: AsyncClient, room_id: str, body: str) -> str:
    """Send an `m.text` message; return its event id."""
    response = await client.room_send(
        room_id, "m.room.message", {"msgtype": "m.text", "body": body}
    )
    if not isinstance(response, RoomSendResponse):
        raise RuntimeError(f"sending to {room_id} failed: {response}")
    return response.event_id


async def history(client: AsyncClient, room_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """The room's newest `limit` events, oldest first, as raw dicts."""
    events: list[dict[str, Any]] = []
    start = ""
    while len(events) < limit:
        response = await client.room_messages(
            room_id, start=start, direction=MessageDirection.back, limit=min(200, limit)
        )
        if not isinstance(response, RoomMessagesResponse):
            raise RuntimeError(f"reading {room_id} failed: {response}")
        events.extend(e.source for e in response.chunk)
        if not response.chunk or not response.end:
            break
        start = response.end
    return list(reversed(events))


def replies_by_target(events: list[dict[str, Any]], sender: str) -> dict[str, list[dict[str, Any]]]:
    """Events from `sender` grouped by the event id they reply to (`m.in_reply_to`)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.get("sender") != sender:
            continue
        relation = event.get("content", {}).get("m.relates_to") or {}
        target = (relation.get("m.in_reply_to") or {}).get("event_id")
        if target:
            found.setdefault(target, []).append(event)
    return found


async def wait_for_reply(
    client: AsyncClient,
    room_id: str,
    event_id: str,
    sender: str,
    timeout: float = 15.0,
    poll: float = 0.2,
) -> dict[str, Any]:
    """The first reply from `sender` to `event_id`; TimeoutError when none comes in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = replies_by_target(await history(client, room_id, limit=200), sender)
        if event_id in replies:
            return replies[event_id][0]
        await asyncio.sleep(poll)
    raise TimeoutError(f"no reply to {event_id} from {sender} within {timeout:.0f}s")


async def memberships(client: AsyncClient, room_id: str) -> dict[str, str]:
    """user id → membership, from the room's state."""
    response = await client.room_get_state(room_id)
    if not isinstance(response, RoomGetStateResponse):
        raise RuntimeError(f"reading the state of {room_id} failed: {response}")
    return {
        e["state_key"]: e["content"].get("membership")
        for e in response.events
        if e.get("type") == "m.room.member"
    }


async def wait_membership(
    client: AsyncClient,
    room_id: str,
    user_id: str,
    wanted: str = "join",
    timeout: float = 15.0,
    poll: float = 0.2,
) -> None:
    """Until `user_id` is `wanted` (join, leave, …) in the room; TimeoutError otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (await memberships(client, room_id)).get(user_id) == wanted:
            return
        await asyncio.sleep(poll)
    raise TimeoutError(f"{user_id} not '{wanted}' in {room_id} after {timeout}s")
