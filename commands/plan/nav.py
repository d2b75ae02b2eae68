"""Finding one's way in a plan from a room: which node it serves and who chairs it."""

from __future__ import annotations

from commands.plan.file import Plan
from commands.plan.model import CoreTask, UnitTask


def chairs_for_node(plan: Plan, node_key: str) -> tuple[str, ...]:
    """Chairs of the WG behind a task room; the committee chairs for spaces and the
    committee room."""
    if plan.core_of(node_key) is not None:
        return plan.chairs_of(node_key)
    return plan.committee.wg.chairs


def members_for_node(plan: Plan, node_key: str) -> tuple[str, ...]:
    """Everyone the plan puts in the room of this node."""
    room = next((r for r in plan.rooms() if r.key == node_key), None)
    return tuple(dict.fromkeys((*room.chairs, *room.members))) if room else ()


def core_task_for(plan: Plan, node_key: str) -> CoreTask | None:
    """The core task a WG or unit-task room belongs to."""
    node = plan.find(node_key)
    if isinstance(node, CoreTask):
        return node
    if isinstance(node, UnitTask):
        return plan.core_of(node_key)
    return None


def by_ministry(plan: Plan, users: tuple[str, ...]) -> dict[str, list[str]]:
    """Users grouped by their ministry (directory order kept); unknown ones under '-'."""
    groups: dict[str, list[str]] = {}
    for user in users:
        groups.setdefault(plan.ministry_of(user) or "-", []).append(user)
    return groups
