"""The `sotong provision` command: load and validate the plan, log in, provision, report."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.config import Settings
from bot.matrix import log_in, make_client
from bot.provision import Provisioner, ProvisionError, ProvisionReport, progress_bar
from commands.plan import PlanError, load_plan
from storage.db import Database
from storage.migrate import upgrade
from storage.plan_rooms import PlanRoomRepository
from storage.repositories import Repositories

EXIT_INVALID = 2


def print_report(report: ProvisionReport, dry_run: bool) -> None:
    verb = "would " if dry_run else ""
    if report.unchanged:
        print("변경 없음: 모든 방이 계획과 같습니다 / no changes: every room matches the plan")
        return
    for key in report.created:
        print(f"  + {verb}create {key}")
    for change in report.changes:
        print(f"  ~ {verb}{change.room_key}: {change.detail}")
    print(
        f"{len(report.created)} to create, {len(report.changes)} changes"
        + (" (dry run: nothing was changed)" if dry_run else "")
    )


async def run_provision(
    settings: Settings, plan_path: Path, dry_run: bool, prune: bool, data_dir: Path
) -> int:
    """Provision `plan_path`; exit status 2 for an invalid plan, 1 for a refused step."""
    try:
        plan = load_plan(plan_path)
    except PlanError as error:
        print(f"계획 파일 오류 / plan errors in {plan_path}:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    await asyncio.to_thread(upgrade, settings.database_url)
    db = Database(settings.database_url)
    client = make_client(settings, data_dir / "store", encryption=False)
    try:
        await log_in(client, settings, Repositories.over(db))
        provisioner = Provisioner(client, settings, plan, PlanRoomRepository(db))
        report = await provisioner.run(dry_run, prune, progress_bar)
    except ProvisionError as error:
        print(f"provisioning stopped: {error} — run again to resume", file=sys.stderr)
        return 1
    finally:
        await client.close()
        await db.close()
    print_report(report, dry_run)
    return 0
