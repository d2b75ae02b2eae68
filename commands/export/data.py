"""What a records export holds, gathered from storage for one working group or a whole plan.

An export is the disclosure record of a WG (or of the plan, asked in the committee room):
its decisions, actions, blockers and disagreements between ministries (with every
position stated and the outcome), its meetings with who attended and the trips that video
meetings avoided, the digests the bot sent, and the audit log of chair commands. Everything is
read completely and in a fixed order, so the same database gives the same export, and
`commands.export.json_format` can write it out and read it back unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from commands.meetings import (
    HeldMeeting,
    Savings,
    TravelTable,
    load_travel_table,
    savings,
    schedule_of,
)
from commands.plan import COMMITTEE_KEY, Plan
from storage.digests import SentDigest
from storage.disputes import DisputeRecord
from storage.meetings import invitees_of
from storage.models import Meeting
from storage.records import ActionRecord, BlockerRecord, DecisionRecord
from storage.reports import AuditRecord
from storage.repositories import Repositories

DIGEST_KINDS_OF_A_PLAN = ("wg", "executive")
R = TypeVar("R", ActionRecord, DecisionRecord, BlockerRecord, DisputeRecord)


@dataclass(frozen=True)
class ExportScope:
    """What an export covers: `name` is the plan key, a core task key or a room id."""

    name: str
    room_ids: tuple[str, ...]
    plan_wide: bool = False


@dataclass(frozen=True)
class HeldOccurrence:
    """One occurrence of a meeting that took place: who attended (the organizer and the
    invitees who did not decline) and the round trips it avoided."""

    start: datetime
    attendees: tuple[str, ...]
    savings: Savings


@dataclass(frozen=True)
class MeetingRecord:
    """A meeting (or series) as exported; `rsvps` are (user, answer) pairs by user."""

    id: int
    room_id: str
    number: int
    title: str
    organizer: str
    starts_at: datetime
    duration_minutes: int
    recurrence: str | None
    status: str
    invitees: tuple[str, ...]
    rsvps: tuple[tuple[str, str], ...]
    held: tuple[HeldOccurrence, ...]


@dataclass(frozen=True)
class RecordsExport:
    """Everything exported, for `[since, until)` (open ends when None)."""

    scope: ExportScope
    since: datetime | None
    until: datetime | None
    generated_at: datetime
    decisions: tuple[DecisionRecord, ...]
    actions: tuple[ActionRecord, ...]
    blockers: tuple[BlockerRecord, ...]
    meetings: tuple[MeetingRecord, ...]
    savings: Savings
    digests: tuple[SentDigest, ...]
    audit: tuple[AuditRecord, ...]
    disputes: tuple[DisputeRecord, ...] = ()


async def _planned(repos: Repositories, plan: Plan) -> dict[str, str]:
    records = await repos.plan_rooms.all(plan.key)
    return {r.room_id: r.node_key for r in records.values() if r.kind == "room"}


async def plan_scope(repos: Repositories, plan: Plan) -> ExportScope:
    """Every room of the plan (WG, unit-task and committee rooms)."""
    return ExportScope(plan.key, tuple(sorted(await _planned(repos, plan))), plan_wide=True)


async def wg_scope(repos: Repositories, plan: Plan, key: str) -> ExportScope | None:
    """The rooms of the WG of a core task (or of a task under it); None for other keys."""
    core = plan.core_of(key)
    if core is None:
        return None
    rooms = await _planned(repos, plan)
    mine = [room for room, node in rooms.items() if (found := plan.core_of(node)) and found == core]
    return ExportScope(core.key, tuple(sorted(mine)))


async def scope_of_room(repos: Repositories, plan: Plan | None, room_id: str) -> ExportScope:
    """The whole plan from the committee room, the WG from one of its rooms, else the room."""
    record = await repos.plan_rooms.by_room(room_id)
    if plan is not None and record is not None and record.plan_key == plan.key:
        if record.node_key == COMMITTEE_KEY:
            return await plan_scope(repos, plan)
        found = await wg_scope(repos, plan, record.node_key)
        if found is not None:
            return found
    return ExportScope(room_id, (room_id,))


def _within(moment: datetime, since: datetime | None, until: datetime | None) -> bool:
    return (since is None or moment >= since) and (until is None or moment < until)


def _offices(plan: Plan | None, users: Sequence[str]) -> list[str]:
    found = [plan.person(user) for user in users] if plan else []
    return [person.office for person in found if person is not None]


async def _meeting(
    repos: Repositories,
    item: Meeting,
    window: tuple[datetime | None, datetime | None, datetime],
    plan: Plan | None,
    table: TravelTable,
) -> MeetingRecord:
    since, until, now = window
    answers = await repos.meetings.rsvps(item.id or 0)
    invitees = tuple(invitees_of(item))
    coming = [user for user in invitees if answers.get(user) != "no"]
    organizer = plan.person(item.organizer) if plan else None
    length = timedelta(minutes=item.duration_minutes)
    held = []
    for start in schedule_of(item).held if item.status == "scheduled" else []:
        if start + length > now or not _within(start, since, until):
            continue
        saved = Savings(meetings=1)
        if organizer is not None:
            one = HeldMeeting("-", organizer.office, _offices(plan, coming), f"{start:%Y-%m}")
            saved = savings([one], table).total
        held.append(HeldOccurrence(start, tuple(dict.fromkeys([item.organizer, *coming])), saved))
    return MeetingRecord(
        id=item.id or 0,
        room_id=item.room_id,
        number=item.number,
        title=item.title,
        organizer=item.organizer,
        starts_at=item.starts_at,
        duration_minutes=item.duration_minutes,
        recurrence=item.recurrence,
        status=item.status,
        invitees=invitees,
        rsvps=tuple(sorted(answers.items())),
        held=tuple(held),
    )


async def gather_export(
    repos: Repositories,
    plan: Plan | None,
    scope: ExportScope,
    *,
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    table: TravelTable | None = None,
) -> RecordsExport:
    """Read everything of `scope` recorded in `[since, until)`: records by creation time,
    meetings that were held in it, digests by day, audit entries by time."""
    rooms = list(scope.room_ids)
    travel = table or load_travel_table()
    meetings = [
        await _meeting(repos, item, (since, until, now), plan, travel)
        for item in await repos.meetings.in_rooms(rooms)
    ]
    if since is not None or until is not None:
        meetings = [m for m in meetings if m.held or _within(m.starts_at, since, until)]
    records = repos.records
    return RecordsExport(
        scope=scope,
        since=since,
        until=until,
        generated_at=now,
        decisions=_created(await records.decisions(rooms), since, until),
        actions=_created(await records.actions(rooms, include_done=True), since, until),
        blockers=_created(await records.blockers(rooms, include_resolved=True), since, until),
        meetings=tuple(meetings),
        savings=sum((h.savings for m in meetings for h in m.held), Savings()),
        digests=await _digests(repos, scope, since, until),
        audit=tuple(await repos.reports.audit(rooms, since, until)),
        disputes=_created(await repos.disputes.disputes(rooms, include_closed=True), since, until),
    )


async def _digests(
    repos: Repositories, scope: ExportScope, since: datetime | None, until: datetime | None
) -> tuple[SentDigest, ...]:
    """WG digests of the scope's rooms; for a whole plan also the executive digests (personal
    digests are people's own business and stay out)."""
    last_day = (until - timedelta(microseconds=1)).date() if until else None
    found = await repos.reports.digests(
        None if scope.plan_wide else scope.room_ids,
        since.date() if since else None,
        last_day,
        DIGEST_KINDS_OF_A_PLAN if scope.plan_wide else ("wg",),
    )
    return tuple(found)


def _created(items: Sequence[R], since: datetime | None, until: datetime | None) -> tuple[R, ...]:
    return tuple(item for item in items if _within(item.created_at, since, until))
