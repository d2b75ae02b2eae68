"""The `sotong provision` command: load and validate the plan, log in, provision, report.

Every failure is a short message on stderr and an exit status, never a traceback: 2 for an
invalid plan or refused credentials, 1 for an unreachable homeserver, an alias conflict or
a refused step.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from bot.cli.progress import ProgressBar
from bot.config import Settings
from bot.matrix import LoginFailed, log_in, make_client
from bot.provision import AliasConflict, Provisioner, ProvisionReport
from bot.provision_steps import GIVE_UP_AFTER, HomeserverUnreachable, PatientClient, ProvisionError
from commands.plan import Change, PlanError, load_plan
from storage.db import Database
from storage.migrate import upgrade
from storage.plan_rooms import PlanRoomRepository
from storage.repositories import Repositories

EXIT_INVALID = 2
EXIT_STOPPED = 1


def summary_line(report: ProvisionReport, dry_run: bool) -> str:
    """`만들 방 1개, 변경 2건 / 1 room to create, 2 changes`: counts that read naturally,
    the ones that are zero left out."""
    counts = (
        (len(report.created), "만들 방 {}개", "{} room to create", "{} rooms to create"),
        (len(report.changes), "변경 {}건", "{} change", "{} changes"),
        (len(report.retired), "계획에 없는 방 {}개", "{} room", "{} rooms"),
    )
    shown = [(n, ko, one if n == 1 else many) for n, ko, one, many in counts if n]
    ko = ", ".join(k.format(n) for n, k, _ in shown)
    en = ", ".join(e.format(n) for n, _, e in shown)
    if report.retired:
        en += " no longer in the plan"
    tail = " (시험 실행: 바뀐 것 없음 / dry run: nothing was changed)" if dry_run else ""
    return f"{ko} / {en}{tail}"


def report_lines(report: ProvisionReport, dry_run: bool) -> list[str]:
    """What was (or, in a dry run, would be) done, room by room: alias, name, invitations,
    changes, and the rooms whose task left the plan."""
    if report.unchanged:
        return ["변경 없음: 모든 방이 계획과 같습니다 / no changes: every room matches the plan"]
    verb = "would " if dry_run else ""
    lines: list[str] = []
    for room in report.created:
        lines.append(f"  + {verb}create {room.alias}  {room.name}")
        lines.append(f"      {verb}invite: {', '.join(room.invite) or '-'}")
    for key, changes in _by_room(report.changes):
        lines.append(f"  ~ {report.labels.get(key, key)}")
        lines.extend(f"      {verb}{change.detail}" for change in changes)
    for room in report.retired:
        if report.pruned:
            what = "would archive it" if dry_run else "archived"
        else:
            what = "kept as is; --prune archives it"
        lines.append(f"  - {room.alias}  {room.name}: 계획에 없음 / no longer in the plan ({what})")
    lines.append(summary_line(report, dry_run))
    return lines


def _by_room(changes: list[Change]) -> Iterator[tuple[str, list[Change]]]:
    grouped: dict[str, list[Change]] = {}
    for change in changes:
        grouped.setdefault(change.room_key, []).append(change)
    yield from grouped.items()


def explain(error: Exception, err: TextIO) -> int:
    """The one message and exit status for a provisioning that could not finish."""
    if isinstance(error, LoginFailed):
        print(f"로그인 실패 / login failed: {error}", file=err)
        return EXIT_INVALID
    if isinstance(error, HomeserverUnreachable):
        print(f"홈서버에 연결할 수 없습니다 / homeserver unreachable: {error}", file=err)
        return EXIT_STOPPED
    if isinstance(error, AliasConflict):
        print(
            "별칭이 봇이 관리할 수 없는 방에 이미 쓰이고 있어 아무것도 만들지 않았습니다 / "
            "aliases taken by rooms the bot cannot manage; nothing was created:",
            file=err,
        )
        for c in error.conflicts:
            print(f"  - {c.alias} → {c.room_id}: {c.reason}", file=err)
        print("  free these aliases, or give the plan another key", file=err)
        return EXIT_STOPPED
    print(f"provisioning stopped: {error} — run again to resume", file=err)
    return EXIT_STOPPED


async def run_provision(
    settings: Settings,
    plan_path: Path,
    dry_run: bool,
    prune: bool,
    data_dir: Path,
    *,
    give_up_after: float = GIVE_UP_AFTER,
    err: TextIO | None = None,
) -> int:
    """Provision `plan_path`, progress and errors on `err` (stderr), the report on stdout."""
    err = err or sys.stderr
    try:
        plan = load_plan(plan_path)
    except PlanError as error:
        print(f"계획 파일 오류 / plan errors in {plan_path}:", file=err)
        for problem in error.problems:
            print(f"  - {problem}", file=err)
        return EXIT_INVALID
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    client = make_client(settings, data_dir / "store", encryption=False, kind=PatientClient)
    client.give_up_after = give_up_after
    bar = ProgressBar(err)
    try:
        await log_in(client, settings, Repositories.over(db))
        provisioner = Provisioner(client, settings, plan, PlanRoomRepository(db))
        report = await provisioner.run(dry_run, prune, bar)
    except (LoginFailed, ProvisionError) as error:
        bar.end()
        return explain(error, err)
    finally:
        bar.end()
        await client.close()
        await db.close()
    for line in report_lines(report, dry_run):
        print(line)
    return 0
