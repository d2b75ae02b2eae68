"""The plan model: goals, core tasks, unit and detailed tasks, working groups, the directory.

The tree mirrors the Government 3.0 plan (3 goals, 8 core tasks, 25 unit tasks, 64 detailed
tasks). Each core task has one working group (WG, 작업그룹) and one room; a unit task gets a
room of its own only when it asks for one. `Plan.rooms()` lists what the bot provisions,
parents before children, so creation can go in order and each room can be added to its
space. Everything is immutable and derived from the plan alone: no Matrix, no database.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

RoomKind = Literal["space", "room"]
RoomLevel = Literal["plan", "goal", "core", "unit", "committee"]
Access = Literal["plan", "invite"]
ACCESS: tuple[Access, ...] = ("plan", "invite")
"""Who may enter a WG room: anyone in the plan (through its goal space), or WG members only."""
COMMITTEE_KEY = "committee"


@dataclass(frozen=True)
class Person:
    """Someone the plan names: a Matrix user id with a name, a ministry and an office key;
    `email`, when given, is their mail address (mail from it is theirs, and allowed)."""

    user_id: str
    name: str
    ministry: str
    office: str
    email: str = ""


@dataclass(frozen=True)
class Office:
    """A government office building (정부청사); other data (travel distances) keys on `key`."""

    key: str
    name_ko: str


@dataclass(frozen=True)
class WorkingGroup:
    """Who works on a core task, or sits on the committee; chairs count as members."""

    chairs: tuple[str, ...]
    members: tuple[str, ...] = ()

    def everyone(self) -> tuple[str, ...]:
        """Chairs then members, each once, in plan order."""
        return tuple(dict.fromkeys(self.chairs + self.members))

    def is_chair(self, user_id: str) -> bool:
        return user_id in self.chairs

    def is_member(self, user_id: str) -> bool:
        return user_id in self.chairs or user_id in self.members


@dataclass(frozen=True, kw_only=True)
class Named:
    """What every node shares: a key and Korean and English names and descriptions."""

    key: str
    name_ko: str
    name_en: str
    description: str = ""
    description_en: str = ""

    def title(self) -> str:
        """`한국어 | English`: Korean first, as officials read it."""
        return f"{self.name_ko} | {self.name_en}"

    def topic(self) -> str:
        """Both descriptions, Korean first; the names when neither is given."""
        parts = [part for part in (self.description, self.description_en) if part]
        return " | ".join(parts) if parts else self.title()

    @property
    def label_ko(self) -> str:
        """The node's place in the plan, e.g. "핵심과제 3"; empty for the plan itself."""
        return ""

    def room_name(self) -> str:
        """`[핵심과제 3] 융합행정 (협업·소통) | Convergent administration …`."""
        return f"[{self.label_ko}] {self.title()}" if self.label_ko else self.title()


@dataclass(frozen=True, kw_only=True)
class DetailedTask(Named):
    """A detailed task (세부과제); `number` is its position, e.g. "3-1-2"."""

    number: str

    @property
    def label_ko(self) -> str:
        return f"세부과제 {self.number}"


@dataclass(frozen=True, kw_only=True)
class UnitTask(Named):
    """A unit task (단위과제), e.g. number "3-1"; `room` asks for a room of its own."""

    number: str
    room: bool = False
    encrypted: bool | None = None
    detailed: tuple[DetailedTask, ...] = ()

    @property
    def label_ko(self) -> str:
        return f"단위과제 {self.number}"


@dataclass(frozen=True, kw_only=True)
class CoreTask(Named):
    """A core task (핵심과제), numbered across the whole plan, with its working group."""

    number: int
    goal_key: str
    wg: WorkingGroup
    encrypted: bool | None = None
    access: Access | None = None
    unit_tasks: tuple[UnitTask, ...] = ()

    @property
    def label_ko(self) -> str:
        return f"핵심과제 {self.number}"


@dataclass(frozen=True, kw_only=True)
class Goal(Named):
    """One of the plan's goals (목표), e.g. the service government."""

    number: int
    core_tasks: tuple[CoreTask, ...] = ()

    @property
    def label_ko(self) -> str:
        return f"목표 {self.number}"


@dataclass(frozen=True, kw_only=True)
class Committee(Named):
    """The committee that steers the plan: executive digests and escalations go to it."""

    wg: WorkingGroup


Node = Goal | CoreTask | UnitTask | DetailedTask


@dataclass(frozen=True)
class PlannedRoom:
    """A space or room to provision.

    `parent_key` is the node it sits under in the plan tree; `space_key` the space that lists
    it. They differ only for a unit room, whose parent is its WG room (Matrix nests rooms only
    in spaces, so it is listed in the goal space beside that WG room).
    """

    key: str
    kind: RoomKind
    level: RoomLevel
    parent_key: str | None
    space_key: str | None
    alias_localpart: str
    name: str
    topic: str
    members: tuple[str, ...]
    chairs: tuple[str, ...]
    encrypted: bool
    access: Access = "plan"


@dataclass(frozen=True, kw_only=True)
class Plan(Named):
    """A whole plan: the task tree, the committee, the people and the offices."""

    committee_room: bool
    encrypted: bool
    illustrative_note: str
    committee: Committee
    directory: tuple[Person, ...]
    offices: tuple[Office, ...]
    goals: tuple[Goal, ...]
    access: Access = "plan"

    def _walk(self) -> Iterator[tuple[Node, Goal, CoreTask | None]]:
        """Every node in plan order, with its goal and (below goal level) its core task."""
        for goal in self.goals:
            yield goal, goal, None
            for core in goal.core_tasks:
                yield core, goal, core
                for unit in core.unit_tasks:
                    yield unit, goal, core
                    for detail in unit.detailed:
                        yield detail, goal, core

    def nodes(self) -> tuple[Node, ...]:
        return tuple(node for node, _, _ in self._walk())

    def core_tasks(self) -> tuple[CoreTask, ...]:
        """All core tasks in plan order; each knows its goal through `goal_key`."""
        return tuple(core for goal in self.goals for core in goal.core_tasks)

    def unit_tasks(self) -> tuple[UnitTask, ...]:
        return tuple(unit for core in self.core_tasks() for unit in core.unit_tasks)

    def detailed_tasks(self) -> tuple[DetailedTask, ...]:
        return tuple(detail for unit in self.unit_tasks() for detail in unit.detailed)

    def find(self, key: str) -> Node | None:
        """The goal or task with this key, or None."""
        return next((node for node, _, _ in self._walk() if node.key == key), None)

    def goal_of(self, key: str) -> Goal | None:
        """The goal a node belongs to (a goal belongs to itself)."""
        return next((goal for node, goal, _ in self._walk() if node.key == key), None)

    def core_of(self, key: str) -> CoreTask | None:
        """The core task a core, unit or detailed task belongs to; None for goals and unknowns."""
        return next((core for node, _, core in self._walk() if node.key == key), None)

    def chairs_of(self, key: str) -> tuple[str, ...]:
        """The WG chairs responsible for a core task (or a task under it); KeyError otherwise."""
        core = self.core_of(key)
        if core is None:
            raise KeyError(key)
        return core.wg.chairs

    def members_of(self, key: str) -> tuple[str, ...]:
        """Everyone in the WG of a core task (or a task under it); KeyError otherwise."""
        core = self.core_of(key)
        if core is None:
            raise KeyError(key)
        return core.wg.everyone()

    def person(self, user_id: str) -> Person | None:
        return next((p for p in self.directory if p.user_id == user_id), None)

    def ministry_of(self, user_id: str) -> str | None:
        """The ministry from the directory; None for people the plan does not list."""
        person = self.person(user_id)
        return person.ministry if person else None

    def office_name(self, office_key: str) -> str | None:
        return next((o.name_ko for o in self.offices if o.key == office_key), None)

    def all_members(self) -> tuple[str, ...]:
        """Everyone on the committee or a WG, each once, committee first, in plan order."""
        groups = [self.committee.wg] + [core.wg for core in self.core_tasks()]
        return tuple(dict.fromkeys(user for wg in groups for user in wg.everyone()))

    def rooms(self) -> tuple[PlannedRoom, ...]:
        """The spaces and rooms to provision, parents before children, deterministically."""
        return _plan_rooms(self)


def _room(
    plan: Plan,
    node: Named,
    level: RoomLevel,
    tree: tuple[str | None, str | None],
    people: tuple[tuple[str, ...], tuple[str, ...]],
    encrypted: bool = False,
    access: Access = "plan",
) -> PlannedRoom:
    """One planned room; `tree` is (parent, space) and `people` is (members, chairs)."""
    return PlannedRoom(
        key=node.key,
        kind="space" if level in ("plan", "goal") else "room",
        level=level,
        parent_key=tree[0],
        space_key=tree[1],
        alias_localpart=plan.key if node is plan else f"{plan.key}-{node.key}",
        name=node.room_name(),
        topic=node.topic(),
        members=people[0],
        chairs=people[1],
        encrypted=encrypted,
        access=access,
    )


def _plan_rooms(plan: Plan) -> tuple[PlannedRoom, ...]:
    """Plan space; per goal its space, then each WG room followed by its unit rooms; committee.

    A goal space holds its WGs' members and the committee, which oversees every goal. A unit
    room has its WG; encryption and access fall back from unit task to core task to plan
    (the committee room follows the plan's access; spaces stay open to the plan).
    """
    steering = plan.committee.wg
    rooms = [_room(plan, plan, "plan", (None, None), (plan.all_members(), steering.chairs))]
    for goal in plan.goals:
        groups = [steering] + [core.wg for core in goal.core_tasks]
        members = tuple(dict.fromkeys(user for wg in groups for user in wg.everyone()))
        rooms.append(_room(plan, goal, "goal", (plan.key, plan.key), (members, steering.chairs)))
        for core in goal.core_tasks:
            people = (core.wg.everyone(), core.wg.chairs)
            crypt = plan.encrypted if core.encrypted is None else core.encrypted
            access = core.access or plan.access
            rooms.append(_room(plan, core, "core", (goal.key, goal.key), people, crypt, access))
            for unit in core.unit_tasks:
                if unit.room:
                    unit_crypt = crypt if unit.encrypted is None else unit.encrypted
                    tree = (core.key, goal.key)
                    rooms.append(_room(plan, unit, "unit", tree, people, unit_crypt, access))
    if plan.committee_room:
        people = (steering.everyone(), steering.chairs)
        tree = (plan.key, plan.key)
        committee = _room(
            plan, plan.committee, "committee", tree, people, plan.encrypted, plan.access
        )
        rooms.append(committee)
    return tuple(rooms)
