"""What provisioning must change so a live room matches its planned room (pure logic).

The executor in `bot/provision.py` reads each room's live state, asks `room_changes` for
the difference, and applies it — or only prints it with `--dry-run`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BOT_POWER = 100


@dataclass(frozen=True)
class LiveRoom:
    """The state of an existing room that provisioning cares about."""

    room_id: str
    name: str | None
    topic: str | None
    power_levels: Mapping[str, Any]
    members: Mapping[str, str]
    children: frozenset[str] = field(default_factory=frozenset)
    creators: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Change:
    """One step: `kind` names what to do, `detail` is shown to the operator."""

    kind: str
    room_key: str
    detail: str
    payload: Mapping[str, Any] = field(default_factory=dict)


def desired_power_levels(
    current: Mapping[str, Any],
    bot_user: str,
    chairs: tuple[str, ...],
    chair_level: int,
    creators: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The power-levels content with the bot at 100 and exactly the planned chairs at the
    chair level; anyone else at exactly the chair level was a chair and is reset.

    In room version 12 and later the creators hold unlimited power and must not be listed.
    """
    content = dict(current)
    users = {
        user: int(level)
        for user, level in dict(current.get("users", {})).items()
        if (int(level) != chair_level or user in chairs) and user not in creators
    }
    for chair in chairs:
        if chair not in creators:
            users[chair] = max(users.get(chair, 0), chair_level)
    if bot_user not in creators:
        users[bot_user] = BOT_POWER
    content["users"] = users
    return content


def room_changes(
    planned: Any,
    live: LiveRoom,
    bot_user: str,
    chair_level: int,
    prune: bool,
    child_room_ids: tuple[str, ...] = (),
) -> list[Change]:
    """Every change needed to bring `live` to `planned`; empty when already in line."""
    key = planned.key
    changes: list[Change] = []
    if live.name != planned.name:
        changes.append(Change("name", key, f"name → {planned.name}", {"name": planned.name}))
    if (live.topic or "") != planned.topic:
        changes.append(Change("topic", key, "topic updated", {"topic": planned.topic}))
    wanted = desired_power_levels(
        live.power_levels, bot_user, tuple(planned.chairs), chair_level, live.creators
    )
    if dict(wanted.get("users", {})) != dict(live.power_levels.get("users", {})):
        chairs = ", ".join(planned.chairs) or "-"
        changes.append(Change("power", key, f"chairs → {chairs}", {"content": wanted}))
    changes.extend(_membership_changes(planned, live, bot_user, prune))
    for child in child_room_ids:
        if child not in live.children:
            changes.append(Change("child", key, f"space child {child}", {"child": child}))
    return changes


def _membership_changes(planned: Any, live: LiveRoom, bot_user: str, prune: bool) -> list[Change]:
    key = planned.key
    changes: list[Change] = []
    wanted = set(planned.members) | set(planned.chairs)
    for user in sorted(wanted):
        if live.members.get(user) not in ("join", "invite"):
            changes.append(Change("invite", key, f"invite {user}", {"user": user}))
    if prune:
        for user, membership in sorted(live.members.items()):
            if user != bot_user and user not in wanted and membership in ("join", "invite"):
                changes.append(Change("kick", key, f"remove {user}", {"user": user}))
    return changes
