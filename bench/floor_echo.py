"""The floor for bench/latency.py: the barest matrix-nio bot that answers `!ping` with `pong`.

Usage: python bench/floor_echo.py HOMESERVER USER_ID PASSWORD
It joins rooms it is invited to and replies to every `!ping` it sees, nothing else.
"""

from __future__ import annotations

import asyncio
import sys

from nio import AsyncClient, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main(homeserver: str, user_id: str, password: str) -> None:
    client = AsyncClient(homeserver, user_id)
    await client.login(password)

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != user_id and event.body == "!ping":
            content = {
                "msgtype": "m.notice",
                "body": "pong",
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
            }
            await client.room_send(room.room_id, "m.room.message", content)

    async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == user_id:
            await client.join(room.room_id)

    client.add_event_callback(on_invite, InviteMemberEvent)
    await client.sync(timeout=0)
    client.add_event_callback(on_message, RoomMessageText)
    await client.sync_forever(timeout=30_000)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
