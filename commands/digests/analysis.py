"""What a digest says about a room's messages: hot threads, unanswered questions and mentions,
activity by ministry, the cross-ministry share, and which actions need attention.

Every function is linear in the number of messages (plus sorting), so a digest over a 100k-message
day stays fast.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from commands.digests.model import QUESTION_WAIT, Action, DigestInput, ExecRow
from storage.archive import ArchivedMessage

_QUESTION_WORDS = re.compile(r"문의|질문|여쭙|확인\s*부탁")


def strip_fallback(body: str) -> str:
    """The body without a Matrix reply fallback: leading `> ` lines followed by a blank line."""
    lines = body.split("\n")
    quoted = 0
    while quoted < len(lines) and lines[quoted].startswith("> "):
        quoted += 1
    if quoted and quoted < len(lines) and not lines[quoted].strip():
        return "\n".join(lines[quoted + 1 :])
    return body


def first_line(body: str, limit: int = 80) -> str:
    """The first non-blank line of a message, whitespace collapsed, cut to `limit` with `…`."""
    for line in strip_fallback(body).split("\n"):
        text = " ".join(line.split())
        if text:
            return text if len(text) <= limit else text[: limit - 1] + "…"
    return ""


def is_question(body: str) -> bool:
    """A question: ends with `?` or `？`, or asks in words (문의, 질문, 여쭙, 확인 부탁).
    Bot commands (`!…`) are not questions."""
    text = strip_fallback(body).strip()
    if not text or text.startswith("!"):
        return False
    return text.endswith(("?", "？")) or _QUESTION_WORDS.search(text) is not None


def in_period(
    messages: Iterable[ArchivedMessage], start: datetime, end: datetime
) -> list[ArchivedMessage]:
    """The messages sent in `[start, end)`."""
    return [m for m in messages if start <= m.sent_at < end]


@dataclass(frozen=True)
class Thread:
    """A thread's activity in the period: `messages` includes the root when it falls in the
    period, `replies` never does; `senders` is the number of distinct senders among them."""

    root_id: str
    room_id: str
    first_line: str
    senders: int
    messages: int
    replies: int
    last_at: datetime


def hot_threads(
    messages: Sequence[ArchivedMessage], start: datetime, end: datetime
) -> list[Thread]:
    """Threads with replies in the period, hottest first: by distinct senders (as Zulip ranks
    its digest's conversations), then by messages, then by the latest message."""
    by_id = {m.event_id: m for m in messages}
    groups: dict[str, list[ArchivedMessage]] = defaultdict(list)
    for m in in_period(messages, start, end):
        if m.thread_root:
            groups[m.thread_root].append(m)
    threads = []
    for root_id, replies in groups.items():
        root = by_id.get(root_id)
        members = [*replies, root] if root and start <= root.sent_at < end else replies
        shown = root or min(replies, key=lambda m: m.sent_at)
        threads.append(
            Thread(
                root_id=root_id,
                room_id=shown.room_id,
                first_line=first_line(shown.body),
                senders=len({m.sender for m in members}),
                messages=len(members),
                replies=len(replies),
                last_at=max(m.sent_at for m in members),
            )
        )
    threads.sort(key=lambda t: (-t.senders, -t.messages, -t.last_at.timestamp(), t.root_id))
    return threads


def unanswered_questions(
    messages: Sequence[ArchivedMessage], start: datetime, end: datetime
) -> list[ArchivedMessage]:
    """Questions whose 24-hour answer deadline falls in `[start, end)` and that got no answer
    from another person by then, oldest first. An answer is a reply to the question, a message
    in the thread it starts, or a later message in the thread it was asked in. Each question
    thus appears in exactly one digest, however the periods fall."""
    ordered = sorted(messages, key=lambda m: m.sent_at)
    replies: dict[str, list[ArchivedMessage]] = defaultdict(list)
    threads: dict[str, list[ArchivedMessage]] = defaultdict(list)
    for m in ordered:
        for target in _targets(m):
            replies[target].append(m)
        if m.thread_root:
            threads[m.thread_root].append(m)
    next_other = {root: _next_other_sender(chain) for root, chain in threads.items()}
    found = []
    for q in ordered:
        if not start <= q.sent_at + QUESTION_WAIT < end or not is_question(q.body):
            continue
        deadline = q.sent_at + QUESTION_WAIT
        later = (r.sent_at for r in replies.get(q.event_id, ()) if r.sender != q.sender)
        if any(q.sent_at <= when <= deadline for when in later):
            continue
        if q.thread_root and _answered_in_thread(q, next_other[q.thread_root], deadline):
            continue
        found.append(q)
    return found


def _targets(m: ArchivedMessage) -> set[str]:
    """The events a message answers: the one it replies to and its thread's root."""
    return {t for t in (m.reply_to, m.thread_root) if t}


def _next_other_sender(chain: list[ArchivedMessage]) -> dict[str, ArchivedMessage]:
    """For each message of a thread, the first later one by someone else."""
    result: dict[str, ArchivedMessage] = {}
    following: ArchivedMessage | None = None
    for i in range(len(chain) - 1, -1, -1):
        m = chain[i]
        if i + 1 < len(chain) and chain[i + 1].sender != m.sender:
            following = chain[i + 1]
        if following is not None:
            result[m.event_id] = following
    return result


def _answered_in_thread(
    q: ArchivedMessage, next_other: dict[str, ArchivedMessage], deadline: datetime
) -> bool:
    answer = next_other.get(q.event_id)
    return answer is not None and answer.sent_at <= deadline


def unanswered_mentions(user_id: str, messages: Sequence[ArchivedMessage]) -> list[ArchivedMessage]:
    """Messages by others that mention `user_id` and that the user has not answered since:
    no later reply to them, message in their thread, or message in the thread they are in."""
    last_reply: dict[str, datetime] = {}
    for m in messages:
        if m.sender == user_id:
            for target in _targets(m):
                last_reply[target] = max(last_reply.get(target, m.sent_at), m.sent_at)
    found = []
    for m in messages:
        if m.sender == user_id or user_id not in m.mentions:
            continue
        answered = last_reply.get(m.event_id)
        in_thread = last_reply.get(m.thread_root) if m.thread_root else None
        if not any(t is not None and t >= m.sent_at for t in (answered, in_thread)):
            found.append(m)
    return sorted(found, key=lambda m: m.sent_at)


@dataclass(frozen=True)
class MinistryActivity:
    """One ministry's activity: `people` are (user id, messages), busiest first.
    `ministry` is None for senders whose ministry is unknown."""

    ministry: str | None
    messages: int
    people: tuple[tuple[str, int], ...]


def activity_by_ministry(
    period_messages: Sequence[ArchivedMessage], ministry_of: Mapping[str, str]
) -> list[MinistryActivity]:
    """Messages and active people per ministry, busiest ministry first, unknown ministry last."""
    per_person: dict[str, int] = defaultdict(int)
    for m in period_messages:
        per_person[m.sender] += 1
    groups: dict[str | None, list[tuple[str, int]]] = defaultdict(list)
    for person, count in per_person.items():
        groups[ministry_of.get(person)].append((person, count))
    result = [
        MinistryActivity(name, sum(c for _, c in people), tuple(sorted(people, key=_busiest)))
        for name, people in groups.items()
    ]
    result.sort(key=lambda a: (a.ministry is None, -a.messages, -len(a.people), a.ministry or ""))
    return result


def _busiest(person: tuple[str, int]) -> tuple[int, str]:
    return -person[1], person[0]


def cross_ministry_count(
    messages: Sequence[ArchivedMessage],
    start: datetime,
    end: datetime,
    ministry_of: Mapping[str, str],
) -> tuple[int, int]:
    """(cross-ministry messages, all messages) in `[start, end)`.

    A period message is cross-ministry when its sender's ministry is known and either it
    replies to a message whose sender is of another known ministry, or it belongs to a thread
    (as root or reply) in which any message of `messages` is by another known ministry.
    Senders of unknown ministry count in the total but never make a message cross-ministry.
    """
    by_id = {m.event_id: m for m in messages}
    thread_ministries: dict[str, set[str]] = defaultdict(set)
    for m in messages:
        if m.thread_root:
            thread_ministries[m.thread_root].add(ministry_of.get(m.sender, ""))
    for root_id, found in thread_ministries.items():
        if root_id in by_id:
            found.add(ministry_of.get(by_id[root_id].sender, ""))
        found.discard("")
    period = in_period(messages, start, end)
    cross = 0
    for m in period:
        own = ministry_of.get(m.sender)
        if own is None:
            continue
        target = by_id.get(m.reply_to) if m.reply_to else None
        other = ministry_of.get(target.sender) if target else None
        thread = thread_ministries.get(m.thread_root or m.event_id, set())
        if (other is not None and other != own) or thread - {own}:
            cross += 1
    return cross, len(period)


@dataclass(frozen=True)
class ActionGroups:
    """Actions needing attention, each in one group only (overdue before due today before new),
    and, apart, the progress: actions done in the period."""

    overdue: tuple[Action, ...]
    due_today: tuple[Action, ...]
    new: tuple[Action, ...]
    done: tuple[Action, ...] = ()

    def all(self) -> tuple[Action, ...]:
        """The actions needing attention (not the done ones)."""
        return self.overdue + self.due_today + self.new


def group_actions(
    actions: Sequence[Action], today: date, start: datetime, end: datetime
) -> ActionGroups:
    """Open actions past due or due today, actions created in `[start, end)` (unless done in
    it), and actions done in `[start, end)`, in the order they were done."""
    done = [a for a in actions if a.done_at is not None and start <= a.done_at < end]
    finished = set(done)
    overdue = [a for a in actions if _due_by(a, today) and a.due != today]
    due_today = [a for a in actions if _due_by(a, today) and a.due == today]
    new = [
        a
        for a in actions
        if not _due_by(a, today) and start <= a.created_at < end and a not in finished
    ]
    overdue.sort(key=lambda a: (a.due or today, a.created_at))
    due_today.sort(key=lambda a: a.created_at)
    new.sort(key=lambda a: a.created_at)
    done.sort(key=lambda a: a.done_at or end)
    return ActionGroups(tuple(overdue), tuple(due_today), tuple(new), tuple(done))


def _due_by(action: Action, today: date) -> bool:
    return not action.done and action.due is not None and action.due <= today


def exec_row(data: DigestInput, messages_prev: int) -> ExecRow:
    """A WG's executive-digest row, from the same input as its own digest."""
    cross, total = cross_ministry_count(
        data.messages, data.period_start, data.period_end, data.wg.ministry_of
    )
    groups = group_actions(data.actions, data.today, data.period_start, data.period_end)
    return ExecRow(
        key=data.wg.key,
        name_ko=data.wg.name_ko,
        name_en=data.wg.name_en,
        room_id=data.wg.room_id,
        messages=total,
        messages_prev=messages_prev,
        cross_ministry=cross,
        overdue_actions=len(groups.overdue),
        open_blockers=len(data.blockers_open),
        done_actions=len(groups.done),
        disputes=tuple(data.disputes_open),
    )
