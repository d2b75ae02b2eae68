"""Command round-trip latency: Sotong vs a bare matrix-nio echo bot, on one local Synapse.

Both bots run as their own processes against the same throw-away Synapse (loopback only);
Sotong runs as a deployment does (default log level, web server, scheduler, a plan loaded).
Officials' clients keep a long-poll sync open and time each `!ping` from send to the
reply's arrival. Sequential pings go to the bots in blocks of `--block` (10, as the peer
benchmark in ../shared/peer-bench does), the first bot of each block pair chosen at random,
so both see the same server conditions; then each bot gets a burst of commands from several
officials at once.

Blocks, not strict alternation: a bot's work after its reply (its own reply arriving in its
sync, bookkeeping) overlaps the next ping. Alternating bots, that work lands on the *other*
bot's ping; the earlier version of this bench alternated and so reported Sotong at 1.04x the
floor while the peer benchmark, in blocks, measured 1.14-1.19x. Bot and Synapse CPU time
per command come from /proc, counted over each bot's own blocks.

The rounds rotate over `--groups` groups of officials, each group with a room per bot.
Synapse wakes a room's waiting syncs in an order fixed for the life of its objects, so
where a bot's sync falls among the officials' shifts its "ping → sync" leg by a few ms for
a whole run; separate groups average over that order instead of drawing it once (the
per-group ratios are printed too).

    .venv/bin/python bench/latency.py [--rounds 200] [--block 10] [--burst 200] [--users 4]

Prints p50/p95/p99 per bot, the Sotong/floor ratios, bot and Synapse CPU ms per command,
and how many burst commands each answered. Targets (issue #17): p50 ratio <= 1.05, p95 <=
1.10, bot CPU <= 4 ms per `!ping`, Synapse CPU per reply <= the floor's + 10 %, every burst
command answered.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, RoomMessageNotice

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.proc import CpuMeter  # noqa: E402
from bot.dev.conversation import (  # noqa: E402
    history,
    replies_by_target,
    send_text,
    wait_membership,
)
from bot.dev.synapse import (  # noqa: E402
    default_synapse_venv,
    free_port,
    launch_homeserver,
    register_user,
)

PASSWORD = "bench-password"


class Official:
    """A client that long-polls sync and timestamps every reply by the event it answers."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.arrivals: dict[str, float] = {}
        self.waiters: dict[str, asyncio.Future[float]] = {}
        client.add_event_callback(self._on_notice, RoomMessageNotice)

    async def _on_notice(self, _room: object, event: RoomMessageNotice) -> None:
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        target = (relation.get("m.in_reply_to") or {}).get("event_id")
        if target:
            now = time.perf_counter()
            self.arrivals.setdefault(target, now)
            waiter = self.waiters.pop(target, None)
            if waiter and not waiter.done():
                waiter.set_result(now)

    async def ping(self, room_id: str, timeout: float = 30.0) -> float:
        """One round trip in milliseconds."""
        started = time.perf_counter()
        response = await self.client.room_send(
            room_id, "m.room.message", {"msgtype": "m.text", "body": "!ping"}
        )
        event_id = response.event_id
        if event_id in self.arrivals:
            return (self.arrivals[event_id] - started) * 1000
        waiter = asyncio.get_running_loop().create_future()
        self.waiters[event_id] = waiter
        arrived = await asyncio.wait_for(waiter, timeout)
        return (arrived - started) * 1000


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


async def make_user(base: str, secret: str, localpart: str) -> AsyncClient:
    user_id = await register_user(base, secret, localpart, PASSWORD)
    client = AsyncClient(base, user_id)
    await client.login(PASSWORD)
    return client


def start_floor(base: str, user_id: str) -> subprocess.Popen[bytes]:
    script = ROOT / "bench" / "floor_echo.py"
    return subprocess.Popen([sys.executable, str(script), base, user_id, PASSWORD])


def start_sotong(base: str, user_id: str, work: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MATRIX_HOMESERVER": base,
        "MATRIX_USER_ID": user_id,
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": f"sqlite:///{work / 'sotong.db'}",
        "ALLOWED_INVITERS": user_id.split(":", 1)[1],
        "WEB_PORT": str(free_port()),
        "FLOOD_RATE": "0",
        "PLAN_FILE": str(ROOT / "plans" / "gov3.toml"),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli.main",
            "--env-file",
            str(work / "none.env"),
            "run",
        ],
        cwd=work,
        env=env,
    )


async def sync_forever(client: AsyncClient) -> None:
    await client.sync(timeout=0)
    await client.sync_forever(timeout=30_000)


async def burst(
    officials: list[Official], room_id: str, bot_id: str, total: int, timeout: float = 60.0
) -> tuple[int, list[float]]:
    """`total` pings spread over the officials, sent at once; then the room's history is
    read back (a sync would itself be `limited` under a burst) to count the replies.
    Latency here is the reply's server timestamp minus the ping's."""
    per_user = total // len(officials)

    async def sends(official: Official) -> list[str]:
        return list(
            await asyncio.gather(
                *(send_text(official.client, room_id, "!ping") for _ in range(per_user))
            )
        )

    pings = [e for batch in await asyncio.gather(*(sends(o) for o in officials)) for e in batch]
    deadline = time.monotonic() + timeout
    while True:
        events = await history(officials[0].client, room_id, limit=4 * total + 100)
        replies = replies_by_target(events, bot_id)
        if all(p in replies for p in pings) or time.monotonic() > deadline:
            break
        await asyncio.sleep(1.0)
    stamps = {e["event_id"]: e["origin_server_ts"] for e in events}
    latencies = [
        float(replies[p][0]["origin_server_ts"] - stamps[p])
        for p in pings
        if p in replies and p in stamps
    ]
    return sum(1 for p in pings if p in replies), latencies


def report(name: str, samples: list[float]) -> tuple[float, float, float]:
    p50, p95, p99 = percentiles(samples)
    print(f"{name:>8}: n={len(samples)} p50={p50:.1f} ms p95={p95:.1f} ms p99={p99:.1f} ms")
    return p50, p95, p99


async def make_group(
    base: str, secret: str, group: int, users: int, bots: dict[str, str]
) -> tuple[list[Official], dict[str, str]]:
    """`users` new officials and, per bot, a room of theirs with the bot in it."""
    clients = [await make_user(base, secret, f"official{group}x{i}") for i in range(users)]
    rooms = {}
    for name, bot_id in bots.items():
        created = await clients[0].room_create(
            name=f"bench {name} {group}", invite=[c.user_id for c in clients[1:]] + [bot_id]
        )
        for client in clients[1:]:
            await client.join(created.room_id)
        rooms[name] = created.room_id
    return [Official(c) for c in clients], rooms


async def sequential(
    made: list[tuple[list[Official], dict[str, str]]],
    rounds: int,
    block: int,
    meters: dict[str, tuple[CpuMeter, CpuMeter]],
) -> list[dict[str, list[float]]]:
    """`rounds` pings per bot, in blocks of `block` per bot; each block pair goes to the next
    group, its first bot drawn at random. CPU is counted over each bot's own blocks."""
    samples: list[dict[str, list[float]]] = [{name: [] for name in meters} for _ in made]
    order = list(meters)
    for index in range(-(-rounds // block)):
        group = index % len(made)
        officials, rooms = made[group]
        random.shuffle(order)
        for name in order:
            count = min(block, rounds - index * block)
            for meter in meters[name]:
                meter.start()
            for _ in range(count):
                samples[group][name].append(await officials[0].ping(rooms[name]))
            for meter in meters[name]:
                meter.stop()
    return samples


def summarise(
    samples: list[dict[str, list[float]]], meters: dict[str, tuple[CpuMeter, CpuMeter]]
) -> None:
    """Latency percentiles, CPU per command and the Sotong/floor ratios."""
    figures = {}
    for name, (bot_cpu, synapse_cpu) in meters.items():
        flat = [x for s in samples for x in s[name]]
        figures[name] = report(name, flat)
        print(
            f"{'':>10}bot CPU {bot_cpu.per(len(flat)):.2f} ms/cmd, "
            f"Synapse CPU {synapse_cpu.per(len(flat)):.2f} ms/cmd"
        )
    floor, sotong = figures["floor"], figures["sotong"]
    print(
        f"   ratio: p50={sotong[0] / floor[0]:.3f} p95={sotong[1] / floor[1]:.3f} "
        f"p99={sotong[2] / floor[2]:.3f}  (targets: p50<=1.05, p95<=1.10)"
    )
    cpu = {name: (b.total, s.total) for name, (b, s) in meters.items()}
    print(
        f"   CPU ratio: bot={cpu['sotong'][0] / max(cpu['floor'][0], 1e-9):.2f} "
        f"synapse={cpu['sotong'][1] / max(cpu['floor'][1], 1e-9):.2f}  "
        "(targets: bot <= 4 ms/cmd, synapse <= 1.10)"
    )
    by_group = [statistics.median(s["sotong"]) / statistics.median(s["floor"]) for s in samples]
    print("   p50 ratio by group: " + " ".join(f"{r:.3f}" for r in by_group))


async def run(rounds: int, block: int, burst_size: int, users: int, groups: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="sotong-bench-"))
    server = await launch_homeserver(
        work / "synapse", default_synapse_venv(ROOT), reuse_running=False
    )
    base, secret = server.config.base_url, server.config.shared_secret
    bot_ids = {
        "floor": await register_user(base, secret, "floor", PASSWORD),
        "sotong": await register_user(base, secret, "sotong", PASSWORD),
    }
    processes = [start_floor(base, bot_ids["floor"]), start_sotong(base, bot_ids["sotong"], work)]
    made = [await make_group(base, secret, g, users, bot_ids) for g in range(groups)]
    syncers = [
        asyncio.create_task(sync_forever(o.client)) for officials, _ in made for o in officials
    ]
    try:
        for officials, rooms in made:
            for name, room_id in rooms.items():
                client = officials[0].client
                await wait_membership(client, room_id, bot_ids[name], "join", timeout=30)
        await asyncio.sleep(2.0)
        for officials, rooms in made:
            for room_id in rooms.values():
                for _ in range(5):
                    await officials[0].ping(room_id)
        meters = {
            name: (CpuMeter(process.pid), CpuMeter(server.pid or 0))
            for name, process in zip(bot_ids, processes, strict=True)
        }
        samples = await sequential(made, rounds, block, meters)
        summarise(samples, meters)
        officials, rooms = made[0]
        for name, bot_id in bot_ids.items():
            answered, latencies = await burst(officials, rooms[name], bot_id, burst_size)
            tail = f", p50={percentiles(latencies)[0]:.0f} ms" if len(latencies) > 2 else ""
            print(f"   burst {name}: {answered}/{burst_size} answered from {users} users{tail}")
    finally:
        for task in syncers:
            task.cancel()
        for process in processes:
            process.terminate()
            process.wait(timeout=15)
        for officials, _ in made:
            for official in officials:
                await official.client.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--block", type=int, default=10, help="pings per bot in a row")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--groups", type=int, default=4)
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.block, args.burst, args.users, args.groups))


if __name__ == "__main__":
    main()
