"""`!collab` / `!협업지도`: the collaboration map between ministries, as a picture and a summary.

The map reads the plan's rooms: replies, mentions, shared threads and co-attended meetings
between people of different ministries (see `commands.collab.analysis`). The picture is drawn
in a worker thread (Pillow is CPU work) and uploaded as an image; the summary follows as a
threaded notice. Without a Hangul font the summary is still posted, with a note.

Asked in a room, the map shows what the asker could see on their web page: only the rooms
they are in. The committee and the admins, who oversee every WG, get the plan-wide map.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import timedelta

from commands.collab.data import collab_report, map_title, room_tasks, visible_plan
from commands.collab.period import MapPeriod, parse_period, resolve_scope, split_request
from commands.collab.png import FontMissing
from commands.collab.summary import map_png, summary_notice
from commands.context import Context
from commands.errors import NotFound
from commands.framework import Arg, command
from commands.plan import Plan
from commands.render import Notice, esc

log = logging.getLogger(__name__)


def require_plan(ctx: Context) -> Plan:
    """The deployment's plan; the map and its page are about a plan's working groups."""
    if ctx.plan is None:
        raise NotFound(
            "계획 파일(PLAN_FILE)이 설정되지 않아 협업지도를 만들 수 없습니다.",
            "No plan is configured (PLAN_FILE), so there is no collaboration map.",
        )
    return ctx.plan


async def visible_to(ctx: Context, plan: Plan) -> tuple[Plan, Collection[str] | None]:
    """The plan and rooms the asker may see: all for the committee and admins (None: no
    limit), otherwise the rooms they are in, as on their map page."""
    if ctx.sender in ctx.settings.admin_users or plan.committee.wg.is_member(ctx.sender):
        return plan, None
    rooms = set(await ctx.repos.rooms.rooms_of(ctx.sender))
    return visible_plan(plan, await room_tasks(ctx.repos, plan), rooms), rooms


def file_name(period: MapPeriod, key: str | None) -> str:
    """`collab-20261121-20261127[-core-01].png`: the first and last day of the period."""
    last = period.end - timedelta(days=1)
    return f"collab-{period.start:%Y%m%d}-{last:%Y%m%d}{'-' + key if key else ''}.png"


@command(
    "collab",
    aliases=("협업지도", "협업"),
    args=(Arg("request", rest=True, optional=True),),
    help_en="Collaboration map between ministries: [PERIOD] [TASK]; PERIOD is week (default), "
    "month, thisweek, lastweek, thismonth, YYYY-MM or FROM..TO; TASK a goal or core task. "
    "It covers the rooms you are in (the committee and admins: the whole plan).",
)
async def collab(ctx: Context, request: str | None) -> None:
    """부처 간 협업지도 그림과 요약: [기간] [과제] (기간: 이번주·지난주·이번달·YYYY-MM·시작..끝)

    기간을 생략하면 오늘까지 7일(week), month는 30일입니다. 과제는 목표나 핵심과제의 키나
    이름입니다. 요청한 사람이 속한 방만 보여 줍니다(위원회와 관리자는 계획 전체)."""
    plan, rooms = await visible_to(ctx, require_plan(ctx))
    period_word, task = split_request(request)
    period = parse_period(period_word, ctx.clock(), ctx.settings.timezone)
    scope = resolve_scope(plan, task)
    bot = getattr(ctx.settings, "user_id", None)
    report = await collab_report(
        ctx.repos, plan, period, scope, now=ctx.clock(), rooms=rooms, ignore=(bot,) if bot else ()
    )
    summary = summary_notice(report, plan, ctx.lang)
    try:
        png = await asyncio.to_thread(map_png, report, title=map_title(report, plan))
    except FontMissing as error:
        log.warning("collaboration map not drawn: %s", error)
        note = ctx.t(
            "(지도 그림을 그릴 한글 글꼴이 서버에 없어 요약만 보냅니다.)",
            "(No Hangul font on the server: the summary only.)",
        )
        await ctx.reply(Notice(f"{summary.body}\n{note}", f"{summary.html}<p>{esc(note)}</p>"))
        return
    await ctx.send_file(file_name(period, scope.key), png, "image/png")
    await ctx.reply(summary)
