"""A meeting's Jitsi widget in its room: pinned a few minutes before the meeting, removed after
it, or at once when the meeting (or that date of a series) is cancelled or moved.

A room that denies the bot state events still has the plain link in every message, so a
refusal is never fatal; where the homeserver says the bot lacks the power (M_FORBIDDEN), the
chair is told once per room — remembered in the database — which level the bot needs and how
to grant it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from commands.context import MatrixRefused
from commands.i18n import Text
from commands.meetings.video import (
    LAYOUT_EVENT,
    WIDGET_EVENT,
    empty_widget,
    jitsi_widget,
    layout_without,
    widget_id_for,
    widget_layout,
)
from commands.render import Notice, esc, user_pill
from storage.models import Meeting
from storage.repositories import Repositories

log = logging.getLogger(__name__)
POWER_NOTICE = "widget-power"
STATE_DEFAULT = 50
"""The level state events need when the power-levels event names none (the spec's default)."""


class Services(Protocol):
    """What a command's Context and a job's JobContext both offer."""

    @property
    def messenger(self) -> Any: ...

    @property
    def repos(self) -> Repositories: ...

    @property
    def settings(self) -> Any: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...


async def set_widget(ctx: Services, meeting: Meeting, add: bool) -> None:
    """Add or remove the widget and its place in the room's layout."""
    widget_id = widget_id_for(f"{meeting.room_id}/{meeting.id}")
    if add:
        content = jitsi_widget(
            widget_id,
            meeting.conference,
            ctx.settings.jitsi_base_url,
            meeting.title,
            meeting.organizer,
        )
        layout = widget_layout(widget_id)
    else:
        content, layout = empty_widget(), layout_without(widget_id, None)
    try:
        await ctx.messenger.set_room_state(meeting.room_id, WIDGET_EVENT, widget_id, content)
        await ctx.messenger.set_room_state(meeting.room_id, LAYOUT_EVENT, "", layout)
    except Exception as error:
        log.warning(
            "could not %s the widget of meeting %s in %s",
            "add" if add else "remove",
            meeting.id,
            meeting.room_id,
            exc_info=True,
        )
        if add and isinstance(error, MatrixRefused) and error.errcode == "M_FORBIDDEN":
            await _tell_power_needed(ctx, meeting)


async def take_down(ctx: Services, meeting: Meeting, occurrence: datetime | None = None) -> bool:
    """Remove the widget if it is up for the meeting (or for its date at `occurrence`):
    cancelling drops the end job that would have removed it. The removal is claimed in the
    ledger as that date's end, so it is done once. True when a widget was taken down."""
    notices = await ctx.repos.meetings.notices(meeting.id or 0)
    done = {(start, kind) for start, kind, outcome in notices if outcome != "missed"}
    up = [
        start
        for start, kind in done
        if kind == "widget" and (start, "end") not in done and occurrence in (None, start)
    ]
    claimed = [
        start
        for start in up
        if await ctx.repos.meetings.claim_notice(meeting.id or 0, start, "end", "cancelled")
    ]
    if claimed:
        await set_widget(ctx, meeting, add=False)
    return bool(claimed)


async def _tell_power_needed(ctx: Services, meeting: Meeting) -> None:
    """Tell the room once (claimed before sending, released if sending fails)."""
    if not await ctx.repos.room_notices.claim(meeting.room_id, POWER_NOTICE, ctx.clock()):
        return
    bot = ctx.settings.user_id
    needed, current = await _power_levels(ctx.messenger, meeting.room_id, bot)
    notice = power_notice(bot, meeting.organizer, needed, current, ctx.settings.language)
    try:
        await ctx.messenger.send_notice(meeting.room_id, notice, None, None)
    except Exception:
        log.warning("could not tell %s about the widget power", meeting.room_id, exc_info=True)
        await ctx.repos.room_notices.release(meeting.room_id, POWER_NOTICE)


async def _power_levels(messenger: Any, room_id: str, user_id: str) -> tuple[int, int | None]:
    """(the level the widget and layout state events need, the bot's level or None)."""
    try:
        levels = await messenger.room_state(room_id, "m.room.power_levels")
    except Exception:
        log.warning("could not read the power levels of %s", room_id, exc_info=True)
        levels = None
    if not isinstance(levels, dict):
        return STATE_DEFAULT, None
    events = levels.get("events")
    events = events if isinstance(events, dict) else {}
    default = _level(levels.get("state_default"), STATE_DEFAULT)
    needed = max(_level(events.get(kind), default) for kind in (WIDGET_EVENT, LAYOUT_EVENT))
    users = levels.get("users")
    users = users if isinstance(users, dict) else {}
    return needed, _level(users.get(user_id), _level(levels.get("users_default"), 0))


def _level(value: object, default: int) -> int:
    """A power level as the spec reads it: an integer (old rooms may hold a numeric string)."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return default


def power_notice(bot: str, chair: str, needed: int, current: int | None, lang: str) -> Notice:
    """Which level the bot needs to pin meeting widgets and how a room admin grants it."""
    now = (
        Text(f" (지금 {current})", f" (it has {current})").pick(lang) if current is not None else ""
    )
    head = Text(
        f"⚠️ 회의 위젯을 이 방에 고정하지 못했습니다. 봇({bot})의 권한 등급이 {needed} 이상이어야 "
        f"합니다{now}.",
        f"⚠️ The meeting widget could not be pinned in this room: the bot ({bot}) needs power "
        f"level {needed}{now}.",
    ).pick(lang)
    how = Text(
        f"권한 주는 법: Element에서 방 설정 → 역할 및 권한(Roles & Permissions)에서 봇의 등급을 "
        f"{needed}(으)로 올리거나, 방에서 /op {bot} {needed} 를 입력하세요.",
        f"To grant it: in Element, Room settings → Roles & Permissions, raise the bot to "
        f"{needed}; or type /op {bot} {needed} in the room.",
    ).pick(lang)
    tail = Text(
        "회의 링크는 알림 메시지에 그대로 있습니다. 이 안내는 이 방에 한 번만 드립니다.",
        "The join link stays in every meeting message. This notice is given once per room.",
    ).pick(lang)
    command = f"/op {bot} {needed}"
    how_html = esc(how).replace(esc(command), f"<code>{esc(command)}</code>")
    return Notice(
        f"{chair} {head}\n{how}\n{tail}",
        f"<p>{user_pill(chair)} {esc(head)}</p><p>{how_html}</p><p>{esc(tail)}</p>",
        (chair,),
    )
