"""`sotong export`: the records export of `!export`, written to a file from the command line
(for archivists and disclosure requests, without going through the chat)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from commands.errors import CommandError
from commands.export import (
    ExportScope,
    day_range,
    gather_export,
    plan_scope,
    render_export,
    room_names,
    scope_of_room,
    wg_scope,
)
from commands.plan import Plan, load_plan
from storage.db import Database
from storage.repositories import Repositories

EXIT_USAGE = 2


async def _scope(
    repos: Repositories, plan: Plan | None, whole: bool, room: str | None
) -> ExportScope | None:
    """`--plan`: the whole plan; `--room !id` or `--room #alias`: that room's WG (the whole
    plan for the committee room, else the room); `--room key`: the WG of a core task."""
    if whole:
        return await plan_scope(repos, plan) if plan else None
    if room and room.startswith("#"):
        room = await _room_of_alias(repos, plan, room)
        if room is None:
            return None
    if room and room.startswith("!"):
        return await scope_of_room(repos, plan, room)
    return await wg_scope(repos, plan, room or "") if plan else None


async def _room_of_alias(repos: Repositories, plan: Plan | None, alias: str) -> str | None:
    """The room id of one of the plan's rooms by its alias, with or without the server part
    (the aliases provisioning gave them, as the plan_rooms table keeps them)."""
    if plan is None:
        return None
    for record in (await repos.plan_rooms.all(plan.key)).values():
        if alias in (record.alias, record.alias.split(":", 1)[0]):
            return record.room_id
    return None


async def export_to_file(settings: Settings, args: argparse.Namespace) -> int:
    """Gather, render and write the export; 2 for a bad scope or dates."""
    plan = load_plan(Path(settings.plan_file)) if settings.plan_file else None
    db = Database(settings.database_url)
    repos = Repositories.over(db)
    now = datetime.now(UTC)
    try:
        scope = await _scope(repos, plan, args.plan, args.room)
        if scope is None:
            wanted = args.room or "--plan"
            print(
                f"범위를 찾을 수 없습니다 / no such plan, room or WG key: {wanted}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        try:
            since, until = day_range(args.start, args.end, now, settings.timezone)
        except CommandError as error:
            print(f"{error.ko} / {error.en}", file=sys.stderr)
            return EXIT_USAGE
        data = await gather_export(repos, plan, scope, now=now, since=since, until=until)
        names = await room_names(repos, plan)
        _name, blob, _mime = render_export(data, args.format, settings.timezone, names)
    finally:
        await db.close()
    if str(args.out) == "-":
        sys.stdout.buffer.write(blob)
    else:
        Path(args.out).write_bytes(blob)
        print(f"{args.out}: {len(blob):,} bytes ({scope.name})", file=sys.stderr)
    return 0
