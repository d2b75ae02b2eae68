"""Meeting messages: the announcement card, reminders and the details view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from commands.i18n import Text
from commands.meetings.recurrence import describe
from commands.meetings.video import element_call_url, jitsi_jwt, jitsi_url
from commands.render import Notice, esc, user_pill
from commands.when import format_span
from storage.meetings import invitees_of
from storage.models import Meeting

RSVP_KEYS = {"✅": "yes", "❌": "no", "❔": "maybe"}
ANSWER_LABELS = {"yes": ("참석", "yes"), "no": ("불참", "no"), "maybe": ("미정", "maybe")}
LINK_LIFETIME = timedelta(days=400)
"""A join token outlives the meeting (or, for an old series, today) by this much."""


def join_link(meeting: Meeting, settings: Any, user_id: str | None = None) -> str:
    """The Jitsi link; with an app secret configured it carries a JWT for the invited."""
    token = None
    if settings.jitsi_app_id and settings.jitsi_app_secret:
        token = jitsi_jwt(
            settings.jitsi_app_id,
            settings.jitsi_app_secret,
            meeting.conference,
            user_id or meeting.organizer,
            user_id or meeting.organizer,
            max(meeting.starts_at, datetime.now(UTC)) + LINK_LIFETIME,
            base_url=settings.jitsi_base_url,
        )
    return jitsi_url(settings.jitsi_base_url, meeting.conference, token)


def _links(meeting: Meeting, settings: Any) -> list[tuple[str, str]]:
    links = [("Jitsi", join_link(meeting, settings))]
    if settings.element_call_url:
        links.append(
            ("Element Call", element_call_url(settings.element_call_url, meeting.conference))
        )
    return links


def _span(meeting: Meeting, start: datetime, lang: str) -> str:
    return format_span(start, start + timedelta(minutes=meeting.duration_minutes), lang)


def _rows(meeting: Meeting, start: datetime, settings: Any) -> list[tuple[str, str, str]]:
    """(label, plain value, html value) rows of a meeting card."""
    lang = settings.language
    minutes = meeting.duration_minutes
    plain_rows = [
        (Text("일시", "When").pick(lang), _span(meeting, start, lang)),
        (Text("시간", "Duration").pick(lang), Text(f"{minutes}분", f"{minutes} min").pick(lang)),
    ]
    if meeting.recurrence:
        plain_rows.append(
            (Text("반복", "Repeats").pick(lang), describe(meeting.recurrence, meeting.until, lang))
        )
    rows = [(k, v, esc(v)) for k, v in plain_rows]
    for label, link in _links(meeting, settings):
        rows.append((label, link, f'<a href="{esc(link)}">{esc(link)}</a>'))
    invitees = invitees_of(meeting)
    if invitees:
        rows.append(
            (
                Text("초대", "Invited").pick(lang),
                ", ".join(invitees),
                ", ".join(user_pill(u) for u in invitees),
            )
        )
    return rows


def announcement(meeting: Meeting, start: datetime, settings: Any) -> Notice:
    """The card posted when a meeting is scheduled; reactions on it are the RSVPs."""
    lang = settings.language
    head = Text(
        f"📅 회의 #{meeting.number}: {meeting.title}",
        f"📅 Meeting #{meeting.number}: {meeting.title}",
    ).pick(lang)
    tip = Text(
        "참석 여부를 반응으로 알려 주세요: ✅ 참석 · ❌ 불참 · ❔ 미정",
        "Answer with a reaction: ✅ yes · ❌ no · ❔ maybe",
    ).pick(lang)
    rows = _rows(meeting, start, settings)
    plain = "\n".join([head, *(f"{k}: {v}" for k, v, _ in rows), tip])
    rich = "".join(f"<li><b>{esc(k)}</b>: {h}</li>" for k, _, h in rows)
    return Notice(
        plain,
        f"<p><b>{esc(head)}</b></p><ul>{rich}</ul><p>{esc(tip)}</p>",
        tuple(invitees_of(meeting)),
    )


def rsvp_summary(meeting: Meeting, rsvps: dict[str, str], lang: str) -> tuple[str, str]:
    """Who answered what and who has not: (plain, html)."""
    plain: list[str] = []
    rich: list[str] = []
    for answer, (ko, en) in ANSWER_LABELS.items():
        people = [u for u, a in rsvps.items() if a == answer]
        label = Text(ko, en).pick(lang)
        plain.append(f"{label} {len(people)}: {', '.join(people) or '-'}")
        rich.append(f"<li>{esc(label)} {len(people)}: {esc(', '.join(people) or '-')}</li>")
    waiting = [u for u in invitees_of(meeting) if u not in rsvps]
    label = Text("미응답", "no answer").pick(lang)
    plain.append(f"{label} {len(waiting)}: {', '.join(waiting) or '-'}")
    rich.append(f"<li>{esc(label)} {len(waiting)}: {esc(', '.join(waiting) or '-')}</li>")
    return "\n".join(plain), "".join(rich)


def details(
    meeting: Meeting, start: datetime | None, rsvps: dict[str, str], settings: Any
) -> Notice:
    """`!meeting show`: the card plus the RSVP summary."""
    card = announcement(meeting, start or meeting.starts_at, settings)
    plain, rich = rsvp_summary(meeting, rsvps, settings.language)
    return Notice(f"{card.body}\n{plain}", f"{card.html}<ul>{rich}</ul>")


def reminder_notice(
    meeting: Meeting, start: datetime, kind: str, late: bool, rsvps: dict[str, str], settings: Any
) -> Notice:
    """A reminder or "starting now", mentioning invitees who have not declined."""
    lang = settings.language
    link = join_link(meeting, settings)
    when = _span(meeting, start, lang)
    if kind == "start":
        text = Text(f"🔔 지금 시작합니다: {meeting.title}", f"🔔 Starting now: {meeting.title}")
    else:
        text = Text(
            f"⏰ 회의 알림: {meeting.title} ({when})", f"⏰ Reminder: {meeting.title} ({when})"
        )
    head = text.pick(lang)
    if late:
        head += Text(" (늦은 알림)", " (late reminder)").pick(lang)
    people = [u for u in invitees_of(meeting) if rsvps.get(u) != "no"]
    plain = f"{head}\n{link}" + (f"\n{', '.join(people)}" if people else "")
    rich = f'<p>{esc(head)}<br><a href="{esc(link)}">{esc(link)}</a></p>'
    if people:
        rich += f"<p>{', '.join(user_pill(u) for u in people)}</p>"
    return Notice(plain, rich, tuple(people))
