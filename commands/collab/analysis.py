"""The collaboration map's analysis: who worked with whom across ministries, in a period and a
scope, compared with the period before.

`interactions_from` turns archived messages and meeting attendance into `Interaction` records;
`analyse` turns those into a `CollabReport`. Edges join two different ministries and weigh
their replies, mentions, shared threads and co-attended meetings (`Weights`: by default 1, 1,
0.5 and 2); same-ministry interactions count as activity and in the task shares, never as an
edge. Both functions are pure and linear in their input (plus sorting).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations

from commands.collab.model import (
    ALL,
    Attendance,
    CollabReport,
    Edge,
    Interaction,
    KindCounts,
    MessageLike,
    MinistryNode,
    MinistryResolver,
    MissingPair,
    Post,
    Scope,
    TaskShare,
    Trend,
    Weights,
    core_index,
)
from commands.plan import CoreTask, Plan

SILO_THRESHOLD = 0.2
TOP_N = 5
Pair = tuple[str, str]


def interactions_from(
    messages: Iterable[MessageLike],
    meetings: Iterable[Attendance] = (),
    *,
    room_tasks: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
) -> tuple[Interaction, ...]:
    """Interactions in archived messages and meeting attendance, oldest first.

    A reply links the replier and the replied-to message's sender (so pass the messages a
    period's replies point at too). Thread messages carry a fallback `m.in_reply_to` that the
    archive does not tell from a real reply, so a reply inside its own thread is left to the
    thread pair. A mention links the sender and each mentioned user, except the replied-to
    sender, whom clients add to `m.mentions` on every reply. A thread links each pair of its
    distinct senders (root included) once, when the later of the two first posted in it. A
    meeting links each pair of attendees. `room_tasks` maps a room to its plan key; `ignore`
    drops users (the bot) everywhere.
    """
    tasks = dict(room_tasks or {})
    skip = frozenset(ignore)
    everything = list(messages)
    by_id = {m.event_id: m for m in everything}
    own = [m for m in everything if m.sender not in skip]
    found = [
        *_replies(own, by_id, tasks, skip),
        *_mentions(own, by_id, tasks, skip),
        *_threads(own, by_id, tasks),
        *_meetings(meetings, tasks, skip),
    ]
    return tuple(sorted(found, key=lambda i: (i.at, i.kind, i.a_user, i.b_user, i.room_id)))


def posts_from(
    messages: Iterable[MessageLike],
    *,
    room_tasks: Mapping[str, str] | None = None,
    ignore: Iterable[str] = (),
) -> tuple[Post, ...]:
    """Each archived message as a `Post` of its sender (the nodes' message counts)."""
    tasks = dict(room_tasks or {})
    skip = frozenset(ignore)
    return tuple(
        Post(m.sender, m.sent_at, m.room_id, tasks.get(m.room_id))
        for m in messages
        if m.sender not in skip
    )


def _reply_target(m: MessageLike, by_id: Mapping[str, MessageLike]) -> MessageLike | None:
    return by_id.get(m.reply_to) if m.reply_to else None


def _replies(
    own: Sequence[MessageLike],
    by_id: Mapping[str, MessageLike],
    tasks: Mapping[str, str],
    skip: frozenset[str],
) -> Iterator[Interaction]:
    for m in own:
        target = _reply_target(m, by_id)
        if target is None or target.sender in skip or target.sender == m.sender:
            continue
        if m.thread_root and m.thread_root in (target.event_id, target.thread_root):
            continue
        yield Interaction(
            "reply", m.sender, target.sender, m.sent_at, m.room_id, tasks.get(m.room_id)
        )


def _mentions(
    own: Sequence[MessageLike],
    by_id: Mapping[str, MessageLike],
    tasks: Mapping[str, str],
    skip: frozenset[str],
) -> Iterator[Interaction]:
    for m in own:
        target = _reply_target(m, by_id)
        replied = target.sender if target else None
        for user in dict.fromkeys(m.mentions):
            if user not in (m.sender, replied) and user not in skip:
                yield Interaction(
                    "mention", m.sender, user, m.sent_at, m.room_id, tasks.get(m.room_id)
                )


def _threads(
    own: Sequence[MessageLike], by_id: Mapping[str, MessageLike], tasks: Mapping[str, str]
) -> Iterator[Interaction]:
    roots = {m.thread_root for m in own if m.thread_root}
    first: dict[str, dict[str, datetime]] = defaultdict(dict)
    rooms: dict[str, str] = {}
    for m in own:
        root = m.thread_root or (m.event_id if m.event_id in roots else None)
        if root is None:
            continue
        rooms.setdefault(root, by_id[root].room_id if root in by_id else m.room_id)
        seen = first[root]
        seen[m.sender] = min(seen.get(m.sender, m.sent_at), m.sent_at)
    for root, seen in first.items():
        for a, b in combinations(sorted(seen), 2):
            at = max(seen[a], seen[b])
            yield Interaction("thread", a, b, at, rooms[root], tasks.get(rooms[root]))


def _meetings(
    meetings: Iterable[Attendance], tasks: Mapping[str, str], skip: frozenset[str]
) -> Iterator[Interaction]:
    for meeting in meetings:
        people = sorted({user for user in meeting.attendees if user not in skip})
        task = tasks.get(meeting.room_id)
        for a, b in combinations(people, 2):
            yield Interaction("meeting", a, b, meeting.start, meeting.room_id, task)


def analyse(
    plan: Plan,
    interactions: Iterable[Interaction],
    start: datetime,
    end: datetime,
    *,
    scope: Scope = ALL,
    posts: Iterable[Post] = (),
    resolver: Callable[[str], str] | None = None,
    weights: Weights | None = None,
    silo_threshold: float = SILO_THRESHOLD,
    top_n: int = TOP_N,
) -> CollabReport:
    """The collaboration map of `[start, end)` in `scope`, with trends against the period of the
    same length just before. Interactions without a task count only in the whole-plan scope.
    Nodes are the ministries active in the period plus those of the scope's WGs (a silent WG
    ministry is a finding too). A task is a silo when its cross-ministry share of the weight is
    under `silo_threshold`; a WG pair is missing when it has no edge in the period."""
    resolve = resolver or MinistryResolver.from_plan(plan)
    weigh = weights or Weights()
    cores = scope.cores(plan)
    core_of = core_index(plan)
    keys = {core.key for core in cores}

    def wanted(task_key: str | None) -> bool:
        return scope.level == "all" or (task_key is not None and core_of.get(task_key) in keys)

    items = [i for i in interactions if wanted(i.task_key)]
    before = start - (end - start)
    now = _tally((i for i in items if start <= i.at < end), resolve, weigh, core_of)
    then = _tally((i for i in items if before <= i.at < start), resolve, weigh, core_of)
    edges, faded = _edges(now, then)
    tasks = tuple(now.share(core.key) for core in cores)
    active = [p for p in posts if start <= p.at < end and wanted(p.task_key)]
    return CollabReport(
        start=start,
        end=end,
        scope=scope,
        weights=weigh,
        silo_threshold=silo_threshold,
        nodes=_nodes(active, now, cores, resolve),
        edges=edges,
        faded=faded,
        tasks=tasks,
        silos=tuple(t for t in tasks if t.share is not None and t.share < silo_threshold),
        quiet=tuple(t.core_key for t in tasks if t.interactions == 0),
        strongest=edges[: max(top_n, 0)],
        missing=_missing(cores, resolve, now.weight),
        total=Trend(sum(now.weight.values()), sum(then.weight.values())),
        interactions=Trend(now.count, then.count),
    )


@dataclass
class _Tally:
    """Running sums over one period's interactions."""

    weight: dict[Pair, float] = field(default_factory=lambda: defaultdict(float))
    kinds: dict[Pair, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    touched: Counter[str] = field(default_factory=Counter)
    task_count: Counter[str] = field(default_factory=Counter)
    task_total: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    task_cross: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    count: int = 0

    def share(self, core_key: str) -> TaskShare:
        return TaskShare(
            core_key,
            self.task_count[core_key],
            self.task_total.get(core_key, 0.0),
            self.task_cross.get(core_key, 0.0),
        )


def _tally(
    items: Iterable[Interaction],
    resolve: Callable[[str], str],
    weights: Weights,
    core_of: Mapping[str, str],
) -> _Tally:
    tally = _Tally()
    for item in items:
        if item.a_user == item.b_user:
            continue
        a, b = resolve(item.a_user), resolve(item.b_user)
        weight = weights.of(item.kind)
        tally.count += 1
        tally.touched.update({a, b})
        core = core_of.get(item.task_key) if item.task_key else None
        if core is not None:
            tally.task_count[core] += 1
            tally.task_total[core] += weight
        if a == b:
            continue
        pair = (a, b) if a < b else (b, a)
        tally.weight[pair] += weight
        tally.kinds[pair][item.kind] += 1
        if core is not None:
            tally.task_cross[core] += weight
    return tally


def _edges(now: _Tally, then: _Tally) -> tuple[tuple[Edge, ...], tuple[Edge, ...]]:
    """This period's edges, heaviest first, and the pairs only the previous one had (faded)."""

    def edge(pair: Pair) -> Edge:
        counts = KindCounts(**now.kinds[pair]) if pair in now.kinds else KindCounts()
        return Edge(pair[0], pair[1], now.weight.get(pair, 0.0), counts, then.weight.get(pair, 0.0))

    current = sorted(map(edge, now.weight), key=lambda e: (-e.weight, e.a, e.b))
    faded = [edge(pair) for pair in then.weight if pair not in now.weight]
    faded.sort(key=lambda e: (-e.previous, e.a, e.b))
    return tuple(current), tuple(faded)


def _nodes(
    posts: Sequence[Post], now: _Tally, cores: Sequence[CoreTask], resolve: Callable[[str], str]
) -> tuple[MinistryNode, ...]:
    messages = Counter(resolve(p.user) for p in posts)
    cross: dict[str, float] = defaultdict(float)
    for (a, b), weight in now.weight.items():
        cross[a] += weight
        cross[b] += weight
    names = {*messages, *now.touched}
    names.update(resolve(user) for core in cores for user in core.wg.everyone())
    nodes = [MinistryNode(n, messages[n], now.touched[n], cross.get(n, 0.0)) for n in names]
    nodes.sort(key=lambda n: (-n.activity, -n.cross_weight, n.name))
    return tuple(nodes)


def _missing(
    cores: Sequence[CoreTask], resolve: Callable[[str], str], weight: Mapping[Pair, float]
) -> tuple[MissingPair, ...]:
    """WG ministry pairs without an edge, in plan order of the first WG they share."""
    shared: dict[Pair, list[str]] = {}
    for core in cores:
        ministries = sorted({resolve(user) for user in core.wg.everyone()})
        for pair in combinations(ministries, 2):
            if not weight.get(pair):
                shared.setdefault(pair, []).append(core.key)
    return tuple(MissingPair(a, b, tuple(keys)) for (a, b), keys in shared.items())
