"""Meeting RSVPs by reaction, the personal calendar feed and travel savings."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import UserInputError
from commands.framework import Arg, command
from commands.meeting_jobs import schedule_of
from commands.meeting_render import RSVP_KEYS
from commands.meetings import meeting
from commands.plan import Plan
from commands.render import Notice, esc
from commands.travel import HeldMeeting, load_travel_table, render_savings, savings
from storage.meetings import invitees_of
from storage.repositories import Repositories


async def record_rsvp(
    repos: Repositories, sender: str, target_event_id: str, key: str, reaction_event_id: str
) -> bool:
    """A ✅ ❌ ❔ reaction on an announcement is that person's answer (the latest wins)."""
    answer = RSVP_KEYS.get(key.replace("\ufe0f", ""))
    if answer is None:
        return False
    item = await repos.meetings.by_announcement(target_event_id)
    if item is None:
        return False
    await repos.meetings.set_rsvp(item.id or 0, sender, answer, reaction_event_id)
    return True


@meeting.command(
    "feed",
    aliases=("캘린더", "구독"),
    help_en="Get your personal calendar feed link by direct message.",
)
async def feed(ctx: Context) -> None:
    """내 회의 캘린더 구독 주소를 개인 메시지로 받습니다 (새로 받으면 이전 주소는 폐기)."""
    token = await ctx.repos.calendar_tokens.issue(ctx.sender)
    url = f"{ctx.settings.web_base_url}/calendar/{token}.ics"
    text = ctx.t(
        f"회의 캘린더 구독 주소 (Outlook·Google 캘린더에 추가): {url}",
        f"Your meeting calendar (add it to Outlook or Google Calendar): {url}",
    )
    await ctx.messenger.send_direct(ctx.sender, Notice(text, f"<p>{esc(text)}</p>"))
    await ctx.reply(ctx.t("개인 메시지로 보냈습니다.", "Sent to you by direct message."))


def _month(raw: str | None, ctx: Context) -> str:
    if raw is None:
        return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m")
    text = raw.strip()
    if len(text) == 7 and text[4] == "-" and text.replace("-", "").isdigit():
        return text
    raise UserInputError(f"월은 YYYY-MM 형식입니다: {raw}", f"Month as YYYY-MM: {raw}")


async def held_meetings(ctx: Context) -> list[HeldMeeting]:
    """Every occurrence that has ended, with the offices of its attendees (invitees who did
    not decline) and of its organizer, from the plan's directory."""
    return await held_meetings_of(ctx.repos, ctx.plan, ctx.clock())


async def held_meetings_of(
    repos: Repositories, plan: Plan | None, now: datetime
) -> list[HeldMeeting]:
    """`held_meetings` from the repositories (also read by `/metrics`)."""
    if plan is None:
        return []
    held: list[HeldMeeting] = []
    for item in await repos.meetings.scheduled():
        record = await repos.plan_rooms.by_room(item.room_id)
        organizer = plan.person(item.organizer)
        if record is None or organizer is None:
            continue
        answers = await repos.meetings.rsvps(item.id or 0)
        offices = [
            p.office
            for u in invitees_of(item)
            if answers.get(u) != "no" and (p := plan.person(u)) is not None
        ]
        for start in schedule_of(item).held:
            if start + timedelta(minutes=item.duration_minutes) <= now:
                held.append(
                    HeldMeeting(record.node_key, organizer.office, offices, start.strftime("%Y-%m"))
                )
    return held


@command(
    "savings",
    aliases=("출장절감",),
    args=(Arg("month", optional=True),),
    help_en="Business trips avoided by video meetings: [YYYY-MM].",
)
async def savings_command(ctx: Context, month: str | None) -> None:
    """화상회의로 줄인 출장(회의 수, 출장 횟수, 시간, 거리, 비용)을 봅니다: [YYYY-MM]"""
    period = _month(month, ctx)
    report = savings(await held_meetings(ctx), load_travel_table(), month=period)
    names = {c.key: c.name_ko for c in ctx.plan.core_tasks()} if ctx.plan else {}
    await ctx.reply(render_savings(report, ctx.lang, period=period, names=names))


meeting.command(
    "savings",
    aliases=("절감",),
    args=(Arg("month", optional=True),),
    help_en="Business trips avoided: [YYYY-MM].",
)(savings_command.handler)
