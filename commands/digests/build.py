"""The daily digest of a working group's room, as sections ready for `split_notice`.

Sections, each only when it has something: 활동 (messages and people by ministry), 주요 스레드,
새 결정, 할 일 (overdue, due today, new; owners mentioned), 완료한 할 일 (done in the period: the
progress), 미해결 장애, 진행 중인 부처 간 이견, 오늘 회의, 답변 없는 질문.
A quiet day is one line, or nothing when the WG asked for silence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from commands.digests.analysis import (
    ActionGroups,
    Thread,
    activity_by_ministry,
    group_actions,
    hot_threads,
    in_period,
    unanswered_questions,
)
from commands.digests.disputes import wg_disputes
from commands.digests.items import (
    MORE,
    action_item,
    action_state,
    count,
    format_day,
    head,
    local,
    meeting_item,
    message_item,
    overflow,
    period_lines,
    safe_url,
    text_item,
)
from commands.digests.model import (
    Action,
    Blocker,
    Decision,
    DigestInput,
    DigestLimits,
    MeetingToday,
    WgInfo,
)
from commands.digests.split import Section, item, join_sections, section
from commands.i18n import Text
from commands.render import Notice, esc, permalink
from commands.when import format_when
from storage.archive import ArchivedMessage

T = Text
TITLE = T("📋 {name} 일일 요약 · {day}", "📋 {name} daily digest · {day}")
QUIET = T(
    "조용한 하루였습니다 (새 메시지·결정·할 일·장애·회의 없음)",
    "A quiet day (no messages, decisions, actions, blockers or meetings)",
)
ACTIVITY = T("활동", "Activity")
NO_MESSAGES = T("새 메시지 없음", "No new messages")
TOTALS = T("메시지 {m} · 참여 {p} · 부처 {k}", "{m} · {p} · {k}")
MINISTRY = T("{ministry}: {p}, {m} — {people}", "{ministry}: {p}, {m} — {people}")
UNKNOWN_MINISTRY = T("소속 미상", "Ministry unknown")
MORE_PEOPLE = T("외 {n}명", "+{n} more")
THREADS = T("주요 스레드", "Hot threads")
THREAD = T("참여 {p} · {more}", "{p} · {more}")
DECISIONS = T("새 결정", "New decisions")
ACTIONS = T("할 일", "Actions")
NEW = T("🆕 새 할 일", "🆕 new")
DONE_ACTIONS = T("완료한 할 일", "Actions done")
BLOCKERS = T("미해결 장애", "Open blockers")
OPEN_DAYS = T("{n}일째", "day {n}")
ESCALATED = T("⬆ 위원회 상정", "⬆ escalated")
MEETINGS = T("오늘 회의", "Today's meetings")
QUESTIONS = T("답변 없는 질문", "Unanswered questions")
SOURCE = T("원문", "message")


def build_wg_digest(
    data: DigestInput, lang: str = "ko", limits: DigestLimits | None = None
) -> Notice | None:
    """A WG's daily digest as one notice (None on a quiet day in quiet mode "none").
    Use `wg_digest_sections` with `split_notice` to post it under the event size limit."""
    sections = wg_digest_sections(data, lang, limits)
    return join_sections(sections) if sections is not None else None


def wg_digest_sections(
    data: DigestInput, lang: str = "ko", limits: DigestLimits | None = None
) -> list[Notice] | None:
    """The digest's sections, title first; one title line on a quiet day (None in mode "none")."""
    limits = limits or DigestLimits()
    start, end, zone = data.period_start, data.period_end, data.period_end.tzinfo
    period_messages = in_period(data.messages, start, end)
    groups = group_actions(data.actions, data.today, start, end)
    questions = unanswered_questions(data.messages, start, end)
    body = [
        _threads(hot_threads(data.messages, start, end), lang, limits.threads),
        _decisions(data.decisions_new, data.wg, lang, limits.decisions, zone),
        _actions(groups, data, lang, limits.actions),
        _done(groups.done, data, lang, limits.actions),
        _blockers(data.blockers_open, end, lang, limits.blockers),
        wg_disputes(data.disputes_open, end, lang, limits.blockers),
        _meetings(data.meetings_today, lang, zone),
        _questions(questions, data.wg, lang, limits.questions, zone),
    ]
    present = [s for s in body if s is not None]
    if not period_messages and not present:
        return None if data.quiet_mode == "none" else [_title(data, lang, quiet=True)]
    activity = _activity(period_messages, data.wg, lang, limits.people_per_ministry)
    return [_title(data, lang, quiet=False), activity, *present]


def _title(data: DigestInput, lang: str, *, quiet: bool) -> Section:
    title = TITLE.pick(lang).format(name=data.wg.name(lang), day=format_day(data.today, lang))
    if quiet:
        return section(f"{title}: {QUIET.pick(lang)}", (), level=3)
    lines = period_lines((data.period_start, data.period_end), lang)
    return section(title, [text_item(line) for line in lines], level=3)


def _activity(
    messages: Sequence[ArchivedMessage], wg: WgInfo, lang: str, limit: int | None
) -> Section:
    if not messages:
        return section(ACTIVITY.pick(lang), [text_item(NO_MESSAGES.pick(lang))])
    groups = activity_by_ministry(messages, wg.ministry_of)
    people = sum(len(g.people) for g in groups)
    known = sum(g.ministry is not None for g in groups)
    totals = TOTALS.pick(lang).format(
        m=_messages(len(messages), lang),
        p=_people(people, lang),
        k=count(known, lang, "곳", ("ministry", "ministries")),
    )
    items = [text_item(totals)]
    for group in groups:
        shown = [f"{wg.person(uid)} {count:,}" for uid, count in head(group.people, limit)]
        rest = len(group.people) - len(shown)
        if rest:
            shown.append(MORE_PEOPLE.pick(lang).format(n=rest))
        line = MINISTRY.pick(lang).format(
            ministry=group.ministry or UNKNOWN_MINISTRY.pick(lang),
            p=_people(len(group.people), lang),
            m=_messages(group.messages, lang),
            people=", ".join(shown),
        )
        items.append(text_item(line))
    return section(ACTIVITY.pick(lang), items)


def _people(n: int, lang: str) -> str:
    return count(n, lang, "명", ("person", "people"))


def _messages(n: int, lang: str) -> str:
    return count(n, lang, "건", ("message", "messages"))


def _threads(threads: Sequence[Thread], lang: str, limit: int | None) -> Section | None:
    if not threads:
        return None
    items = []
    for thread in head(threads, limit):
        more = MORE.pick(lang).format(n=f"{thread.replies:,}")
        stats = THREAD.pick(lang).format(p=_people(thread.senders, lang), more=more)
        link = permalink(thread.room_id, thread.root_id)
        items.append(
            item(
                f"“{thread.first_line}” — {stats} {link}",
                f'<a href="{esc(link)}">{esc(thread.first_line)}</a> — {esc(stats)}',
            )
        )
    return section(THREADS.pick(lang), items + overflow(threads, limit, lang))


def _decisions(
    decisions: Sequence[Decision], wg: WgInfo, lang: str, limit: int | None, zone: tzinfo | None
) -> Section | None:
    if not decisions:
        return None
    items = []
    for d in head(sorted(decisions, key=lambda d: d.decided_at), limit):
        meta = f"{wg.person(d.author)} · {format_when(local(d.decided_at, zone), lang)}"
        body = f"[{d.id_label}] {d.text} — {meta}"
        html = f"<b>[{esc(d.id_label)}]</b> {esc(d.text)} — {esc(meta)}"
        link = safe_url(d.permalink)
        if link:
            body += f" {link}"
            html += f' · <a href="{esc(link)}">{esc(SOURCE.pick(lang))}</a>'
        items.append(item(body, html))
    return section(DECISIONS.pick(lang), items + overflow(decisions, limit, lang))


def _actions(
    groups: ActionGroups, data: DigestInput, lang: str, limit: int | None
) -> Section | None:
    listed = groups.all()
    if not listed:
        return None
    first_new = len(groups.overdue) + len(groups.due_today)
    items = []
    for position, action in enumerate(head(listed, limit)):
        state = action_state(action, data.today, lang)
        if position >= first_new:
            state = f"{NEW.pick(lang)} · {state}"
        items.append(action_item(action, state, data.wg.display_names))
    return section(ACTIONS.pick(lang), items + overflow(listed, limit, lang))


def _done(
    done: Sequence[Action], data: DigestInput, lang: str, limit: int | None
) -> Section | None:
    """The period's progress: actions done in it, owners named but not mentioned."""
    if not done:
        return None
    names, zone = data.wg.display_names, data.period_end.tzinfo
    items = []
    for action in head(done, limit):
        state = action_state(action, data.today, lang)
        if action.done_at is not None:
            state += f" · {format_when(local(action.done_at, zone), lang)}"
        items.append(action_item(action, state, names, mention=False))
    return section(DONE_ACTIONS.pick(lang), items + overflow(done, limit, lang))


def _blockers(
    blockers: Sequence[Blocker], end: datetime, lang: str, limit: int | None
) -> Section | None:
    if not blockers:
        return None
    items = []
    for b in head(sorted(blockers, key=lambda b: b.opened_at), limit):
        days = (end.date() - b.opened_at.astimezone(end.tzinfo).date()).days
        meta = OPEN_DAYS.pick(lang).format(n=max(days, 0) + 1)
        if b.escalated:
            meta += f" · {ESCALATED.pick(lang)}"
        items.append(
            item(
                f"[{b.id_label}] {b.text} — {meta}",
                f"<b>[{esc(b.id_label)}]</b> {esc(b.text)} — {esc(meta)}",
            )
        )
    return section(BLOCKERS.pick(lang), items + overflow(blockers, limit, lang))


def _meetings(meetings: Sequence[MeetingToday], lang: str, zone: tzinfo | None) -> Section | None:
    if not meetings:
        return None
    items = [meeting_item(m, lang, zone) for m in sorted(meetings, key=lambda m: m.start)]
    return section(MEETINGS.pick(lang), items)


def _questions(
    questions: Sequence[ArchivedMessage],
    wg: WgInfo,
    lang: str,
    limit: int | None,
    zone: tzinfo | None,
) -> Section | None:
    if not questions:
        return None
    items = []
    for q in head(questions, limit):
        ministry = wg.ministry_of.get(q.sender)
        who = f"{wg.person(q.sender)} ({ministry})" if ministry else wg.person(q.sender)
        items.append(message_item(q, who, lang, zone))
    return section(QUESTIONS.pick(lang), items + overflow(questions, limit, lang))
