"""The executive digest for the committee room (one row per core task) and the personal digest
sent by DM (a person's actions due, unanswered mentions and meetings across their rooms)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, tzinfo

from commands.digests.disputes import exec_disputes
from commands.digests.items import (
    action_item,
    action_state,
    format_day,
    meeting_item,
    message_item,
    period_lines,
    text_item,
)
from commands.digests.model import Action, ExecRow, MeetingToday
from commands.digests.period import Period
from commands.digests.split import join_sections, section
from commands.i18n import Text
from commands.render import Notice, esc, permalink
from storage.archive import ArchivedMessage

T = Text
EXEC_TITLE = T("📊 핵심과제 현황 · {day}", "📊 Core tasks · {day}")
EXEC_TABLE = T("과제별", "By task")
COLUMNS = (
    T("과제", "Task"),
    T("메시지", "Messages"),
    T("추세", "Trend"),
    T("완료 할 일", "Actions done"),
    T("지연 할 일", "Overdue actions"),
    T("미해결 장애", "Open blockers"),
    T("부처 간", "Cross-ministry"),
)
TOTAL = T("합계", "Total")
NEW_ACTIVITY = T("▲ 신규", "▲ new")
PERSONAL_TITLE = T("🔔 {name} 님 일일 요약 · {day}", "🔔 Daily digest for {name} · {day}")
NOTHING = T("오늘 챙길 일이 없습니다", "Nothing needs you today")
MY_ACTIONS = T("내 할 일", "My actions")
MY_MENTIONS = T("답하지 않은 멘션", "Mentions awaiting your answer")
MY_MEETINGS = T("오늘 내 회의", "My meetings today")


def trend(now: int, before: int, lang: str = "ko") -> str:
    """`▲ 25%`, `▼ 50%` or `= 0%` against the previous period (rounded to whole percent);
    `▲ 신규` after a silent period, `–` when both are silent."""
    if before == 0:
        return NEW_ACTIVITY.pick(lang) if now else "–"
    change = round((now - before) * 100 / before)
    if change > 0:
        return f"▲ {change}%"
    return f"▼ {-change}%" if change < 0 else "= 0%"


def share(part: int, whole: int) -> str:
    """`43%`, or `–` when there is nothing to share."""
    return f"{round(part * 100 / whole)}%" if whole else "–"


def build_executive_digest(rows: Sequence[ExecRow], period: Period, lang: str = "ko") -> Notice:
    """The committee's digest as one notice; `executive_digest_sections` to split it."""
    return join_sections(executive_digest_sections(rows, period, lang))


def executive_digest_sections(
    rows: Sequence[ExecRow], period: Period, lang: str = "ko"
) -> list[Notice]:
    """Title with the period, then a table: one row per core task, in the given order, and a
    total row; then the disagreements escalated or open long, if any."""
    day = format_day(period[1].date(), lang)
    title = section(
        EXEC_TITLE.pick(lang).format(day=day),
        [text_item(line) for line in period_lines(period, lang)],
        level=3,
    )
    header = "".join(f"<th>{esc(c.pick(lang))}</th>" for c in COLUMNS)
    table = section(
        EXEC_TABLE.pick(lang),
        [*(_exec_row(r, lang) for r in rows), _exec_row(_total(rows, lang), lang, link=False)],
        open_tag=f"<table><thead><tr>{header}</tr></thead><tbody>",
        close_tag="</tbody></table>",
    )
    return [title, table, *exec_disputes(rows, period[1], lang)]


def _exec_row(row: ExecRow, lang: str, *, link: bool = True) -> Notice:
    """A table row in HTML, `• name: Messages 120 (▲ 25%) · …` in text."""
    cells = [
        f"{row.messages:,}",
        trend(row.messages, row.messages_prev, lang),
        f"{row.done_actions:,}",
        f"{row.overdue_actions:,}",
        f"{row.open_blockers:,}",
        share(row.cross_ministry, row.messages),
    ]
    name = row.name(lang)
    labels = [c.pick(lang) for c in COLUMNS[1:]]
    text = f"{labels[0]} {cells[0]} ({cells[1]}) · " + " · ".join(
        f"{label} {cell}" for label, cell in zip(labels[2:], cells[2:], strict=True)
    )
    first = f'<a href="{esc(permalink(row.room_id))}">{esc(name)}</a>' if link else esc(name)
    html = f"<tr><td>{first}</td>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>"
    return Notice(body=f"• {name}: {text}", html=html)


def _total(rows: Sequence[ExecRow], lang: str) -> ExecRow:
    label = TOTAL.pick(lang)
    return ExecRow(
        key="",
        name_ko=label,
        name_en=label,
        room_id="",
        messages=sum(r.messages for r in rows),
        messages_prev=sum(r.messages_prev for r in rows),
        cross_ministry=sum(r.cross_ministry for r in rows),
        overdue_actions=sum(r.overdue_actions for r in rows),
        open_blockers=sum(r.open_blockers for r in rows),
        done_actions=sum(r.done_actions for r in rows),
    )


def build_personal_digest(
    user_id: str,
    actions_due: Sequence[Action],
    unanswered_mentions: Sequence[ArchivedMessage],
    meetings_today: Sequence[MeetingToday],
    lang: str = "ko",
    *,
    today: date,
    tz: tzinfo | None = None,
    room_names: Mapping[str, str] | None = None,
    display_names: Mapping[str, str] | None = None,
) -> Notice:
    """A person's digest by DM as one notice; `personal_digest_sections` to split it."""
    return join_sections(
        personal_digest_sections(
            user_id,
            actions_due,
            unanswered_mentions,
            meetings_today,
            lang,
            today=today,
            tz=tz,
            room_names=room_names,
            display_names=display_names,
        )
    )


def personal_digest_sections(
    user_id: str,
    actions_due: Sequence[Action],
    unanswered_mentions: Sequence[ArchivedMessage],
    meetings_today: Sequence[MeetingToday],
    lang: str = "ko",
    *,
    today: date,
    tz: tzinfo | None = None,
    room_names: Mapping[str, str] | None = None,
    display_names: Mapping[str, str] | None = None,
) -> list[Notice]:
    """Title, then the user's actions (most overdue first), the mentions they have not
    answered (oldest first) and their meetings today, each with its room, times in `tz`
    (None: each datetime's own zone); one line when there is nothing. Nobody is mentioned:
    the digest is already the user's DM."""
    rooms = room_names or {}
    names = display_names or {}
    who = names.get(user_id) or user_id
    title = PERSONAL_TITLE.pick(lang).format(name=who, day=format_day(today, lang))
    if not (actions_due or unanswered_mentions or meetings_today):
        return [section(f"{title}: {NOTHING.pick(lang)}", (), level=3)]
    actions = [
        action_item(a, action_state(a, today, lang), names, rooms.get(a.room_id), mention=False)
        for a in sorted(actions_due, key=lambda a: (a.due or today, a.created_at))
    ]
    mentions = [
        message_item(m, names.get(m.sender) or m.sender, lang, tz, rooms.get(m.room_id))
        for m in sorted(unanswered_mentions, key=lambda m: m.sent_at)
    ]
    meetings = [
        meeting_item(m, lang, tz, rooms.get(m.room_id))
        for m in sorted(meetings_today, key=lambda m: m.start)
    ]
    parts = ((MY_ACTIONS, actions), (MY_MENTIONS, mentions), (MY_MEETINGS, meetings))
    return [
        section(title, (), level=3),
        *(section(heading.pick(lang), items) for heading, items in parts if items),
    ]
