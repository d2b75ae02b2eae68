"""The collaboration map's inputs, read from storage: the plan's rooms and their tasks, the
archived messages of the period (and of the one before it, for trends), and who attended the
meetings held in those periods; then the pure analysis (`commands.collab.analysis`).

`rooms` narrows everything to the rooms a person may see (the web page shows a user only the
rooms they are in); `visible_plan` narrows the plan's tree the same way, so a page never lists
the working groups, silos or missing pairs of rooms its reader is not in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from commands.collab.analysis import analyse, interactions_from, posts_from
from commands.collab.disputes import dispute_edges
from commands.collab.model import ALL, Attendance, CollabReport, MinistryResolver, Scope
from commands.collab.period import MapPeriod
from commands.collab.svg import period_text
from commands.meetings import schedule_of
from commands.plan import CoreTask, Plan
from storage.meetings import invitees_of
from storage.repositories import Repositories

LOOKBACK = timedelta(days=7)


async def room_tasks(repos: Repositories, plan: Plan) -> dict[str, str]:
    """Each provisioned room of the plan (spaces left out) → the plan key it serves."""
    records = await repos.plan_rooms.all(plan.key)
    return {r.room_id: r.node_key for r in records.values() if r.kind == "room"}


async def attendance(
    repos: Repositories, room_ids: Iterable[str], start: datetime, end: datetime, now: datetime
) -> list[Attendance]:
    """Meetings of these rooms held (ended by `now`) in `[start, end)`: the organizer and the
    invitees who did not decline attended."""
    found: list[Attendance] = []
    for meeting in await repos.meetings.scheduled(list(room_ids)):
        answers = await repos.meetings.rsvps(meeting.id or 0)
        invited = [u for u in invitees_of(meeting) if answers.get(u) != "no"]
        people = tuple(dict.fromkeys([meeting.organizer, *invited]))
        length = timedelta(minutes=meeting.duration_minutes)
        found.extend(
            Attendance(meeting.room_id, people, held)
            for held in schedule_of(meeting).held
            if start <= held < end and held + length <= now
        )
    return found


def visible_plan(plan: Plan, tasks: dict[str, str], rooms: Collection[str]) -> Plan:
    """The plan cut down to the goals and core tasks with a room among `rooms` (a WG room, or
    the room of one of its unit tasks)."""
    seen = {tasks[room] for room in rooms if room in tasks}
    cores = {core.key for core in plan.core_tasks() if _keys_of(core) & seen}
    goals = tuple(
        replace(goal, core_tasks=tuple(c for c in goal.core_tasks if c.key in cores))
        for goal in plan.goals
    )
    return replace(plan, goals=tuple(goal for goal in goals if goal.core_tasks))


def _keys_of(core: CoreTask) -> set[str]:
    """The core task's key and the keys of every task under it."""
    keys = {core.key}
    for unit in core.unit_tasks:
        keys.add(unit.key)
        keys.update(detail.key for detail in unit.detailed)
    return keys


async def collab_report(
    repos: Repositories,
    plan: Plan,
    period: MapPeriod,
    scope: Scope = ALL,
    *,
    now: datetime,
    rooms: Collection[str] | None = None,
    ignore: Iterable[str] = (),
) -> CollabReport:
    """The map of `period` in `scope`, from the plan's rooms (only those in `rooms` if given);
    `ignore` drops users (the bot) everywhere."""
    tasks = await room_tasks(repos, plan)
    room_ids = sorted(room for room in tasks if rooms is None or room in rooms)
    earliest = period.start - (period.end - period.start)
    messages = await repos.digests.messages(room_ids, earliest - LOOKBACK, period.end)
    meetings = await attendance(repos, room_ids, earliest, period.end, now)
    skip = tuple(ignore)
    interactions = interactions_from(messages, meetings, room_tasks=tasks, ignore=skip)
    posts = posts_from(messages, room_tasks=tasks, ignore=skip)
    report = analyse(
        plan,
        interactions,
        period.start,
        period.end,
        scope=scope,
        posts=posts,
        resolver=MinistryResolver.from_plan(plan),
    )
    disputes = await repos.disputes.disputes(room_ids, include_closed=True)
    edges = dispute_edges(disputes, tasks, plan, scope, period.start, period.end)
    return replace(report, disputes=edges)


def scope_label(plan: Plan, scope: Scope) -> str:
    """`핵심과제 1 맞춤형 서비스` for a scope, `전체` for the whole plan."""
    node = plan.find(scope.key) if scope.key else None
    return f"{node.label_ko} {node.name_ko}".strip() if node else "전체"


def map_title(report: CollabReport, plan: Plan) -> str:
    """The picture's title: period and scope, in Korean."""
    return f"협업지도 · {period_text(report)} · {scope_label(plan, report.scope)}"
