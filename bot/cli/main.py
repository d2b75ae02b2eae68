"""The `sotong` command line: run, check-config, status, recovery-key, db upgrade, dev, say."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path
from typing import Any

from bot.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def _settings_or_exit(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except ConfigError as error:
        print("설정 오류 / configuration errors:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        print(
            f"See .env.example; settings are read from the environment and {env_file}.",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_CONFIG) from None


def setup_logging(level: str = "INFO", fmt: str = "kv") -> None:
    """Structured lines, logfmt (`kv`) or JSON, with a command's reference id as `ref`
    (bot/logfmt.py); nio's request logs stay quiet so tokens never reach the log."""
    from bot.logfmt import FORMATTERS

    handler = logging.StreamHandler()
    handler.setFormatter(FORMATTERS[fmt]())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("nio", "aiohttp.access", "peewee", "alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # nio's schema check warns about state-event responses that carry no room_id (Synapse
    # returns only the event id): not a fault, and one line per provisioned room otherwise.
    logging.getLogger("nio.responses").setLevel(logging.ERROR)


def cmd_run(args: argparse.Namespace) -> int:
    from bot.app import run_until_signalled
    from bot.leadership import AlreadyRunning
    from commands.plan import PlanError

    settings = _settings_or_exit(args.env_file)
    try:
        asyncio.run(run_until_signalled(settings))
    except AlreadyRunning as error:
        print(f"이미 실행 중입니다 / already running: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except PlanError as error:
        print(f"계획 파일 오류 / plan errors in {settings.plan_file}:", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = _settings_or_exit(args.env_file)
    print("설정이 올바릅니다 / configuration is valid:")
    for key, value in settings.masked().items():
        print(f"  {key} = {value}")
    if settings.recovery_key:
        print("SOTONG_RECOVERY_KEY: 설정됨 / set (the bot's device will be cross-signed)")
    else:
        print(
            "SOTONG_RECOVERY_KEY: 없음 / not set: the bot's device will not be cross-signed, and "
            "clients that exclude insecure devices cannot read it (`sotong recovery-key`)"
        )
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from bot.cli.status import show_status

    return asyncio.run(show_status(_settings_or_exit(args.env_file)))


def cmd_recovery_key(args: argparse.Namespace) -> int:
    from bot.secret_storage import new_recovery_key

    print(new_recovery_key())
    print(
        "SOTONG_RECOVERY_KEY로 설정하고 안전한 곳에 보관하세요 / set it as SOTONG_RECOVERY_KEY "
        "and keep a copy somewhere safe: without it the bot's identity cannot be recovered",
        file=sys.stderr,
    )
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import current_revision, upgrade

    settings = _settings_or_exit(args.env_file)
    upgrade(settings.database_url)
    print(f"database at revision {current_revision(settings.database_url)}")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    from bot.dev.setup import dev_down, dev_up

    if args.stop:
        return asyncio.run(dev_down(Path.cwd()))
    return asyncio.run(dev_up(Path.cwd(), args.env_file))


def cmd_provision(args: argparse.Namespace) -> int:
    from bot.cli.provision import run_provision

    settings = _settings_or_exit(args.env_file)
    run = run_provision(
        settings, args.plan, args.dry_run, args.prune, Path("data"), give_up_after=args.give_up
    )
    return asyncio.run(run)


def cmd_say(args: argparse.Namespace) -> int:
    from bot.cli.say import say

    return asyncio.run(say(Path.cwd(), args.user, args.room, args.text, args.timeout))


def cmd_export(args: argparse.Namespace) -> int:
    from bot.cli.export import export_to_file

    return asyncio.run(export_to_file(_settings_or_exit(args.env_file), args))


def _add_export(sub: Any) -> None:
    export = sub.add_parser("export", help="write the records of a WG or the whole plan to a file")
    scope = export.add_mutually_exclusive_group(required=True)
    scope.add_argument("--plan", action="store_true", help="the whole plan (PLAN_FILE)")
    scope.add_argument(
        "--room", help="a room id (!…), a plan room's alias (#gov3-core-01:server) or a key"
    )
    export.add_argument("--from", dest="start", help="first day, e.g. 2026-11-01")
    export.add_argument("--to", dest="end", help="last day (included)")
    export.add_argument("--format", choices=("md", "csv", "json"), default="json")
    export.add_argument("--out", required=True, help="output file, or - for stdout")
    export.set_defaults(func=cmd_export)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sotong", description="Sotong (소통) Matrix bot")
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="default: .env")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--log-format", choices=("kv", "json"), default="kv")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the bot (upgrades the database first)").set_defaults(
        func=cmd_run
    )
    sub.add_parser(
        "check-config", help="print the effective settings, secrets masked"
    ).set_defaults(func=cmd_check_config)
    sub.add_parser(
        "status", help="the bot's cross-signed identity (exit 1 if its device is not signed)"
    ).set_defaults(func=cmd_status)
    sub.add_parser(
        "recovery-key", help="print a new recovery key for SOTONG_RECOVERY_KEY"
    ).set_defaults(func=cmd_recovery_key)
    db = sub.add_parser("db", help="database tasks").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="run migrations").set_defaults(func=cmd_db_upgrade)
    dev = sub.add_parser("dev", help="start a local Synapse with demo users, write a dev .env")
    dev.add_argument("--stop", action="store_true", help="stop the local Synapse instead")
    dev.set_defaults(func=cmd_dev)
    provision = sub.add_parser("provision", help="create or reconcile the plan's rooms")
    provision.add_argument("plan", type=Path, help="plan file, e.g. plans/gov3.toml")
    provision.add_argument("--dry-run", action="store_true", help="print the changes only")
    provision.add_argument(
        "--prune",
        action="store_true",
        help="also remove unplanned members and archive rooms whose task left the plan",
    )
    provision.add_argument(
        "--give-up-after",
        dest="give_up",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="stop when the homeserver does not answer for this long (default 60)",
    )
    provision.set_defaults(func=cmd_provision)
    say = sub.add_parser("say", help="send a message as a demo user and print the bot's reply")
    say.add_argument(
        "--as", dest="user", required=True, help="demo user, e.g. kim or @kim:localhost"
    )
    say.add_argument("room", help="room alias or id, e.g. '#demo:localhost'")
    say.add_argument("text", help='the message, e.g. "!help"')
    say.add_argument("--timeout", type=float, default=20.0)
    say.set_defaults(func=cmd_say)
    _add_export(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.log_level, args.log_format)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
