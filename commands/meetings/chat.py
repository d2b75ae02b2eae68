"""`!meeting` / `!회의`: video meetings scheduled from the task room."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from commands.context import Context
from commands.errors import NotFound, PermissionDenied, UserInputError
from commands.framework import Arg, group
from commands.meetings.calendar import meeting_ics
from commands.meetings.jobs import schedule_meeting, schedule_of
from commands.meetings.mailed import (
    external_invitees,
    failure_note,
    is_address,
    mail_invitations,
    require_mail_out,
)
from commands.meetings.recurrence import Recurrence
from commands.meetings.render import RSVP_KEYS, announcement, details
from commands.meetings.video import conference_name
from commands.meetings.widgets import take_down
from commands.render import shown
from commands.roles import is_chair
from commands.when import format_span, parse_duration, parse_when, split_when
from storage.meetings import cancelled_of, invitees_of
from storage.models import Meeting

DEFAULT_MINUTES = 60
TITLE_MAX_CHARS = 255
"""What the meetings table keeps; a longer title is refused, not cut."""

meeting = group(
    "meeting",
    aliases=("회의",),
    help_ko="화상회의 예약·관리",
    help_en="Schedule and manage video meetings",
)


def _until(raw: str) -> date:
    return parse_when(raw, allow_past=True).at.date()


def meeting_number(raw: str) -> int:
    text = raw.removeprefix("#")
    if not text.isdigit():
        raise UserInputError(
            f"회의 번호가 아닙니다: {shown(raw, 40)}", f"Not a meeting number: {shown(raw, 40)}"
        )
    return int(text)


def _user(raw: str, sender: str) -> str:
    if is_address(raw.lower()):
        return raw.lower()
    user = "@" + raw.lstrip("@")
    return user if ":" in user else f"{user}:{sender.split(':', 1)[1]}"


def parse_spec(ctx: Context, spec: str) -> tuple[Any, int, str, list[str]]:
    """WHEN [DURATION] TITLE [@invitee…] → (when, minutes, title, invitees)."""
    tokens = spec.split()
    when, rest = split_when(tokens, now=ctx.clock(), tz=ctx.settings.timezone)
    minutes = DEFAULT_MINUTES
    if rest:
        try:
            minutes = int(parse_duration(rest[0]).total_seconds() // 60)
            rest = rest[1:]
        except UserInputError:
            pass
    invitees = [_user(t, ctx.sender) for t in rest if t.startswith("@")]
    title = " ".join(t for t in rest if not t.startswith("@")).strip()
    if not title:
        raise UserInputError("회의 제목이 필요합니다.", "The meeting needs a title.")
    if len(title) > TITLE_MAX_CHARS:
        raise UserInputError(
            f"회의 제목이 너무 깁니다. {TITLE_MAX_CHARS}자 이내로 적어 주세요.",
            f"The meeting title is too long. Keep it under {TITLE_MAX_CHARS} characters.",
        )
    if not when.has_time:
        raise UserInputError(
            "시각이 필요합니다 (예: 내일 오후 2시).", "A time is needed (e.g. tomorrow 2pm)."
        )
    return when, minutes, title, list(dict.fromkeys(invitees))


async def _require_scheduler(ctx: Context, organizer: str | None = None) -> None:
    if organizer is not None and ctx.sender == organizer:
        return
    if organizer is None and ctx.settings.meetings_open_to_members:
        return
    if not await is_chair(ctx):
        raise PermissionDenied(
            "이 명령은 의장(WG 의장) 권한이 필요합니다.", "This command needs the chair role."
        )


async def _find(ctx: Context, raw: str) -> Meeting:
    found = await ctx.repos.meetings.by_number(ctx.room_id, meeting_number(raw))
    if found is None:
        raise NotFound(
            f"회의 {shown(raw, 40)}을(를) 찾을 수 없습니다.",
            f"No meeting {shown(raw, 40)} in this room.",
        )
    return found


async def announce(ctx: Context, item: Meeting, reply: bool = True) -> None:
    """Post the card (reactions on it are RSVPs), pre-react, attach the .ics, schedule."""
    if ctx.jobs is not None:
        await schedule_meeting(ctx.jobs, item, ctx.settings.meeting_reminders, ctx.clock())
    schedule = schedule_of(item)
    start = schedule.next_held(ctx.clock()) or item.starts_at
    card = announcement(item, start, ctx.settings, ctx.names())
    if schedule.skipped:
        skipped = ", ".join(f"{s:%Y-%m-%d} ({name})" for s, name in schedule.skipped[:5])
        card = type(card)(
            card.body + ctx.t(f"\n공휴일 건너뜀: {skipped}", f"\nSkipped for holidays: {skipped}"),
            card.html + f"<p>{ctx.t('공휴일 건너뜀', 'Skipped for holidays')}: {skipped}</p>",
            card.mentions,
        )
    event_id = await (
        ctx.reply(card) if reply else ctx.messenger.send_notice(ctx.room_id, card, None, None)
    )
    await ctx.repos.meetings.set_announcement(item.id or 0, event_id)
    item.announcement_event_id = event_id
    for key in RSVP_KEYS:
        await ctx.messenger.react(ctx.room_id, event_id, key)
    await ctx.send_file(
        f"meeting-{item.number}.ics", meeting_ics(item, ctx.settings), "text/calendar"
    )


@meeting.command(
    "add",
    aliases=("추가", "예약"),
    args=(
        Arg("spec", rest=True),
        Arg("every", Recurrence.parse, option=True, optional=True, words=("반복",)),
        Arg("until", _until, option=True, optional=True, words=("종료일",)),
    ),
    help_en="Schedule: WHEN [DURATION] TITLE [@invitee…] [--every week|2weeks|month] "
    "[--until DATE]",
)
async def add(ctx: Context, spec: str, every: Recurrence | None, until: date | None) -> None:
    """회의 예약: 언제 [길이] 제목 [@초대…] [--every 매주|격주|매월] [--until 날짜]"""
    await _require_scheduler(ctx)
    when, minutes, title, invitees = parse_spec(ctx, spec)
    if until is not None and every is None:
        raise UserInputError("--until 은 --every 와 함께 씁니다.", "--until needs --every.")
    item = await ctx.repos.meetings.create(
        Meeting(
            room_id=ctx.room_id,
            number=0,
            title=title,
            starts_at=when.at,
            duration_minutes=minutes,
            recurrence=every.value if every else None,
            until=until,
            organizer=ctx.sender,
            invitees=json.dumps(invitees),
            conference=conference_name(),
            created_at=ctx.clock(),
        )
    )
    await announce(ctx, item)


@meeting.command("list", aliases=("목록",), help_en="Upcoming meetings in this room.")
async def list_meetings(ctx: Context) -> None:
    """이 방의 예정된 회의 목록"""
    now = ctx.clock()
    lines = []
    for item in await ctx.repos.meetings.scheduled([ctx.room_id]):
        start = schedule_of(item).next_held(now)
        if start is not None:
            span = format_span(start, start + timedelta(minutes=item.duration_minutes), ctx.lang)
            lines.append(f"#{item.number} {span} — {item.title}")
    if not lines:
        raise NotFound("예정된 회의가 없습니다.", "No upcoming meetings.")
    await ctx.reply("\n".join(lines))


@meeting.command(
    "show",
    aliases=("보기",),
    args=(Arg("id"),),
    help_en="A meeting's details and who answered what.",
)
async def show(ctx: Context, id: str) -> None:
    """회의 상세와 참석 응답 현황"""
    item = await _find(ctx, id)
    schedule = schedule_of(item)
    start = schedule.next_held(ctx.clock())
    rsvps = await ctx.repos.meetings.rsvps(item.id or 0)
    names = ctx.names()
    await ctx.reply(details(item, start, rsvps, ctx.settings, schedule, ctx.clock(), names))


@meeting.command(
    "cancel",
    aliases=("취소",),
    args=(
        Arg("id"),
        Arg("date", _until, option=True, optional=True, words=("날짜",)),
    ),
    help_en="Cancel a meeting (or one date of a series with --date).",
)
async def cancel(ctx: Context, id: str, date: date | None) -> None:
    """회의 취소 (반복 회의 하루만: --date 날짜)"""
    item = await _find(ctx, id)
    await _require_scheduler(ctx, item.organizer)
    item.sequence += 1
    occurrence = None
    if date is None:
        item.status = "cancelled"
        note = ctx.t(
            f"회의 #{item.number} '{item.title}'이(가) 취소되었습니다.",
            f"Meeting #{item.number} '{item.title}' is cancelled.",
        )
    else:
        hit = [s for s in schedule_of(item).held if s.date() == date]
        if not hit:
            raise NotFound(f"{date}에는 이 회의가 없습니다.", f"No occurrence on {date}.")
        occurrence = hit[0]
        item.cancelled_occurrences = json.dumps(
            [s.isoformat() for s in [*cancelled_of(item), occurrence]]
        )
        note = ctx.t(
            f"회의 #{item.number}의 {date} 회차가 취소되었습니다.",
            f"The {date} occurrence of meeting #{item.number} is cancelled.",
        )
    await ctx.repos.meetings.save(item)
    if ctx.jobs is not None:
        await schedule_meeting(ctx.jobs, item, ctx.settings.meeting_reminders, ctx.clock())
    await take_down(ctx, item, occurrence)
    await ctx.reply(note)
    mailed = await mail_invitations(ctx, item, external_invitees(item), cancel=date is None)
    if failed := failure_note(ctx, mailed):
        await ctx.reply(failed)
    await ctx.send_file(
        f"meeting-{item.number}.ics", meeting_ics(item, ctx.settings), "text/calendar"
    )


@meeting.command(
    "move",
    aliases=("변경", "이동"),
    args=(Arg("id"), Arg("when", rest=True)),
    help_en="Move a meeting to a new time.",
)
async def move(ctx: Context, id: str, when: str) -> None:
    """회의 시간 변경"""
    item = await _find(ctx, id)
    await _require_scheduler(ctx, item.organizer)
    parsed = parse_when(when, now=ctx.clock(), tz=ctx.settings.timezone)
    if not parsed.has_time:
        raise UserInputError("시각이 필요합니다.", "A time is needed.")
    item.starts_at, item.sequence = parsed.at, item.sequence + 1
    item.cancelled_occurrences = "[]"
    await ctx.repos.meetings.save(item)
    await take_down(ctx, item)
    await announce(ctx, item)


@meeting.command(
    "invite",
    aliases=("초대",),
    args=(Arg("id"), Arg("users", rest=True)),
    help_en="Invite more people to a meeting.",
)
async def invite(ctx: Context, id: str, users: str) -> None:
    """회의에 사람 초대"""
    item = await _find(ctx, id)
    await _require_scheduler(ctx, item.organizer)
    added = [_user(u, ctx.sender) for u in users.split()]
    require_mail_out(ctx, added)
    item.invitees = json.dumps(list(dict.fromkeys([*invitees_of(item), *added])))
    item.sequence += 1
    await ctx.repos.meetings.save(item)
    await announce(ctx, item)
    note = failure_note(ctx, await mail_invitations(ctx, item, [a for a in added if is_address(a)]))
    if note:
        await ctx.reply(note)
