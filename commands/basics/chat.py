"""Core commands: help, ping, status."""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Protocol

from commands.context import Context
from commands.errors import NotFound
from commands.framework import Arg, Command, Role, command
from commands.render import Notice, esc, shown

ROLE_NAMES = {
    Role.MEMBER: ("구성원", "member"),
    Role.CHAIR: ("의장", "chair"),
    Role.ADMIN: ("관리자", "admin"),
}


def package_version() -> str:
    try:
        return version("sotong")
    except PackageNotFoundError:
        return "dev"


def role_label(role: Role, lang: str) -> str:
    ko, en = ROLE_NAMES[role]
    return en if lang == "en" else ko


def _line(ctx: Context, cmd: Command) -> tuple[str, str]:
    words = ", ".join(f"{ctx.prefix}{w}" for w in cmd.aliases)
    alias = f" ({words})" if words else ""
    text = cmd.help.pick(ctx.lang)
    suffix = f" [{role_label(cmd.role, ctx.lang)}]" if cmd.role > Role.MEMBER else ""
    plain = f"{ctx.prefix}{cmd.name}{alias} — {text}{suffix}"
    rich = f"<code>{esc(ctx.prefix + cmd.name)}</code>{esc(alias)} — {esc(text + suffix)}"
    return plain, rich


def _overview(ctx: Context) -> Notice:
    title = ctx.t("소통 봇 명령어", "Sotong commands")
    lines = [_line(ctx, cmd) for cmd in ctx.registry.commands()]
    tip = ctx.t(f"자세한 사용법: {ctx.prefix}도움말 명령어", f"Details: {ctx.prefix}help COMMAND")
    body = "\n".join([title, *(plain for plain, _ in lines), tip])
    items = "".join(f"<li>{rich}</li>" for _, rich in lines)
    return Notice(body, f"<strong>{esc(title)}</strong><ul>{items}</ul><p>{esc(tip)}</p>")


def _detail(ctx: Context, cmd: Command) -> Notice:
    entries = [cmd, *dict.fromkeys(cmd.subcommands.values())]
    plain_lines: list[str] = []
    rich_lines: list[str] = []
    for entry in entries:
        usage = entry.usage(ctx.prefix, ctx.lang)
        text = entry.help.pick(ctx.lang)
        plain_lines.append(f"{usage} — {text}")
        rich_lines.append(f"<li><code>{esc(usage)}</code> — {esc(text)}</li>")
    return Notice("\n".join(plain_lines), f"<ul>{''.join(rich_lines)}</ul>")


@command(
    "help",
    aliases=("도움말", "도움"),
    args=(Arg("command", optional=True),),
    help_en="List commands, or show how to use one.",
    read_only=True,
)
async def help_command(ctx: Context, command: str | None) -> None:
    """명령어 목록을 보거나 한 명령어의 사용법을 봅니다."""
    if command is None:
        await ctx.reply(_overview(ctx))
        return
    found = ctx.registry.lookup(command.removeprefix(ctx.prefix))
    if found is None:
        raise NotFound(
            f"'{shown(command, 40)}' 명령어는 없습니다.",
            f"There is no command '{shown(command, 40)}'.",
        )
    await ctx.reply(_detail(ctx, found))


@command("ping", aliases=("핑",), help_en="Check that the bot answers.", read_only=True)
async def ping(ctx: Context) -> None:
    """봇이 응답하는지 확인합니다."""
    await ctx.reply("pong")


class IdentityView(Protocol):
    """The bot's identity as the runtime reports it (bot/identity.py IdentityState)."""

    @property
    def recovery_key_set(self) -> bool: ...

    @property
    def published(self) -> bool: ...

    @property
    def master_key(self) -> str | None: ...

    @property
    def device_signed(self) -> bool: ...

    @property
    def backup_version(self) -> str | None: ...

    @property
    def problem(self) -> str | None: ...


def _identity_rows(ctx: Context) -> list[tuple[str, str]]:
    """Admins' view: cross-signing published, this device signed, recovery key, backup."""
    state: IdentityView | None = getattr(ctx.runtime, "identity", None)
    trust = str(getattr(ctx.settings, "e2ee_trust", "allowlist"))
    yes, no = ctx.t("예", "yes"), ctx.t("아니오", "no")
    rows = [(ctx.t("방 키 공유 대상", "Room keys for"), trust)]
    if state is None:
        return [*rows, (ctx.t("교차 서명", "Cross-signing"), ctx.t("암호화 꺼짐", "no E2EE"))]
    published = (
        ctx.t(
            f"게시됨 (마스터 키 {state.master_key})", f"published (master key {state.master_key})"
        )
        if state.published
        else ctx.t("게시 안 됨", "not published")
    )
    backup = (
        ctx.t(
            f"서버에 버전 {state.backup_version} (봇은 쓰지 않음)",
            f"version {state.backup_version} on the server (the bot does not use it)",
        )
        if state.backup_version
        else ctx.t("꺼짐", "off")
    )
    rows += [
        (ctx.t("교차 서명", "Cross-signing"), published),
        (ctx.t("이 기기 서명", "This device signed"), yes if state.device_signed else no),
        (
            ctx.t("복구 키", "Recovery key"),
            ctx.t("설정됨", "set") if state.recovery_key_set else ctx.t("없음", "not set"),
        ),
        (ctx.t("키 백업", "Key backup"), backup),
    ]
    if state.problem:
        rows.append((ctx.t("문제", "Problem"), state.problem))
    return rows


def _age(now: datetime, then: datetime | None, lang: str) -> str:
    if then is None:
        return "-"
    seconds = max(0, int((now - then).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if lang == "en":
        return f"{hours}h {minutes}m {secs}s" if hours else f"{minutes}m {secs}s"
    return f"{hours}시간 {minutes}분 {secs}초" if hours else f"{minutes}분 {secs}초"


@command(
    "status",
    aliases=("상태",),
    help_en="Version, uptime, last sync and rooms joined; for admins also the bot's "
    "cross-signed identity.",
    read_only=True,
)
async def status(ctx: Context) -> None:
    """봇의 버전, 가동 시간, 마지막 동기화, 참여한 방 수를 보여 줍니다. 관리자에게는 봇의 교차 서명
    상태도 보여 줍니다."""
    now = ctx.clock()
    rooms = await ctx.repos.rooms.joined_count()
    rows = [
        (ctx.t("버전", "Version"), package_version()),
        (ctx.t("가동 시간", "Uptime"), _age(now, ctx.runtime.started_at, ctx.lang)),
        (
            ctx.t("마지막 동기화", "Last sync"),
            ctx.t(
                f"{_age(now, ctx.runtime.last_sync_at, 'ko')} 전",
                f"{_age(now, ctx.runtime.last_sync_at, 'en')} ago",
            ),
        ),
        (ctx.t("참여한 방", "Rooms joined"), str(rooms)),
    ]
    if ctx.sender in ctx.settings.admin_users:
        rows += _identity_rows(ctx)
    body = "\n".join(f"{k}: {v}" for k, v in rows)
    html = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in rows)
    await ctx.reply(Notice(body, f"<ul>{html}</ul>"))
