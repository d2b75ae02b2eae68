"""Disagreements between ministries on the collaboration map: an edge of their own between
each pair of parties, counted apart from collaboration (a dispute is not an interaction)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from itertools import combinations

from commands.collab.model import DisputeEdge, Scope, core_index
from commands.plan import Plan
from storage.disputes import DisputeRecord


def _during(record: DisputeRecord, start: datetime, end: datetime) -> bool:
    """Raised before the period ended and not closed before it began."""
    return record.created_at < end and (record.closed_at is None or record.closed_at >= start)


def dispute_edges(
    records: Iterable[DisputeRecord],
    room_tasks: Mapping[str, str],
    plan: Plan,
    scope: Scope,
    start: datetime,
    end: datetime,
) -> tuple[DisputeEdge, ...]:
    """One edge per pair of party ministries of the disputes of the scope's rooms that were
    open in `[start, end)`; most disagreements first, then by name."""
    cores = {core.key for core in scope.cores(plan)}
    index = core_index(plan)
    total: Counter[tuple[str, str]] = Counter()
    still: Counter[tuple[str, str]] = Counter()
    for record in records:
        core = index.get(room_tasks.get(record.room_id, ""))
        if core not in cores or not _during(record, start, end):
            continue
        open_at_end = record.closed_at is None or record.closed_at >= end
        for a, b in combinations(sorted(set(record.parties)), 2):
            total[a, b] += 1
            still[a, b] += open_at_end
    edges = [DisputeEdge(a, b, still[a, b], count) for (a, b), count in total.items()]
    return tuple(sorted(edges, key=lambda e: (-e.total, -e.open, e.a, e.b)))
