"""`!digest` / `!요약`: the personal digest by DM (subscribe, unsubscribe), a digest on demand,
and whether a quiet day's WG digest is one line or nothing.

A digest on demand covers what a scheduled one would, up to now: from the previous working
day's digest time. It is not recorded in the ledger, so it never replaces the scheduled one.
"""

from __future__ import annotations

import re
from datetime import date

from commands.context import Context
from commands.digests.analysis import exec_row
from commands.digests.build import wg_digest_sections
from commands.digests.executive import executive_digest_sections
from commands.digests.gather import (
    WgScope,
    committee_room,
    gather_wgs,
    local_day,
    previous_counts,
    scope_of_room,
    wg_scopes,
)
from commands.digests.jobs import clock_time, ensure_scheduled
from commands.digests.period import Period, digest_at, previous_digest_period
from commands.digests.personal import personal_digests
from commands.digests.split import split_notice
from commands.errors import NotFound, UserInputError
from commands.framework import Arg, Role, group
from commands.plan import COMMITTEE_KEY
from commands.render import shown
from commands.when import previous_working_day

HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
ME = ("me", "나", "내", "개인")
COMMITTEE_WORDS = ("committee", "위원회", "추진위원회")
QUIET_MODES = {"line": "line", "한줄": "line", "none": "none", "없음": "none"}

digest = group(
    "digest",
    aliases=("요약",),
    help_ko="일일 요약: 개인 요약 구독·해지, 지금 요약 보기, 조용한 날 설정",
    help_en="Daily digests: personal digest by DM, a digest now, quiet days.",
)


def time_of_day(raw: str) -> str:
    """`7:30` or `07:30` → `07:30` (the converter of TIME arguments)."""
    found = HHMM.fullmatch(raw.strip())
    if found is None:
        raise UserInputError(
            f"'{raw}'은(는) 시각이 아닙니다. HH:MM으로 적어 주세요 (예: 07:30).",
            f"'{raw}' is not a time of day; use HH:MM, e.g. 07:30.",
        )
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def quiet_mode(raw: str) -> str:
    """`line`/`한줄` or `none`/`없음` (the converter of MODE arguments)."""
    found = QUIET_MODES.get(raw.strip().lower())
    if found is None:
        raise UserInputError(
            f"'{raw}' 대신 line(한줄) 또는 none(없음)을 쓰세요.",
            f"Use line or none instead of '{raw}'.",
        )
    return found


def period_until_now(ctx: Context) -> tuple[Period, date]:
    """From the previous working day's digest time up to now, and today's local date; both
    ends in the deployment's zone, so every time the digest shows is local (the clock is UTC)."""
    zone = ctx.settings.tz
    now = ctx.clock().astimezone(zone)
    today = local_day(now, zone)
    start = digest_at(previous_working_day(today), clock_time(ctx.settings.digest_time), zone)
    return (start, now), today


@digest.command(
    "subscribe",
    aliases=("구독",),
    args=(Arg("time", time_of_day, optional=True),),
    help_en="Get your personal digest by DM each working day [at HH:MM; default DIGEST_TIME].",
)
async def subscribe(ctx: Context, time: str | None) -> None:
    """근무일마다 내 할 일·답하지 않은 멘션·오늘 회의 요약을 개인 메시지로 받습니다 [HH:MM]."""
    await ctx.repos.digests.subscribe(ctx.sender, time, ctx.clock())
    if ctx.jobs is not None:
        await ensure_scheduled(ctx.jobs, ctx.repos, ctx.settings, ctx.clock())
    at = time or ctx.settings.digest_time
    await ctx.reply(
        ctx.t(
            f"근무일마다 {at}에 개인 요약을 개인 메시지로 보내 드립니다."
            f" 해지: {ctx.prefix}요약 해지",
            f"You will get your personal digest by DM at {at} each working day."
            f" Stop: {ctx.prefix}digest unsubscribe",
        )
    )


@digest.command(
    "unsubscribe",
    aliases=("해지", "구독취소"),
    help_en="Stop your personal digest.",
)
async def unsubscribe(ctx: Context) -> None:
    """개인 요약 구독을 해지합니다."""
    if not await ctx.repos.digests.unsubscribe(ctx.sender):
        raise NotFound("개인 요약을 구독하고 있지 않습니다.", "You are not subscribed.")
    if ctx.jobs is not None:
        await ensure_scheduled(ctx.jobs, ctx.repos, ctx.settings, ctx.clock())
    await ctx.reply(ctx.t("개인 요약 구독을 해지했습니다.", "Personal digest stopped."))


@digest.command(
    "now",
    aliases=("지금",),
    args=(Arg("room", optional=True),),
    help_en=(
        "A digest now: this WG's (in a WG room), the executive one (in the committee room or"
        " with ROOM = committee), ROOM's WG (an alias or room id you are in), or yours by DM"
        " (elsewhere, or with ROOM = me)."
    ),
)
async def now(ctx: Context, room: str | None) -> None:
    """지금 요약: 작업그룹 방은 그 작업그룹, 위원회 방은 핵심과제 현황, ROOM(별칭·방 ID)은 그 방의
    요약, 그 밖은 내 요약(DM).

    ROOM이 `나`(me)이면 어디서든 내 요약을, `위원회`(committee)이면 핵심과제 현황을 보냅니다."""
    if room is not None and room.strip().lower() in ME:
        await _personal_now(ctx)
        return
    room_id = ctx.room_id if room is None else await _named_room(ctx, room)
    if ctx.plan is not None and room_id == await committee_room(ctx.repos, ctx.plan):
        await _executive_now(ctx)
        return
    scope = await scope_of_room(ctx.repos, ctx.plan, room_id)
    if scope is not None:
        await _wg_now(ctx, scope)
    elif room is None:
        await _personal_now(ctx)
    else:
        raise UserInputError(
            f"'{shown(room)}'은(는) 작업그룹 방이 아닙니다.", f"'{shown(room)}' is not a WG room."
        )


async def _named_room(ctx: Context, raw: str) -> str:
    """The plan room named by id, alias (`#gov3-core-01:server` or without the server), plan
    key or `위원회`/`committee`, which the asker must be in."""
    if ctx.plan is None:
        raise NotFound("작업그룹 계획이 없습니다.", "There is no plan with working groups.")
    text = raw.strip()
    text = COMMITTEE_KEY if text.lower() in COMMITTEE_WORDS else text
    records = await ctx.repos.plan_rooms.all(ctx.plan.key)
    room_id = text if text.startswith("!") else None
    for record in records.values():
        names = {record.alias, record.alias.split(":", 1)[0], record.node_key}
        if text in names or f"#{text}" in names:
            room_id = record.room_id
    if room_id is None or room_id not in await ctx.repos.rooms.rooms_of(ctx.sender):
        raise NotFound(
            f"'{raw}' 방을 찾을 수 없거나 그 방의 구성원이 아닙니다.",
            f"No room '{raw}' that you are in.",
        )
    return room_id


async def _wg_now(ctx: Context, scope: WgScope) -> None:
    assert ctx.plan is not None
    period, today = period_until_now(ctx)
    [data] = await gather_wgs(
        ctx.repos, ctx.settings, ctx.plan, [scope], period, today, quiet="line"
    )
    sections = wg_digest_sections(data, ctx.lang)
    assert sections is not None
    for part in split_notice(sections):
        await ctx.reply(part)


async def _executive_now(ctx: Context) -> None:
    """The committee's digest up to now, its trends against the previous digest's period."""
    assert ctx.plan is not None
    period, today = period_until_now(ctx)
    scopes = await wg_scopes(ctx.repos, ctx.plan)
    inputs = await gather_wgs(
        ctx.repos, ctx.settings, ctx.plan, scopes, period, today, quiet="line"
    )
    at = clock_time(ctx.settings.digest_time)
    before = await previous_counts(
        ctx.repos, scopes, previous_digest_period(today, at, ctx.settings.tz)
    )
    rows = [exec_row(data, before[data.wg.key]) for data in inputs]
    for part in split_notice(executive_digest_sections(rows, period, ctx.lang)):
        await ctx.reply(part)


async def _personal_now(ctx: Context) -> None:
    period, today = period_until_now(ctx)
    found = await personal_digests(ctx.repos, ctx.settings, ctx.plan, [ctx.sender], period, today)
    for part in split_notice(found[ctx.sender]):
        await ctx.messenger.send_direct(ctx.sender, part)
    if await ctx.repos.direct_rooms.get(ctx.sender) != ctx.room_id:
        await ctx.reply(ctx.t("개인 메시지로 보냈습니다.", "Sent to you by direct message."))


@digest.command(
    "quiet",
    aliases=("조용",),
    args=(Arg("mode", quiet_mode, optional=True),),
    role=Role.CHAIR,
    help_en="A quiet day's WG digest: line (one line) or none (nothing); no MODE shows it.",
)
async def quiet(ctx: Context, mode: str | None) -> None:
    """조용한 날(새 소식 없는 날)의 작업그룹 요약: line(한 줄) 또는 none(보내지 않음) (의장)."""
    scope = await scope_of_room(ctx.repos, ctx.plan, ctx.room_id)
    if scope is None:
        raise UserInputError(
            "작업그룹 방에서만 정할 수 있습니다.", "This is set in a working-group room."
        )
    if mode is not None:
        await ctx.repos.digests.set_quiet(scope.room_id, mode)
    current = await ctx.repos.digests.quiet_mode(scope.room_id) or ctx.settings.digest_quiet
    shown = ctx.t("한 줄", "one line") if current == "line" else ctx.t("보내지 않음", "nothing")
    await ctx.reply(
        ctx.t(f"조용한 날의 요약: {shown} ({current})", f"Quiet days' digest: {shown} ({current})")
    )
