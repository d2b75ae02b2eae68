"""The collaboration map's (협업지도) data: what the analysis reads and the report it returns.

Inputs are plain frozen records that the caller fills from the archive, the meetings and the
plan, so the analysis is a pure function that tests can feed hand-built data. Who belongs to
which ministry comes from `MinistryResolver`: the plan's directory first, then (for federated
deployments, one homeserver per ministry) the user id's server name through a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol

from commands.plan import CoreTask, Plan

InteractionKind = Literal["reply", "mention", "thread", "meeting"]
KINDS: tuple[InteractionKind, ...] = ("reply", "mention", "thread", "meeting")
ScopeLevel = Literal["all", "goal", "core"]


@dataclass(frozen=True)
class Interaction:
    """Two people working together once: `a_user` replied to, mentioned, shared a thread with
    or met `b_user` at `at`. `task_key` is the plan node of the room (any level), if any."""

    kind: InteractionKind
    a_user: str
    b_user: str
    at: datetime
    room_id: str
    task_key: str | None = None


@dataclass(frozen=True)
class Post:
    """One archived message, counted as activity of its sender's ministry."""

    user: str
    at: datetime
    room_id: str
    task_key: str | None = None


class MessageLike(Protocol):
    """An archived message as the derivation reads it (digests' records qualify)."""

    @property
    def event_id(self) -> str: ...
    @property
    def room_id(self) -> str: ...
    @property
    def sender(self) -> str: ...
    @property
    def sent_at(self) -> datetime: ...
    @property
    def reply_to(self) -> str | None: ...
    @property
    def thread_root(self) -> str | None: ...
    @property
    def mentions(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Attendance:
    """Who attended a meeting of a room: each pair of attendees met once at `start`."""

    room_id: str
    attendees: tuple[str, ...]
    start: datetime


@dataclass(frozen=True)
class MinistryResolver:
    """User id → ministry: the plan's directory, else the homeserver name mapped through
    `servers` (federation: one homeserver per ministry), else the server name itself."""

    directory: Mapping[str, str] = field(default_factory=dict)
    servers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_plan(cls, plan: Plan, servers: Mapping[str, str] | None = None) -> MinistryResolver:
        """The resolver for a plan's directory and an optional server → ministry mapping."""
        directory = {person.user_id: person.ministry for person in plan.directory}
        return cls(directory, dict(servers or {}))

    def __call__(self, user_id: str) -> str:
        if user_id in self.directory:
            return self.directory[user_id]
        if user_id.startswith("mailto:"):  # mail from outside the directory: by its domain
            domain = user_id.rpartition("@")[2].lower()
            return self.servers.get(domain, domain)
        _, colon, server = user_id.partition(":")
        if not colon:
            return user_id
        return self.servers.get(server, server)


@dataclass(frozen=True)
class Weights:
    """How much one interaction of each kind adds to an edge. A meeting weighs most (people
    spent an hour together), a shared thread least (they may only have read each other)."""

    reply: float = 1.0
    mention: float = 1.0
    thread: float = 0.5
    meeting: float = 2.0

    def of(self, kind: InteractionKind) -> float:
        return float(getattr(self, kind))


@dataclass(frozen=True)
class Scope:
    """What the map covers: everything, one goal or one core task (by key)."""

    level: ScopeLevel = "all"
    key: str | None = None

    @classmethod
    def of(cls, plan: Plan, key: str | None) -> Scope:
        """The scope for a plan key: a goal, or the core task of any task; KeyError if unknown."""
        if not key:
            return cls()
        if any(goal.key == key for goal in plan.goals):
            return cls("goal", key)
        core = plan.core_of(key)
        if core is None:
            raise KeyError(key)
        return cls("core", core.key)

    def cores(self, plan: Plan) -> tuple[CoreTask, ...]:
        """The core tasks the scope covers, in plan order."""
        cores = plan.core_tasks()
        if self.level == "goal":
            return tuple(core for core in cores if core.goal_key == self.key)
        if self.level == "core":
            return tuple(core for core in cores if core.key == self.key)
        return cores


ALL = Scope()


def core_index(plan: Plan) -> dict[str, str]:
    """Every core, unit and detailed task key → its core task's key (how a room's task key,
    at any level, finds its core task)."""
    index: dict[str, str] = {}
    for core in plan.core_tasks():
        index[core.key] = core.key
        for unit in core.unit_tasks:
            index[unit.key] = core.key
            index.update((detail.key, core.key) for detail in unit.detailed)
    return index


@dataclass(frozen=True)
class KindCounts:
    """How many interactions of each kind."""

    reply: int = 0
    mention: int = 0
    thread: int = 0
    meeting: int = 0

    def total(self) -> int:
        return self.reply + self.mention + self.thread + self.meeting


@dataclass(frozen=True)
class Trend:
    """A figure now and in the previous period of the same length."""

    current: float
    previous: float

    @property
    def change(self) -> float | None:
        """Relative change (0.25 is +25%); None when there was nothing before."""
        return None if self.previous == 0 else (self.current - self.previous) / self.previous

    @property
    def arrow(self) -> str:
        """▲ up (or new), ▼ down, – unchanged."""
        if self.current > self.previous:
            return "▲"
        return "▼" if self.current < self.previous else "–"


@dataclass(frozen=True)
class MinistryNode:
    """A ministry on the map: its messages, the interactions it took part in (same-ministry
    ones too) and its cross-ministry weight (the sum of its edges)."""

    name: str
    messages: int
    interactions: int
    cross_weight: float

    @property
    def activity(self) -> int:
        return self.messages + self.interactions


@dataclass(frozen=True)
class Edge:
    """Cross-ministry collaboration between `a` and `b` (a < b): weighted sum, counts by kind,
    and the weight in the previous period."""

    a: str
    b: str
    weight: float
    counts: KindCounts
    previous: float = 0.0

    @property
    def trend(self) -> Trend:
        return Trend(self.weight, self.previous)


@dataclass(frozen=True)
class TaskShare:
    """A core task's interactions: `cross` of `total` weight crossed ministries."""

    core_key: str
    interactions: int
    total: float
    cross: float

    @property
    def share(self) -> float | None:
        """Cross-ministry share of the weight; None when the task saw no interaction."""
        return self.cross / self.total if self.total else None


@dataclass(frozen=True)
class MissingPair:
    """Two ministries that share a WG (`core_keys`) but did not interact in the period."""

    a: str
    b: str
    core_keys: tuple[str, ...]


@dataclass(frozen=True)
class DisputeEdge:
    """Disagreements (`!이견`) between `a` and `b` (a < b) that were open at some time in the
    period: `open` of them still open at its end. Counted apart from collaboration."""

    a: str
    b: str
    open: int
    total: int


@dataclass(frozen=True)
class CollabReport:
    """The collaboration map of a period `[start, end)` and a scope. `edges` are heaviest
    first; `faded` are pairs that collaborated in the previous period but not in this one;
    `silos` are the tasks whose cross-ministry share is under `silo_threshold`; `quiet` the
    tasks in scope without any interaction; `total` is the cross-ministry weight's trend."""

    start: datetime
    end: datetime
    scope: Scope
    weights: Weights
    silo_threshold: float
    nodes: tuple[MinistryNode, ...]
    edges: tuple[Edge, ...]
    faded: tuple[Edge, ...]
    tasks: tuple[TaskShare, ...]
    silos: tuple[TaskShare, ...]
    quiet: tuple[str, ...]
    strongest: tuple[Edge, ...]
    missing: tuple[MissingPair, ...]
    total: Trend
    interactions: Trend
    disputes: tuple[DisputeEdge, ...] = ()
    """Pairs of ministries in disagreement, most disagreements first (not collaboration)."""

    def edge(self, a: str, b: str) -> Edge | None:
        """The edge between two ministries, in either order."""
        low, high = sorted((a, b))
        return next((e for e in self.edges if (e.a, e.b) == (low, high)), None)

    def node(self, name: str) -> MinistryNode | None:
        return next((n for n in self.nodes if n.name == name), None)
