"""Government scale: Sotong in hundreds or thousands of rooms, against a bare nio client.

On one local Synapse (loopback only; its default SQLite database unless `--synapse-dir`
points at a PostgreSQL-configured one) this creates rooms with realistic membership
(`--members` officials drawn from a pool of `--pool`, a few messages each) up to each size
in `--rooms`, kept in `--data` so that a later run extends them instead of starting over.
At each size, in the same run:

* cold start: a fresh install (empty database) until its first answer to `!ping`;
* restart: Sotong stopped, one `!ping` sent in each of `--probes` rooms (the newest, last
  in the bot's sync), started again, until every probe is answered;
* the bare client: a matrix-nio client of the same account syncing the full state from the
  same position (what any client pays), timed;
* Sotong's RSS after the restart.

    .venv/bin/python bench/scale.py --rooms 500 2000 [--members 20] [--probes 6]

Prints figures and ratios, never asserts (the machine is shared: ratios are within a run).
Targets (issue #17): restart <= 1.5x the bare client's full-state sync; growth from the
smallest to the largest size <= 1.2x the rooms ratio; RSS <= 300 MB at 5,000 rooms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, RoomPreset, SyncResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.proc import rss_mb  # noqa: E402
from bot.dev.conversation import history, replies_by_target, send_text  # noqa: E402
from bot.dev.synapse import (  # noqa: E402
    default_synapse_venv,
    free_port,
    launch_homeserver,
    register_user,
)
from bot.sync import SYNC_FILTER  # noqa: E402

PASSWORD = "scale-password"
BOT = "scalebot"
BOT_ID = f"@{BOT}:localhost"
CONCURRENCY = 6


async def login(base: str, secret: str, localpart: str) -> AsyncClient:
    user_id = await register_user(base, secret, localpart, PASSWORD)
    client = AsyncClient(base, user_id)
    await client.login(PASSWORD)
    return client


async def grow(base: str, secret: str, data: Path, rooms: int, members: int, pool: int) -> list:
    """Rooms (ids, oldest first) up to `rooms`, creating the missing ones."""
    index_file = data / "rooms.json"
    made: list[str] = json.loads(index_file.read_text()) if index_file.exists() else []
    if len(made) >= rooms:
        return made[:rooms]
    officials: dict[int, AsyncClient] = {}

    async def official(number: int) -> AsyncClient:
        if number not in officials:
            officials[number] = await login(base, secret, f"official{number}")
        return officials[number]

    bot = await login(base, secret, BOT)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(number: int) -> str:
        async with gate:
            chosen = random.Random(number).sample(range(pool), members)
            clients = [await official(n) for n in chosen]
            created = await clients[0].room_create(
                name=f"scale room {number}",
                preset=RoomPreset.public_chat,
                invite=[c.user_id for c in clients[1:]] + [BOT_ID],
            )
            room_id = created.room_id
            for client in [*clients[1:], bot]:
                await client.join(room_id)
            for client in clients[:3]:
                await send_text(client, room_id, f"room {number}: notes from {client.user_id}")
            return room_id

    try:
        for start in range(len(made), rooms, 100):
            batch = range(start, min(rooms, start + 100))
            made += await asyncio.gather(*(one(n) for n in batch))
            index_file.write_text(json.dumps(made))
            print(f"   rooms: {len(made)}", flush=True)
    finally:
        for client in [bot, *officials.values()]:
            await client.close()
    return made


def start_sotong(base: str, work: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MATRIX_HOMESERVER": base,
        "MATRIX_USER_ID": BOT_ID,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{work / 'sotong.db'}",
        "ALLOWED_INVITERS": "localhost",
        "WEB_PORT": str(free_port()),
        "FLOOD_RATE": "0",
    }
    command = [sys.executable, "-m", "bot.cli.main", "--env-file", str(work / "none.env"), "run"]
    log = (work / "sotong.log").open("ab")
    return subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)


async def answered(client: AsyncClient, pings: dict[str, str], deadline: float) -> float:
    """Seconds until every ping (event id -> room id) has a reply from the bot."""
    started = time.monotonic()
    waiting = dict(pings)
    while waiting and time.monotonic() < deadline:
        for event_id, room_id in list(waiting.items()):
            events = await history(client, room_id, limit=20)
            if event_id in replies_by_target(events, BOT_ID):
                del waiting[event_id]
        await asyncio.sleep(0.1)
    if waiting:
        raise TimeoutError(f"{len(waiting)} probes unanswered")
    return time.monotonic() - started


async def bare_syncs(base: str, secret: str) -> tuple[float, float]:
    """A bare nio client of the bot's account, timed: its initial sync (what a fresh install
    needs), then a full-state sync from that position (what Sotong asks on a restart)."""
    client = await login(base, secret, BOT)
    try:
        started = time.monotonic()
        first = await client.sync(timeout=0, sync_filter=SYNC_FILTER)
        assert isinstance(first, SyncResponse), first
        initial = time.monotonic() - started
        started = time.monotonic()
        again = await client.sync(
            timeout=0, since=first.next_batch, full_state=True, sync_filter=SYNC_FILTER
        )
        assert isinstance(again, SyncResponse), again
        return initial, time.monotonic() - started
    finally:
        await client.close()


async def measure(base: str, secret: str, rooms: list[str], probes: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="sotong-scale-"))
    official = await login(base, secret, "official0")
    probe_rooms = rooms[-probes:]
    for room_id in probe_rooms:
        await official.join(room_id)
    try:
        process = start_sotong(base, work)
        started = time.monotonic()
        cold: float | None = None
        while cold is None and time.monotonic() - started < 600:
            event_id = await send_text(official, probe_rooms[0], "!ping")
            try:
                await answered(official, {event_id: probe_rooms[0]}, time.monotonic() + 2)
                cold = time.monotonic() - started
            except TimeoutError:
                pass
        process.terminate()
        process.wait(timeout=60)
        pings = {await send_text(official, r, "!ping"): r for r in probe_rooms}
        process = start_sotong(base, work)
        started = time.monotonic()
        await answered(official, pings, started + 600)
        restart = time.monotonic() - started
        rss = rss_mb(process.pid)
        process.terminate()
        process.wait(timeout=60)
        initial, bare = await bare_syncs(base, secret)
    finally:
        await official.close()
    cold_time = cold or float("nan")
    return {"cold": cold_time, "initial": initial, "restart": restart, "bare": bare, "rss": rss}


async def run(sizes: list[int], members: int, pool: int, probes: int, data: Path) -> None:
    data.mkdir(parents=True, exist_ok=True)
    server = await launch_homeserver(data / "synapse", default_synapse_venv(ROOT))
    base, secret = server.config.base_url, server.config.shared_secret
    for number in range(pool):
        await register_user(base, secret, f"official{number}", PASSWORD)
    results = {}
    for size in sizes:
        rooms = await grow(base, secret, data, size, members, pool)
        figures = await measure(base, secret, rooms, probes)
        results[size] = figures
        print(
            f"{size:>6} rooms: cold start {figures['cold']:.1f} s (bare initial sync "
            f"{figures['initial']:.1f} s, x{figures['cold'] / figures['initial']:.2f}); restart "
            f"{figures['restart']:.1f} s (bare full-state sync {figures['bare']:.1f} s, "
            f"x{figures['restart'] / figures['bare']:.2f}); RSS {figures['rss']:.0f} MB",
            flush=True,
        )
    if len(sizes) > 1:
        low, high = results[sizes[0]], results[sizes[-1]]
        print(
            f"growth {sizes[0]} -> {sizes[-1]} rooms (x{sizes[-1] / sizes[0]:.1f}): restart "
            f"x{high['restart'] / low['restart']:.1f}, bare x{high['bare'] / low['bare']:.1f}"
        )
    print(f"(Synapse kept running for the next run: pid {server.pid}, data in {data})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--pool", type=int, default=300)
    parser.add_argument("--probes", type=int, default=6)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "sotong-scale")
    args = parser.parse_args()
    asyncio.run(run(sorted(args.rooms), args.members, args.pool, args.probes, args.data))


if __name__ == "__main__":
    main()
