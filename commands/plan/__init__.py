"""The declarative plan: goals, core tasks, working groups, and provisioning diffs.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.plan.diff import (
    Change,
    LiveRoom,
    archive_changes,
    can_manage,
    desired_join_rules,
    room_changes,
)
from commands.plan.file import PlanError, load_plan
from commands.plan.model import COMMITTEE_KEY, CoreTask, Person, Plan
from commands.plan.nav import chairs_for_node

__all__ = [
    "COMMITTEE_KEY",
    "Change",
    "CoreTask",
    "LiveRoom",
    "Person",
    "Plan",
    "PlanError",
    "archive_changes",
    "can_manage",
    "chairs_for_node",
    "desired_join_rules",
    "load_plan",
    "room_changes",
]
