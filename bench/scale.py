"""Government scale: Sotong in hundreds or thousands of rooms, against a bare nio client.

On one local Synapse (loopback only) on PostgreSQL, as a deployment runs it (`--sqlite` for
Synapse's default SQLite), this creates rooms with realistic membership (`--members`
officials drawn from a pool of `--pool`, a few messages each) up to each size in `--rooms`,
kept in `--data` so that a later run extends them instead of starting over. Sotong keeps its
own database in the same cluster (a fresh one per size). At each size, in the same run:

* cold start: a fresh install (empty database) until its first answer to `!ping`;
* restart: Sotong stopped, one `!ping` sent in each of `--probes` rooms (the newest, last
  in the bot's sync), started again, until every probe is answered;
* the bare client: a matrix-nio client of the same account, its initial sync and a
  full-state sync from that position (what any client pays), timed;
* Sotong's RSS, its CPU per idle second and per sync carrying one ordinary message, and the
  latency of `!ping` (p50/p95 of `--pings`) while it is in every room.

    .venv/bin/python bench/scale.py --rooms 500 2000 5000 [--members 20] [--probes 6]

Prints figures and ratios, never asserts (the machine is shared: ratios are within a run).
Targets (issue #17): restart <= 1.5x the bare client's full-state sync at every size; growth
from 500 to 5,000 rooms <= 12x; RSS <= 300 MB at 5,000 rooms; `!ping` latency growth <= 1.1x.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nio import AsyncClient, SyncResponse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.latency import Official, percentiles  # noqa: E402
from bench.proc import cpu_seconds, rss_mb  # noqa: E402
from bench.scale_rooms import PASSWORD, bot_localpart, build, grow, login  # noqa: E402
from bench.synapse_pg import KeptCluster, ensure_psycopg2, point_synapse_at  # noqa: E402
from bot.dev.conversation import history, replies_by_target, send_text  # noqa: E402
from bot.dev.synapse import default_synapse_venv, free_port, launch_homeserver  # noqa: E402
from bot.sync import SYNC_FILTER  # noqa: E402

IDLE_SECONDS = 15.0
MESSAGES = 20


def start_sotong(base: str, bot: str, work: Path, database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "MATRIX_HOMESERVER": base,
        "MATRIX_USER_ID": f"@{bot}:localhost",
        "MATRIX_PASSWORD": PASSWORD,
        "DATABASE_URL": database_url,
        "ALLOWED_INVITERS": "localhost",
        "WEB_PORT": str(free_port()),
        "FLOOD_RATE": "0",
    }
    command = [sys.executable, "-m", "bot.cli.main", "--env-file", str(work / "none.env"), "run"]
    log = (work / "sotong.log").open("ab")
    return subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)


async def answered(client: AsyncClient, bot: str, pings: dict[str, str], deadline: float) -> float:
    """Seconds until every ping (event id -> room id) has a reply from the bot."""
    started = time.monotonic()
    waiting = dict(pings)
    while waiting and time.monotonic() < deadline:
        for event_id, room_id in list(waiting.items()):
            events = await history(client, room_id, limit=20)
            if event_id in replies_by_target(events, f"@{bot}:localhost"):
                del waiting[event_id]
        await asyncio.sleep(0.05)
    if waiting:
        raise TimeoutError(f"{len(waiting)} probes unanswered")
    return time.monotonic() - started


async def bare_syncs(base: str, secret: str, bot: str) -> tuple[float, float]:
    """A bare nio client of the bot's account, timed: its initial sync (what a fresh install
    needs), then a full-state sync from that position (what a client without a store pays)."""
    client = await login(base, secret, bot)
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


async def cold_start(official: AsyncClient, bot: str, room_id: str, started: float) -> float:
    """Seconds from `started` until a fresh install answers a `!ping` in `room_id`."""
    while time.monotonic() - started < 1800:
        event_id = await send_text(official, room_id, "!ping")
        try:
            await answered(official, bot, {event_id: room_id}, time.monotonic() + 2)
            return time.monotonic() - started
        except TimeoutError:
            pass
    return float("nan")


async def ping_latency(official: AsyncClient, room_id: str, pings: int) -> tuple[float, float]:
    """p50 and p95 of `!ping` round trips (ms), seen in the official's own sync."""
    prober = Official(official)
    syncing = asyncio.create_task(official.sync_forever(timeout=30_000))
    try:
        await asyncio.sleep(1.0)
        samples = [await prober.ping(room_id, timeout=600) for _ in range(pings)]
    finally:
        official.stop_sync_forever()
        syncing.cancel()
    p50, p95, _ = percentiles(samples)
    return p50, p95


async def floor_latency(
    base: str, bot: str, official: AsyncClient, room_id: str, pings: int
) -> tuple[float, float]:
    """The same, answered by the barest nio echo bot (bench/floor_echo.py) of the same
    account in the same rooms: what the homeserver's own cost per command is at this size."""
    script = ROOT / "bench" / "floor_echo.py"
    process = subprocess.Popen([sys.executable, str(script), base, f"@{bot}:localhost", PASSWORD])
    try:
        await cold_start(official, bot, room_id, time.monotonic())  # its initial sync is done
        return await ping_latency(official, room_id, pings)
    finally:
        process.terminate()
        process.wait(timeout=60)


async def running_costs(pid: int, official: AsyncClient, room_id: str, pings: int) -> dict:
    """Idle CPU, CPU per ordinary message, `!ping` latency: Sotong settled in every room."""
    before = cpu_seconds(pid)
    await asyncio.sleep(IDLE_SECONDS)
    idle = 1000 * (cpu_seconds(pid) - before) / IDLE_SECONDS
    before = cpu_seconds(pid)
    for number in range(MESSAGES):
        await send_text(official, room_id, f"an ordinary message {number}")
        await asyncio.sleep(0.25)
    await asyncio.sleep(1.0)
    message_cpu = (1000 * (cpu_seconds(pid) - before) - idle * (MESSAGES * 0.25 + 1)) / MESSAGES
    p50, p95 = await ping_latency(official, room_id, pings)
    return {"idle": idle, "message": message_cpu, "p50": p50, "p95": p95}


async def measure(
    base: str, secret: str, rooms: list[str], probes: int, pings: int, database_url: str
) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="sotong-scale-"))
    bot = bot_localpart(len(rooms))
    official = await login(base, secret, "official0")
    probe_rooms = rooms[-probes:]
    for room_id in probe_rooms:
        await official.join(room_id)
    try:
        process = start_sotong(base, bot, work, database_url)
        cold = await cold_start(official, bot, probe_rooms[0], time.monotonic())
        cold_peak = rss_mb(process.pid, "VmHWM")
        process.terminate()
        process.wait(timeout=120)
        pings_sent = {await send_text(official, r, "!ping"): r for r in probe_rooms}
        process = start_sotong(base, bot, work, database_url)
        started = time.monotonic()
        await answered(official, bot, pings_sent, started + 1800)
        restart = time.monotonic() - started
        restart_cpu = cpu_seconds(process.pid)
        costs = await running_costs(process.pid, official, probe_rooms[0], pings)
        rss = rss_mb(process.pid)
        process.terminate()
        process.wait(timeout=120)
        initial, bare = await bare_syncs(base, secret, bot)
        floor_p50, floor_p95 = await floor_latency(base, bot, official, probe_rooms[0], pings)
    finally:
        await official.close()
    return {
        "cold": cold, "initial": initial, "restart": restart, "bare": bare, "rss": rss,
        "restart_cpu": restart_cpu, "cold_peak": cold_peak, **costs,
        "floor_p50": floor_p50, "floor_p95": floor_p95,
    }  # fmt: skip


def report(size: int, f: dict[str, float]) -> None:
    print(
        f"{size:>6} rooms: cold start {f['cold']:.1f} s (bare initial sync {f['initial']:.1f} s,"
        f" x{f['cold'] / f['initial']:.2f}); restart {f['restart']:.1f} s (bare full-state sync"
        f" {f['bare']:.1f} s, x{f['restart'] / f['bare']:.2f}; {f['restart_cpu']:.1f} s CPU);"
        f" RSS {f['rss']:.0f} MB (peak in the cold start {f['cold_peak']:.0f} MB);"
        f" idle {f['idle']:.1f} ms CPU/s; {f['message']:.1f} ms CPU per ordinary message;"
        f" !ping p50 {f['p50']:.0f} ms, p95 {f['p95']:.0f} ms (bare echo bot of the same"
        f" account {f['floor_p50']:.0f} / {f['floor_p95']:.0f} ms)",
        flush=True,
    )


def growth(sizes: list[int], results: dict[int, dict[str, float]]) -> None:
    low, high = results[sizes[0]], results[sizes[-1]]
    print(
        f"growth {sizes[0]} -> {sizes[-1]} rooms (x{sizes[-1] / sizes[0]:.1f}): restart "
        f"x{high['restart'] / low['restart']:.1f} (bare x{high['bare'] / low['bare']:.1f}), "
        f"cold start x{high['cold'] / low['cold']:.1f}, RSS x{high['rss'] / low['rss']:.2f} "
        f"(cold peak x{high['cold_peak'] / low['cold_peak']:.2f}), "
        f"!ping p50 x{high['p50'] / low['p50']:.2f}, p95 x{high['p95'] / low['p95']:.2f} "
        f"(bare echo bot x{high['floor_p50'] / low['floor_p50']:.2f}, "
        f"x{high['floor_p95'] / low['floor_p95']:.2f})"
    )


async def run(args: argparse.Namespace) -> None:
    data: Path = args.data
    data.mkdir(parents=True, exist_ok=True)
    venv = default_synapse_venv(ROOT)
    cluster = KeptCluster(data / "pg")
    cluster.up()
    if not args.sqlite:
        ensure_psycopg2(venv)
        point_synapse_at(data / "synapse", cluster)
    server = await launch_homeserver(data / "synapse", venv)
    base, secret = server.config.base_url, server.config.shared_secret
    sizes = sorted(args.rooms)
    if args.build_only:
        await build(base, secret, data, sizes[-1], args.members, args.pool)
        return
    results = {}
    for size in sizes:
        rooms = await grow(base, secret, data, size, args.members, args.pool)
        database_url = cluster.new_database()
        results[size] = await measure(base, secret, rooms, args.probes, args.pings, database_url)
        report(size, results[size])
    if len(sizes) > 1:
        growth(sizes, results)
    print(f"(Synapse and PostgreSQL kept running for the next run: data in {data})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, nargs="+", default=[500, 2000, 5000])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--pool", type=int, default=300)
    parser.add_argument("--probes", type=int, default=6)
    parser.add_argument("--pings", type=int, default=30)
    parser.add_argument("--build-only", action="store_true", help="only create the rooms")
    parser.add_argument("--sqlite", action="store_true", help="Synapse on SQLite instead")
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "sotong-scale")
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
