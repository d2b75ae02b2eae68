"""What provisioning must change so a live room matches its planned room (pure logic).

The executor in `bot/provision.py` reads each room's live state, asks `room_changes` for
the difference, and applies it — or only prints it with `--dry-run`. A room whose task left
the plan is retired with `archive_changes`: never deleted, its members and history kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

BOT_POWER = 100
ARCHIVED = "[보관·archived]"
ARCHIVE_NOTICE = (
    "이 방의 과제는 계획에서 빠져 방을 보관합니다. 구성원과 대화 기록은 그대로 남습니다.\n"
    "This room's task is no longer in the plan, so the room is archived; "
    "its members and history are kept."
)
ACCESS_TEXT = {
    "plan": "access → plan members, through the space (restricted)",
    "invite": "access → WG members only (invite)",
}


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
    join_rules: Mapping[str, Any] = field(default_factory=dict)
    parents: frozenset[str] = field(default_factory=frozenset)

    @property
    def archived(self) -> bool:
        return (self.name or "").startswith(ARCHIVED)


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
    space_id: str | None = None,
) -> list[Change]:
    """Every change needed to bring `live` to `planned`; empty when already in line.
    `space_id` is the room id of the space that lists it (its join rules may point there)."""
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
    rules = desired_join_rules(planned.access, space_id)
    if rules is not None and not _same_rules(live.join_rules, rules):
        changes.append(Change("join_rules", key, ACCESS_TEXT[planned.access], {"content": rules}))
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


def desired_join_rules(access: str, space_id: str | None) -> dict[str, Any] | None:
    """WG members only (invite), or anyone in the space that lists the room (restricted);
    None for a room with no space to restrict to (the plan's own space)."""
    if access == "invite":
        return {"join_rule": "invite"}
    if space_id is None:
        return None
    allow = [{"type": "m.room_membership", "room_id": space_id}]
    return {"join_rule": "restricted", "allow": allow}


def _same_rules(live: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    if live.get("join_rule") != wanted["join_rule"]:
        return False
    return "allow" not in wanted or live.get("allow") == wanted["allow"]


def can_manage(live: LiveRoom, bot_user: str) -> bool:
    """Whether the bot is in the room with the power to change its power levels (as in a
    room it created): only then may provisioning adopt a room that holds a planned alias."""
    if live.members.get(bot_user) != "join":
        return False
    if bot_user in live.creators:
        return True
    levels = live.power_levels
    users = dict(levels.get("users", {}))
    mine = int(users.get(bot_user, levels.get("users_default", 0)))
    needed = dict(levels.get("events", {})).get("m.room.power_levels")
    return mine >= int(needed if needed is not None else levels.get("state_default", 50))


def archive_changes(
    key: str, live: LiveRoom, listed_in: frozenset[str] = frozenset()
) -> list[Change]:
    """Retire a room whose task left the plan: out of every space that lists it (`listed_in`
    or its own `m.space.parent`), joinable by invitation only, its name and topic marked
    archived and a notice posted the first time. Members, history and the room itself stay."""
    changes = [
        Change("unparent", key, f"detach from space {space}", {"space": space})
        for space in sorted(live.parents | listed_in)
    ]
    if live.join_rules.get("join_rule") != "invite":
        rules = {"join_rule": "invite"}
        changes.append(Change("join_rules", key, ACCESS_TEXT["invite"], {"content": rules}))
    if not live.archived:
        name = f"{ARCHIVED} {live.name or key}"
        topic = f"{ARCHIVED} {live.topic}" if live.topic else ARCHIVED
        changes.append(Change("name", key, f"name → {name}", {"name": name}))
        changes.append(Change("topic", key, "topic marked archived", {"topic": topic}))
        changes.append(Change("notice", key, "archive notice posted", {"body": ARCHIVE_NOTICE}))
    return changes
