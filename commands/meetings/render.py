"""Meeting messages: the announcement card, reminders and the details view."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from commands.i18n import Text
from commands.meetings.recurrence import Schedule, describe
from commands.meetings.video import element_call_url, jitsi_jwt, jitsi_url
from commands.render import Notice, esc, user_pill
from commands.when import format_span
from storage.meetings import invitees_of
from storage.models import Meeting

RSVP_KEYS = {"✅": "yes", "❌": "no", "❔": "maybe"}
ANSWER_LABELS = {"yes": ("참석", "yes"), "no": ("불참", "no"), "maybe": ("미정", "maybe")}
UPCOMING = 5
"""How many of a series' next dates `!meeting show` lists."""
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


def _people(users: Iterable[str], names: Mapping[str, str] | None) -> tuple[str, str]:
    """(plain, HTML): directory names in the plain body (the id for someone the directory does
    not list), pills with the same names in the HTML, so the id is only in the link."""
    names = names or {}
    users = tuple(users)
    plain = ", ".join(names.get(user, user) for user in users)
    html = (user_pill(u, names.get(u)) if u.startswith("@") else esc(u) for u in users)
    return plain, ", ".join(html)


def _matrix_ids(users: Iterable[str]) -> tuple[str, ...]:
    """Who can be mentioned: Matrix ids, not invitees who are mail addresses."""
    return tuple(user for user in users if user.startswith("@"))


def _rows(
    meeting: Meeting, start: datetime, settings: Any, names: Mapping[str, str] | None
) -> list[tuple[str, str, str]]:
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
        rows.append((Text("초대", "Invited").pick(lang), *_people(invitees, names)))
    return rows


def announcement(
    meeting: Meeting, start: datetime, settings: Any, names: Mapping[str, str] | None = None
) -> Notice:
    """The card posted when a meeting is scheduled; reactions on it are the RSVPs. `names`
    are the directory's names by id (see `commands.context.directory_names`)."""
    lang = settings.language
    head = Text(
        f"📅 회의 #{meeting.number}: {meeting.title}",
        f"📅 Meeting #{meeting.number}: {meeting.title}",
    ).pick(lang)
    tip = Text(
        "참석 여부를 반응으로 알려 주세요: ✅ 참석 · ❌ 불참 · ❔ 미정",
        "Answer with a reaction: ✅ yes · ❌ no · ❔ maybe",
    ).pick(lang)
    rows = _rows(meeting, start, settings, names)
    plain = "\n".join([head, *(f"{k}: {v}" for k, v, _ in rows), tip])
    rich = "".join(f"<li><b>{esc(k)}</b>: {h}</li>" for k, _, h in rows)
    return Notice(
        plain,
        f"<p><b>{esc(head)}</b></p><ul>{rich}</ul><p>{esc(tip)}</p>",
        _matrix_ids(invitees_of(meeting)),
    )


def rsvp_summary(
    meeting: Meeting, rsvps: dict[str, str], lang: str, names: Mapping[str, str] | None = None
) -> tuple[str, str]:
    """Who answered what and who has not: (plain, html)."""
    groups = [
        (Text(ko, en).pick(lang), [u for u, a in rsvps.items() if a == answer])
        for answer, (ko, en) in ANSWER_LABELS.items()
    ]
    waiting = [u for u in invitees_of(meeting) if u not in rsvps]
    groups.append((Text("미응답", "no answer").pick(lang), waiting))
    plain: list[str] = []
    rich: list[str] = []
    for label, users in groups:
        who, who_html = _people(users, names)
        plain.append(f"{label} {len(users)}: {who or '-'}")
        rich.append(f"<li>{esc(label)} {len(users)}: {who_html or '-'}</li>")
    return "\n".join(plain), "".join(rich)


def details(
    meeting: Meeting,
    start: datetime | None,
    rsvps: dict[str, str],
    settings: Any,
    schedule: Schedule | None = None,
    now: datetime | None = None,
    names: Mapping[str, str] | None = None,
) -> Notice:
    """`!meeting show`: the card, a series' next dates, and the RSVP summary."""
    card = announcement(meeting, start or meeting.starts_at, settings, names)
    dates, dates_html = ("", "")
    if meeting.recurrence and schedule is not None and now is not None:
        dates, dates_html = upcoming(schedule, now, settings.language)
    plain, rich = rsvp_summary(meeting, rsvps, settings.language, names)
    return Notice(f"{card.body}{dates}\n{plain}", f"{card.html}{dates_html}<ul>{rich}</ul>")


def upcoming(schedule: Schedule, now: datetime, lang: str) -> tuple[str, str]:
    """A series' next `UPCOMING` dates and the holidays skipped among them: (plain, html),
    each starting on a new line; empty when the series is over."""
    ahead = [start for start in schedule.held if start + schedule.duration > now][:UPCOMING]
    if not ahead:
        return "", ""
    last = ahead[-1] if len(ahead) == UPCOMING else None
    skipped = [
        f"{start:%Y-%m-%d} ({name})"
        for start, name in schedule.skipped
        if start + schedule.duration > now and (last is None or start < last)
    ]
    head = Text(f"다음 {len(ahead)}회", f"Next {len(ahead)} dates").pick(lang)
    spans = [format_span(start, start + schedule.duration, lang) for start in ahead]
    plain = f"\n{head}:" + "".join(f"\n· {span}" for span in spans)
    rich = f"<p><b>{esc(head)}</b></p><ul>" + "".join(f"<li>{esc(s)}</li>" for s in spans)
    rich += "</ul>"
    if skipped:
        label = Text("공휴일 건너뜀", "Skipped for holidays").pick(lang)
        plain += f"\n{label}: {', '.join(skipped)}"
        rich += f"<p>{esc(label)}: {esc(', '.join(skipped))}</p>"
    return plain, rich


def reminder_notice(
    meeting: Meeting,
    start: datetime,
    kind: str,
    late: bool,
    rsvps: dict[str, str],
    settings: Any,
    names: Mapping[str, str] | None = None,
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
    who, who_html = _people(people, names)
    plain = f"{head}\n{link}" + (f"\n{who}" if people else "")
    rich = f'<p>{esc(head)}<br><a href="{esc(link)}">{esc(link)}</a></p>'
    if people:
        rich += f"<p>{who_html}</p>"
    return Notice(plain, rich, _matrix_ids(people))
