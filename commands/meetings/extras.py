"""Meeting RSVPs by reaction, the personal calendar feed and travel savings."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import UserInputError
from commands.framework import Arg, command
from commands.i18n import REVOKE_WORDS
from commands.meetings.chat import meeting
from commands.meetings.jobs import schedule_of
from commands.meetings.render import RSVP_KEYS
from commands.meetings.travel import HeldMeeting, load_travel_table, render_savings, savings
from commands.plan import Plan
from commands.render import Notice, esc, shown
from commands.when import format_when
from storage.meetings import CALENDAR_LIFETIME, invitees_of
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
    args=(Arg("action", optional=True),),
    help_en="Your personal calendar feed link by DM (a new one replaces the old); "
    "`revoke` ends it.",
)
async def feed(ctx: Context, action: str | None) -> None:
    """내 회의 캘린더 구독 주소를 개인 메시지로 받습니다 (새 주소가 옛 주소를 대체, 폐기: revoke)"""
    if action is not None and action.strip().lower() in REVOKE_WORDS:
        await _revoke_feed(ctx)
        return
    if action is not None:
        raise UserInputError(
            f"알 수 없는 동작: '{action}' (revoke만 쓸 수 있습니다)",
            f"Unknown action '{action}' (only revoke).",
        )
    days = getattr(ctx.settings, "calendar_feed_days", CALENDAR_LIFETIME.days)
    token, expires = await ctx.repos.calendar_tokens.issue(
        ctx.sender, ctx.clock(), timedelta(days=days)
    )
    url = f"{getattr(ctx.settings, 'web_base_url', '')}/calendar/{token}.ics"
    until = format_when(expires, ctx.lang, tz=ctx.settings.timezone)
    text = ctx.t(
        f"회의 캘린더 구독 주소 (Outlook·Google 캘린더에 추가, {until}까지 유효, "
        f"이전 주소는 폐기됨): {url}",
        f"Your meeting calendar (add it to Outlook or Google Calendar; valid until {until}, "
        f"older links revoked): {url}",
    )
    html = f'<p>{esc(text.removesuffix(url))}<a href="{esc(url)}">{esc(url)}</a></p>'
    await ctx.messenger.send_direct(ctx.sender, Notice(text, html))
    await ctx.reply(
        ctx.t(
            f"개인 메시지로 보냈습니다 ({until}까지 유효).",
            f"Sent to you by direct message (valid until {until}).",
        )
    )


async def _revoke_feed(ctx: Context) -> None:
    """End the sender's calendar link at once; calendars that poll it get nothing more."""
    ended = await ctx.repos.calendar_tokens.revoke(ctx.sender, ctx.clock())
    await ctx.reply(
        ctx.t(
            "캘린더 구독 주소를 폐기했습니다. 캘린더 앱에서 더 이상 회의가 갱신되지 않습니다.",
            "Your calendar feed link is revoked; calendar apps will get no more updates from it.",
        )
        if ended
        else ctx.t("유효한 캘린더 구독 주소가 없습니다.", "You have no live calendar feed link.")
    )


def _month(raw: str | None, ctx: Context) -> str:
    if raw is None:
        return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m")
    text = raw.strip()
    if len(text) == 7 and text[4] == "-" and text.replace("-", "").isdigit():
        return text
    raise UserInputError(
        f"월은 YYYY-MM 형식입니다: {shown(raw, 40)}", f"Month as YYYY-MM: {shown(raw, 40)}"
    )


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
