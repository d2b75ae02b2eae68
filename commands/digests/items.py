"""Lines shared by the WG, executive and personal digests: an action, a meeting, a message,
the period, and the `외 N건` that closes a cut-off list. Each is a `Notice` whose plain body
reads on its own and whose HTML has every piece of user text escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, tzinfo
from typing import TypeVar
from urllib.parse import urlsplit

from commands.digests.analysis import first_line
from commands.digests.model import Action, MeetingToday
from commands.digests.period import Period, days_off
from commands.digests.split import item
from commands.i18n import Text
from commands.render import Notice, esc, permalink, user_pill
from commands.when import format_span, format_when
from storage.archive import ArchivedMessage

X = TypeVar("X")

MORE = Text("외 {n}건", "+{n} more")
PERIOD = Text("기간: {span}", "Period: {span}")
DAYS_OFF = Text("쉬는 날 {n} 포함: {names}", "Includes {n} off: {names}")
WEEKEND = Text("주말", "weekend")
OVERDUE = Text("⚠ {n} 지연 (마감 {due})", "⚠ {n} overdue (due {due})")
DUE_TODAY = Text("📅 오늘 마감", "📅 due today")
DUE = Text("마감 {due}", "due {due}")
NO_DUE = Text("마감 없음", "no due date")
DONE = Text("✅ 완료", "✅ done")
JOIN = Text("참여하기", "Join")


def count(n: int, lang: str, ko_unit: str, en_words: tuple[str, str]) -> str:
    """`3명` in Korean; `1 person` or `3 people` in English."""
    if lang == "en":
        return f"{n:,} {en_words[0] if n == 1 else en_words[1]}"
    return f"{n:,}{ko_unit}"


def format_day(day: date, lang: str) -> str:
    """`2026-12-28 (월)` (or `(Mon)` in English)."""
    return format_when(datetime.combine(day, time(12), tzinfo=UTC), lang, with_time=False)


def period_lines(period: Period, lang: str) -> list[str]:
    """The period covered, and the days off inside it (holiday names, or 주말)."""
    lines = [PERIOD.pick(lang).format(span=format_span(period[0], period[1], lang))]
    off = days_off(period)
    if off:
        names = list(dict.fromkeys(name or WEEKEND.pick(lang) for _, name in off))
        days = count(len(off), lang, "일", ("day", "days"))
        lines.append(DAYS_OFF.pick(lang).format(n=days, names=", ".join(names)))
    return lines


def action_state(action: Action, today: date, lang: str) -> str:
    """Done, overdue by N calendar days, due today, due on a later day, or no due date."""
    if action.done:
        return DONE.pick(lang)
    if action.due is None:
        return NO_DUE.pick(lang)
    due = format_day(action.due, lang)
    if action.due < today:
        days = count((today - action.due).days, lang, "일", ("day", "days"))
        return OVERDUE.pick(lang).format(n=days, due=due)
    return DUE_TODAY.pick(lang) if action.due == today else DUE.pick(lang).format(due=due)


def action_item(
    action: Action,
    state: str,
    names: Mapping[str, str],
    room_name: str | None = None,
    *,
    mention: bool = True,
) -> Notice:
    """`[A-12] text — owners — state`: owners as pills and, if `mention`, in the mentions."""
    who = ", ".join(names.get(uid) or uid for uid in action.owners)
    pills = ", ".join(user_pill(uid, names.get(uid)) for uid in action.owners)
    body = f"[{action.id_label}] {action.text}" + (f" — {who}" if who else "") + f" — {state}"
    html = f"<b>[{esc(action.id_label)}]</b> {esc(action.text)}"
    html += (f" — {pills}" if pills else "") + f" — {esc(state)}"
    body_room, html_room = _room(action.room_id, room_name)
    return item(body + body_room, html + html_room, action.owners if mention else ())


def meeting_item(
    meeting: MeetingToday, lang: str, zone: tzinfo | None, room_name: str | None = None
) -> Notice:
    """`14:00–15:00 title — Join: link · ✅ 3 ❌ 1 ❔ 2`, times in `zone` (None: the start's)."""
    zone = zone or meeting.start.tzinfo
    hours = f"{meeting.start.astimezone(zone):%H:%M}–{meeting.end.astimezone(zone):%H:%M}"
    rsvp = f"✅ {meeting.yes} ❌ {meeting.no} ❔ {meeting.maybe}"
    url = safe_url(meeting.join_url)
    join = JOIN.pick(lang)
    body = f"{hours} {meeting.title}" + (f" — {join}: {url}" if url else "") + f" · {rsvp}"
    html = f"{hours} <b>{esc(meeting.title)}</b>"
    html += (f' — <a href="{esc(url)}">{esc(join)}</a>' if url else "") + f" · {rsvp}"
    body_room, html_room = _room(meeting.room_id, room_name)
    return item(body + body_room, html + html_room)


def message_item(
    msg: ArchivedMessage, who: str, lang: str, zone: tzinfo | None, room_name: str | None = None
) -> Notice:
    """`who · when: “first line”` (time in `zone`, None: the message's), linked to it."""
    meta = f"{who} · {format_when(local(msg.sent_at, zone), lang)}"
    text = first_line(msg.body)
    link = permalink(msg.room_id, msg.event_id)
    body_room, html_room = _room(msg.room_id, room_name)
    return item(
        f"{meta}: “{text}” {link}{body_room}",
        f'{esc(meta)}: <a href="{esc(link)}">{esc(text)}</a>{html_room}',
    )


def local(moment: datetime, zone: tzinfo | None) -> datetime:
    """`moment` in `zone`, or as it is for None."""
    return moment.astimezone(zone) if zone else moment


def _room(room_id: str, room_name: str | None) -> tuple[str, str]:
    """` · room name` in text, linked to the room in HTML; nothing without a name."""
    if not room_name:
        return "", ""
    return f" · {room_name}", f' · <a href="{esc(permalink(room_id))}">{esc(room_name)}</a>'


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s), else None (never a `javascript:` link in a digest)."""
    if url and urlsplit(url).scheme.lower() in ("http", "https"):
        return url
    return None


def text_item(text: str) -> Notice:
    """An item of plain text."""
    return item(text, esc(text))


def head(things: Sequence[X], limit: int | None) -> Sequence[X]:
    """The first `limit` things (all of them for None)."""
    return things if limit is None else things[:limit]


def overflow(listed: Sequence[object], limit: int | None, lang: str) -> list[Notice]:
    """The closing `외 N건` item when `limit` hides some of `listed`, else nothing."""
    hidden = len(listed) - limit if limit is not None else 0
    return [text_item(MORE.pick(lang).format(n=f"{hidden:,}"))] if hidden > 0 else []
