"""What the digest builders read, gathered from storage: the plan's working groups and their
rooms, a window of archived messages, records, today's meetings with RSVP counts.

Reads are batched across every WG (one archive query, one query per record kind) so a run over
a hundred rooms costs a handful of queries, and the builders stay pure (`commands.digests.model`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from commands.digests.analysis import strip_fallback
from commands.digests.disputes import to_dispute
from commands.digests.model import (
    Action,
    Blocker,
    Decision,
    DigestInput,
    MeetingToday,
    QuietMode,
    WgInfo,
)
from commands.digests.period import Period, message_window
from commands.meetings import join_link, schedule_of
from commands.plan import COMMITTEE_KEY, CoreTask, Plan
from storage.archive import ArchivedMessage
from storage.digests import MessageRow
from storage.meetings import invitees_of
from storage.records import ActionRecord, BlockerRecord, DecisionRecord
from storage.repositories import Repositories


@dataclass(frozen=True)
class WgScope:
    """A working group as digests see it: its core task, its room, and every room of it (the
    WG room and its unit-task rooms, which share its records)."""

    core: CoreTask
    room_id: str
    room_ids: tuple[str, ...]


async def wg_scopes(repos: Repositories, plan: Plan) -> list[WgScope]:
    """The plan's WGs that have a room, in plan order."""
    records = await repos.plan_rooms.all(plan.key)
    units: dict[str, list[str]] = defaultdict(list)
    for planned in plan.rooms():
        if planned.level == "unit" and planned.parent_key and planned.key in records:
            units[planned.parent_key].append(records[planned.key].room_id)
    return [
        WgScope(core, records[core.key].room_id, (records[core.key].room_id, *units[core.key]))
        for core in plan.core_tasks()
        if core.key in records
    ]


async def scope_of_room(repos: Repositories, plan: Plan | None, room_id: str) -> WgScope | None:
    """The WG a room belongs to (its WG room or one of its unit-task rooms), if any."""
    if plan is None:
        return None
    return next((s for s in await wg_scopes(repos, plan) if room_id in s.room_ids), None)


async def committee_room(repos: Repositories, plan: Plan) -> str | None:
    record = (await repos.plan_rooms.all(plan.key)).get(COMMITTEE_KEY)
    return record.room_id if record else None


def wg_info(plan: Plan, scope: WgScope) -> WgInfo:
    """The WG's names, room, and each listed person's ministry and name (the plan's directory)."""
    return WgInfo(
        key=scope.core.key,
        name_ko=scope.core.name_ko,
        name_en=scope.core.name_en,
        room_id=scope.room_id,
        ministry_of={p.user_id: p.ministry for p in plan.directory},
        display_names={p.user_id: p.name for p in plan.directory},
    )


def to_msg(row: MessageRow, zone: tzinfo | None = None) -> ArchivedMessage:
    """An archived message as the builders take it, without its reply fallback, its time in
    `zone`: datetimes that share the period's zone compare without computing UTC offsets,
    which counts over a 100k-message day."""
    event_id, room_id, sender, sent_at, body, thread_root, reply_to, mentions = row
    return ArchivedMessage(
        event_id,
        room_id,
        sender,
        sent_at.astimezone(zone) if zone else sent_at,
        strip_fallback(body) if body.startswith("> ") else body,
        thread_root,
        reply_to,
        mentions,
    )


def to_action(record: ActionRecord) -> Action:
    return Action(
        record.label,
        record.text,
        record.owners,
        record.due,
        record.done,
        record.created_at,
        record.room_id,
        record.done_at,
    )


def to_decision(record: DecisionRecord) -> Decision:
    """Who took the decision is who said it when it was recorded from a message."""
    author = record.source_sender or record.author
    return Decision(record.label, record.text, author, record.created_at, record.permalink)


def to_blocker(record: BlockerRecord) -> Blocker:
    return Blocker(record.label, record.text, record.created_at, record.escalated_at is not None)


async def meetings_today(
    repos: Repositories,
    settings: Any,
    room_ids: Sequence[str],
    today: date,
    for_user: str | None = None,
) -> list[MeetingToday]:
    """Occurrences starting today (local) of the rooms' meetings, with RSVP counts. With
    `for_user`, only those they organise, are invited to, or that invite nobody in particular
    (the whole room), and their join links carry their identity."""
    zone = settings.tz
    today_starts = []
    for meeting in await repos.meetings.scheduled(room_ids):
        invited = invitees_of(meeting)
        if for_user and not (for_user == meeting.organizer or for_user in invited or not invited):
            continue
        starts = [s for s in schedule_of(meeting).held if s.astimezone(zone).date() == today]
        if starts:
            today_starts.append((meeting, starts))
    rsvps = await repos.digests.rsvp_counts([m.id or 0 for m, _ in today_starts])
    found = []
    for meeting, starts in today_starts:
        length = timedelta(minutes=meeting.duration_minutes)
        answers = rsvps.get(meeting.id or 0, {})
        link = join_link(meeting, settings, for_user)
        found += [
            MeetingToday(
                meeting.title,
                start,
                start + length,
                link,
                answers.get("yes", 0),
                answers.get("no", 0),
                answers.get("maybe", 0),
                meeting.room_id,
            )
            for start in starts
        ]
    return found


def _by_room(items: Iterable[Any]) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        grouped[item.room_id].append(item)
    return grouped


def _in(grouped: Mapping[str, list[Any]], rooms: Sequence[str]) -> list[Any]:
    return [item for room in rooms for item in grouped.get(room, ())]


async def gather_wgs(
    repos: Repositories,
    settings: Any,
    plan: Plan,
    scopes: Sequence[WgScope],
    period: Period,
    today: date,
    quiet: QuietMode | None = None,
) -> list[DigestInput]:
    """Each WG's digest input for `period`, read in one pass over storage, its times in the
    deployment's zone (what the builders show). `quiet` overrides the WG's own quiet mode (and
    DIGEST_QUIET); `!digest now` always answers."""
    rooms = [room for scope in scopes for room in scope.room_ids]
    zone = settings.tz
    start, end = period[0].astimezone(zone), period[1].astimezone(zone)
    window = message_window(period)
    rows = await repos.digests.message_rows(rooms, *window)
    messages = _by_room(to_msg(row, zone) for row in rows)
    decisions = _by_room(
        d for d in await repos.records.decisions(rooms, since=start) if d.created_at < end
    )
    actions = _by_room(await repos.records.actions(rooms, done_since=start))
    blockers = _by_room(await repos.records.blockers(rooms))
    disputes = _by_room(await repos.disputes.disputes(rooms))
    long_days = settings.dispute_exec_days
    meetings = _by_room(await meetings_today(repos, settings, rooms, today))
    modes = await repos.digests.quiet_modes()
    inputs = []
    for scope in scopes:
        wg_rooms = scope.room_ids
        mode = quiet or modes.get(scope.room_id) or settings.digest_quiet
        inputs.append(
            DigestInput(
                wg=wg_info(plan, scope),
                period_start=start,
                period_end=end,
                today=today,
                messages=sorted(_in(messages, wg_rooms), key=lambda m: m.sent_at),
                decisions_new=[to_decision(d) for d in _in(decisions, wg_rooms)],
                actions=[to_action(a) for a in _in(actions, wg_rooms)],
                blockers_open=[to_blocker(b) for b in _in(blockers, wg_rooms)],
                disputes_open=[
                    to_dispute(d, today, zone, long_days) for d in _in(disputes, wg_rooms)
                ],
                meetings_today=_in(meetings, wg_rooms),
                quiet_mode="none" if mode == "none" else "line",
            )
        )
    return inputs


async def previous_counts(
    repos: Repositories, scopes: Sequence[WgScope], period: Period
) -> dict[str, int]:
    """Each WG's messages in `period` (the executive digest's trend baseline), by WG key."""
    rooms = [room for scope in scopes for room in scope.room_ids]
    counts = await repos.digests.message_counts(rooms, *period)
    return {s.core.key: sum(counts.get(room, 0) for room in s.room_ids) for s in scopes}


def local_day(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date()
