"""`!task` / `!과제` and `!members` / `!구성원`: this room's place in the plan and its people."""

from __future__ import annotations

from commands.context import Context
from commands.errors import NotFound
from commands.framework import command
from commands.plan.file import Plan
from commands.plan.model import CoreTask, PlannedRoom
from commands.plan.nav import by_ministry, chairs_for_node, core_task_for, members_for_node
from commands.render import Notice, esc, permalink


async def _plan_room(ctx: Context) -> tuple[Plan, PlannedRoom]:
    record = await ctx.repos.plan_rooms.by_room(ctx.room_id)
    plan = ctx.plan
    room = None
    if plan is not None and record is not None and record.plan_key == plan.key:
        room = next((r for r in plan.rooms() if r.key == record.node_key), None)
    if plan is None:
        raise NotFound(
            "계획 파일(PLAN_FILE)이 설정되지 않아 과제 방이 없습니다.",
            "No plan is configured (PLAN_FILE), so no room belongs to a task.",
        )
    if room is None:
        raise NotFound(
            f"이 방은 계획 「{plan.name_ko}」의 방이 아닙니다.",
            f"This room is not part of the plan “{plan.name_en}”.",
        )
    return plan, room


def _name(ctx: Context, user: str, plan: Plan) -> str:
    person = plan.person(user)
    return f"{person.name} ({user})" if person else user


async def _siblings(ctx: Context, plan: Plan, core: CoreTask) -> list[tuple[str, str]]:
    """(title, link) of the other WG rooms under the same goal."""
    records = await ctx.repos.plan_rooms.all(plan.key)
    goal = next(g for g in plan.goals if g.key == core.goal_key)
    return [
        (other.room_name(), permalink(records[other.key].alias))
        for other in goal.core_tasks
        if other.key != core.key and other.key in records
    ]


def _lines_for_core(ctx: Context, plan: Plan, core: CoreTask) -> list[tuple[str, str]]:
    goal = next(g for g in plan.goals if g.key == core.goal_key)
    rows = [
        (ctx.t("목표", "Goal"), f"{goal.label_ko} {goal.title()}"),
        (ctx.t("핵심과제", "Core task"), f"{core.label_ko} {core.title()}"),
    ]
    if core.description:
        rows.append((ctx.t("설명", "About"), core.description))
    for unit in core.unit_tasks:
        details = ", ".join(d.name_ko for d in unit.detailed)
        rows.append((unit.label_ko, f"{unit.name_ko} — {details}" if details else unit.name_ko))
    rows.append((ctx.t("의장", "Chairs"), ", ".join(_name(ctx, c, plan) for c in core.wg.chairs)))
    for ministry, users in by_ministry(plan, core.wg.everyone()).items():
        rows.append((ministry, ", ".join(_name(ctx, u, plan) for u in users)))
    return rows


@command(
    "task",
    aliases=("과제",),
    help_en="This room's place in the plan: goal, tasks, chairs.",
    read_only=True,
)
async def task(ctx: Context) -> None:
    """이 방의 과제 정보(목표, 핵심·단위과제, 의장, 구성원, 관련 방)를 보여 줍니다."""
    plan, room = await _plan_room(ctx)
    core = core_task_for(plan, room.key)
    if core is None:
        rows = [
            (ctx.t("방", "Room"), room.name),
            (
                ctx.t("의장", "Chairs"),
                ", ".join(_name(ctx, c, plan) for c in chairs_for_node(plan, room.key)),
            ),
        ]
        siblings: list[tuple[str, str]] = []
    else:
        rows = _lines_for_core(ctx, plan, core)
        siblings = await _siblings(ctx, plan, core)
    mail_domain = getattr(ctx.settings, "mail_domain", None)
    if mail_domain and getattr(ctx.settings, "mail_listen", None):
        rows.append((ctx.t("메일 주소", "Mail address"), f"{room.alias_localpart}@{mail_domain}"))
    plain = [f"{k}: {v}" for k, v in rows]
    rich = [f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in rows]
    if siblings:
        label = ctx.t("같은 목표의 다른 방", "Sibling rooms")
        plain.append(f"{label}: " + ", ".join(f"{t} {link}" for t, link in siblings))
        links = ", ".join(f'<a href="{esc(link)}">{esc(t)}</a>' for t, link in siblings)
        rich.append(f"<li><b>{esc(label)}</b>: {links}</li>")
    await ctx.reply(Notice("\n".join(plain), f"<ul>{''.join(rich)}</ul>"))


@command(
    "members",
    aliases=("구성원",),
    help_en="Members by ministry, and who has not joined.",
    read_only=True,
)
async def members(ctx: Context) -> None:
    """작업그룹 구성원을 기관별로 보여 주고, 아직 참여하지 않은 사람을 알려 줍니다."""
    plan, room = await _plan_room(ctx)
    users = members_for_node(plan, room.key)
    chairs = set(chairs_for_node(plan, room.key))
    plain: list[str] = []
    rich: list[str] = []
    missing: list[str] = []
    for ministry, people in by_ministry(plan, users).items():
        shown = []
        for user in people:
            member = await ctx.repos.rooms.member(ctx.room_id, user)
            joined = member is not None and member.membership == "join"
            mark = "" if joined else ctx.t(" (미참여)", " (not joined)")
            chair = ctx.t(" [의장]", " [chair]") if user in chairs else ""
            shown.append(f"{_name(ctx, user, plan)}{chair}{mark}")
            if not joined:
                missing.append(user)
        plain.append(f"{ministry}: " + ", ".join(shown))
        rich.append(f"<li><b>{esc(ministry)}</b>: {esc(', '.join(shown))}</li>")
    summary = ctx.t(
        f"구성원 {len(users)}명, 미참여 {len(missing)}명",
        f"{len(users)} members, {len(missing)} not joined",
    )
    await ctx.reply(
        Notice("\n".join([summary, *plain]), f"<p>{esc(summary)}</p><ul>{''.join(rich)}</ul>")
    )
