"""Who may enter a WG room (`access`), and what provisioning changes for it and for a room
whose task left the plan: the plan file, the planned rooms and the pure diff."""

from __future__ import annotations

from typing import Any

import pytest

from commands.plan.diff import LiveRoom, archive_changes, can_manage, room_changes
from commands.plan.file import PlanError, parse_plan
from commands.plan.model import PlannedRoom
from tests.support.plans import MINI

BOT = "@sotong:localhost"
SPACE = "!space:localhost"
CORE_02 = 'key = "core-02"\n'


def rooms_of(text: str) -> dict[str, PlannedRoom]:
    return {room.key: room for room in parse_plan(text).rooms()}


def restricted(space: str = SPACE) -> dict[str, Any]:
    return {"join_rule": "restricted", "allow": [{"type": "m.room_membership", "room_id": space}]}


def live(planned: PlannedRoom, **kw: Any) -> LiveRoom:
    """The live room as provisioning leaves it: in line with `planned`."""
    users = {BOT: 100, **{chair: 50 for chair in planned.chairs}}
    values: dict[str, Any] = {
        "room_id": "!r:localhost",
        "name": planned.name,
        "topic": planned.topic,
        "power_levels": {"users": users},
        "members": {BOT: "join", **{u: "join" for u in planned.members}},
        "join_rules": restricted(),
        "parents": frozenset({SPACE}),
    }
    return LiveRoom(**{**values, **kw})


def test_without_access_every_room_is_open_to_the_plan_as_before() -> None:
    rooms = rooms_of(MINI)
    assert {room.access for room in rooms.values()} == {"plan"}
    assert parse_plan(MINI).access == "plan"


def test_access_is_chosen_per_plan_and_per_core_task() -> None:
    text = MINI.replace("committee_room = true", 'committee_room = true\naccess = "invite"')
    text = text.replace(CORE_02, CORE_02 + 'access = "plan"\n')
    rooms = rooms_of(text)
    assert rooms["core-01"].access == "invite" and rooms["unit-01-1"].access == "invite"
    assert rooms["committee"].access == "invite"
    assert rooms["core-02"].access == "plan"
    assert rooms["service"].access == "plan" and rooms["demo"].access == "plan"
    one = rooms_of(MINI.replace(CORE_02, CORE_02 + 'access = "invite"\n'))
    assert one["core-02"].access == "invite" and one["core-01"].access == "plan"


@pytest.mark.parametrize("value", ['"secret"', "true", '"Invite"'])
def test_a_wrong_access_is_a_plan_error_on_its_line(value: str) -> None:
    text = MINI.replace(CORE_02, CORE_02 + f"access = {value}  # here\n")
    with pytest.raises(PlanError) as caught:
        parse_plan(text, "demo.toml")
    [problem] = caught.value.problems
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "# here" in row)
    assert problem.startswith(f"demo.toml:{line}: goals[0].core_tasks[1].access: ")
    assert "expected a string" in problem or '"plan" or "invite"' in problem


def test_a_room_in_line_with_its_access_needs_no_change() -> None:
    room = rooms_of(MINI)["core-01"]
    assert room_changes(room, live(room), BOT, 50, False, (), SPACE) == []


def test_a_changed_access_changes_the_join_rules_both_ways() -> None:
    text = MINI.replace(CORE_02, CORE_02 + 'access = "invite"\n')
    room = rooms_of(text)["core-02"]
    [change] = room_changes(room, live(room), BOT, 50, False, (), SPACE)
    assert change.kind == "join_rules" and "WG members only" in change.detail
    assert change.payload["content"] == {"join_rule": "invite"}
    opened = rooms_of(MINI)["core-02"]
    back = live(opened, join_rules={"join_rule": "invite"})
    [change] = room_changes(opened, back, BOT, 50, False, (), SPACE)
    assert change.kind == "join_rules" and change.payload["content"] == restricted()


def test_join_rules_pointing_at_another_space_are_corrected() -> None:
    room = rooms_of(MINI)["core-01"]
    moved = live(room, join_rules=restricted("!old:localhost"))
    [change] = room_changes(room, moved, BOT, 50, False, (), SPACE)
    assert change.payload["content"] == restricted()


def test_a_retired_room_is_detached_closed_and_marked_once() -> None:
    room = rooms_of(MINI)["core-02"]
    before = live(room)
    changes = archive_changes("core-02", before, frozenset({"!other:localhost"}))
    kinds = [(c.kind, c.payload.get("space")) for c in changes]
    assert kinds[:2] == [("unparent", "!other:localhost"), ("unparent", SPACE)]
    assert [c.kind for c in changes[2:]] == ["join_rules", "name", "topic", "notice"]
    name = next(c.payload["name"] for c in changes if c.kind == "name")
    assert name.startswith("[보관·archived] [핵심과제 2]")
    notice = next(c.payload["body"] for c in changes if c.kind == "notice")
    assert "보관" in notice and "members and history are kept" in notice
    assert not any(c.kind in ("kick", "delete") for c in changes)
    after = LiveRoom(
        "!r:localhost",
        name,
        "x",
        before.power_levels,
        before.members,
        join_rules={"join_rule": "invite"},
    )
    assert after.archived and archive_changes("core-02", after) == []


def test_the_bot_manages_only_rooms_it_is_in_with_power() -> None:
    room = rooms_of(MINI)["core-01"]
    assert can_manage(live(room), BOT)
    assert not can_manage(live(room, members={}), BOT)
    assert not can_manage(live(room, power_levels={"users": {"@x:localhost": 100}}), BOT)
    assert can_manage(live(room, power_levels={}, creators=frozenset({BOT})), BOT)
