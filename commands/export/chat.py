"""`!export` / `!내보내기`: the records of a working group (or, in the committee room, of the
whole plan) as a file posted to the room — Markdown, CSV or JSON — as a reply to the command,
after the counts (so the first answer a client shows is the summary, and the file is found
from the command that asked for it).

The same gathering and rendering serve `sotong export` on the command line (`bot.cli.export`).
Rendering a large export is CPU work and runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import UserInputError
from commands.export.data import RecordsExport, gather_export, scope_of_room
from commands.export.json_format import write_export
from commands.export.text_formats import to_csv, to_markdown
from commands.framework import Arg, Role, command
from commands.plan import COMMITTEE_KEY, Plan
from commands.when import parse_when
from storage.repositories import Repositories

FORMATS = {"md": "text/markdown", "csv": "text/csv", "json": "application/json"}
ALIASES = {"markdown": "md", "마크다운": "md", "엑셀": "csv", "excel": "csv"}


def export_format(raw: str) -> str:
    """The converter of `--format`: md, csv or json."""
    word = raw.strip().lower()
    word = ALIASES.get(word, word)
    if word not in FORMATS:
        raise UserInputError(
            f"형식은 md, csv, json 중 하나입니다: '{raw}'", f"Format is md, csv or json: '{raw}'"
        )
    return word


def render_export(
    export: RecordsExport, fmt: str, tz: str, rooms: dict[str, str] | None = None
) -> tuple[str, bytes, str]:
    """(file name, content, MIME type) of the export in format `fmt`."""
    stamp = export.generated_at.astimezone(ZoneInfo(tz)).strftime("%Y%m%d-%H%M")
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in export.scope.name.lstrip("!"))
    name = f"sotong-records-{safe[:60]}-{stamp}.{fmt}"
    if fmt == "json":
        data = write_export(export).encode("utf-8")
    elif fmt == "csv":
        data = to_csv(export, tz)
    else:
        data = to_markdown(export, tz, rooms)
    return name, data, FORMATS[fmt]


async def room_names(repos: Repositories, plan: Plan | None) -> dict[str, str]:
    """Room id → `핵심과제 1 선제적 맞춤형 서비스` for the plan's rooms (for the Markdown)."""
    if plan is None:
        return {}
    names = {}
    for record in (await repos.plan_rooms.all(plan.key)).values():
        node = plan.find(record.node_key)
        if record.node_key == COMMITTEE_KEY:
            names[record.room_id] = plan.committee.name_ko or "추진위원회"
        elif node is not None:
            names[record.room_id] = f"{node.label_ko} {node.name_ko}".strip()
    return names


def day_range(
    start: str | None, end: str | None, now: datetime, tz: str
) -> tuple[datetime | None, datetime | None]:
    """`[FROM 00:00, the day after TO 00:00)` in local time; open ends when not given."""
    zone = ZoneInfo(tz)

    def day(raw: str) -> date:
        return parse_when(raw, now=now, tz=tz, allow_past=True).at.date()

    since = datetime.combine(day(start), time(0), tzinfo=zone) if start else None
    until = datetime.combine(day(end) + timedelta(days=1), time(0), tzinfo=zone) if end else None
    if since is not None and until is not None and until <= since:
        raise UserInputError("끝 날짜가 시작 날짜보다 앞섭니다.", "TO is before FROM.")
    return since, until


def _counts(ctx: Context, export: RecordsExport) -> str:
    held = sum(len(m.held) for m in export.meetings)
    return ctx.t(
        f"결정 {len(export.decisions)}, 할 일 {len(export.actions)}, "
        f"장애요인 {len(export.blockers)}, 회의 {held}회, 요약 {len(export.digests)}, "
        f"감사 기록 {len(export.audit)}, 이견 {len(export.disputes)}",
        f"{len(export.decisions)} decisions, {len(export.actions)} actions, "
        f"{len(export.blockers)} blockers, {held} meetings held, {len(export.digests)} digests, "
        f"{len(export.audit)} audit entries, {len(export.disputes)} disagreements",
    )


@command(
    "export",
    aliases=("내보내기", "기록공개"),
    args=(
        Arg("start", optional=True),
        Arg("end", optional=True),
        Arg("format", export_format, option=True, optional=True, default="md", words=("형식",)),
    ),
    role=Role.CHAIR,
    help_en="Export this WG's records (the whole plan in the committee room) as a file: "
    "[FROM] [TO] [--format md|csv|json].",
)
async def export(ctx: Context, start: str | None, end: str | None, format: str) -> None:
    """기록 내보내기 (의장): [시작일] [종료일] [--format md|csv|json] — 위원회 방에서는 계획 전체"""
    since, until = day_range(start, end, ctx.clock(), ctx.settings.timezone)
    scope = await scope_of_room(ctx.repos, ctx.plan, ctx.room_id)
    data = await gather_export(
        ctx.repos, ctx.plan, scope, now=ctx.clock(), since=since, until=until
    )
    names = await room_names(ctx.repos, ctx.plan)
    name, blob, mime = await asyncio.to_thread(
        render_export, data, format, ctx.settings.timezone, names
    )
    node = ctx.plan.find(scope.name) if ctx.plan and not scope.plan_wide else None
    where = f"{node.label_ko} {node.name_ko}" if node else scope.name
    where = ctx.t("계획 전체", "the whole plan") if scope.plan_wide else where
    await ctx.reply(
        ctx.t(f"기록을 내보냈습니다 ({where}): ", f"Records exported ({where}): ")
        + _counts(ctx, data)
    )
    await ctx.send_file(name, blob, mime, reply=True)
