"""The rooms of bench/scale.py: public rooms with `members` officials drawn from a pool and a
few messages each, kept in the data folder so a later run only adds the missing ones. Each
size has its own bot account, joined to the first `size` rooms: one set of rooms serves
every size."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path

from nio import AsyncClient, JoinResponse, RoomCreateResponse, RoomPreset

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dev.conversation import send_text  # noqa: E402
from bot.dev.synapse import register_user  # noqa: E402

PASSWORD = "scale-password"
CONCURRENCY = 8
MESSAGES = 3


async def login(base: str, secret: str, localpart: str) -> AsyncClient:
    """A logged-in nio client of a (registered if need be) local user."""
    user_id = await register_user(base, secret, localpart, PASSWORD)
    client = AsyncClient(base, user_id)
    await client.login(PASSWORD)
    return client


class RoomBuilder:
    """Creates rooms numbered from 0; a room's members depend only on its number."""

    def __init__(self, base: str, secret: str, members: int, pool: int) -> None:
        self.base, self.secret = base, secret
        self.members, self.pool = members, pool
        self.officials: dict[int, AsyncClient] = {}
        self.gate = asyncio.Semaphore(CONCURRENCY)

    async def official(self, number: int) -> AsyncClient:
        if number not in self.officials:
            self.officials[number] = await login(self.base, self.secret, f"official{number}")
        return self.officials[number]

    async def one(self, number: int) -> str:
        async with self.gate:
            chosen = random.Random(number).sample(range(self.pool), self.members)
            clients = [await self.official(n) for n in chosen]
            created = await clients[0].room_create(
                name=f"scale room {number}", preset=RoomPreset.public_chat
            )
            if not isinstance(created, RoomCreateResponse):
                raise RuntimeError(f"creating room {number} failed: {created}")
            room_id = created.room_id
            for client in clients[1:]:
                joined = await client.join(room_id)
                if not isinstance(joined, JoinResponse):
                    raise RuntimeError(f"joining {room_id} failed: {joined}")
            for client in clients[:MESSAGES]:
                await send_text(client, room_id, f"room {number}: notes from {client.user_id}")
            return room_id

    async def close(self) -> None:
        for client in self.officials.values():
            await client.close()


def bot_localpart(size: int) -> str:
    return f"scalebot{size}"


async def grow(base: str, secret: str, data: Path, rooms: int, members: int, pool: int) -> list:
    """Room ids (oldest first) up to `rooms`, creating the missing ones, and the bot account
    of this size joined to all of them."""
    made = await build(base, secret, data, rooms, members, pool)
    bot = await login(base, secret, bot_localpart(rooms))
    try:
        joined = await bot.joined_rooms()
        missing = sorted(set(made) - set(getattr(joined, "rooms", [])), key=made.index)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def join(room_id: str) -> None:
            async with gate:
                response = await bot.join(room_id)
                if not isinstance(response, JoinResponse):
                    raise RuntimeError(f"joining {room_id} failed: {response}")

        await asyncio.gather(*(join(room_id) for room_id in missing))
    finally:
        await bot.close()
    return made


async def build(base: str, secret: str, data: Path, rooms: int, members: int, pool: int) -> list:
    """Room ids (oldest first) up to `rooms`, creating the missing ones."""
    index_file = data / "rooms.json"
    made: list[str] = json.loads(index_file.read_text()) if index_file.exists() else []
    if len(made) >= rooms:
        return made[:rooms]
    builder = RoomBuilder(base, secret, members, pool)
    started, first = time.monotonic(), len(made)
    try:
        for start in range(len(made), rooms, 200):
            batch = range(start, min(rooms, start + 200))
            made += await asyncio.gather(*(builder.one(n) for n in batch))
            index_file.write_text(json.dumps(made))
            rate = (len(made) - first) / (time.monotonic() - started)
            print(f"   rooms: {len(made)} ({rate:.1f} rooms/s)", flush=True)
    finally:
        await builder.close()
    return made
