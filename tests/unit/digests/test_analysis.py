"""What the digest finds in a room's messages, on fixed data with exact expectations.

Period throughout: Wednesday 2026-12-23 08:30 → Thursday 2026-12-24 08:30, Asia/Seoul.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.digests.analysis import (
    activity_by_ministry,
    cross_ministry_count,
    first_line,
    group_actions,
    hot_threads,
    is_question,
    unanswered_mentions,
    unanswered_questions,
)
from commands.digests.model import Action
from storage.archive import ArchivedMessage

SEOUL = ZoneInfo("Asia/Seoul")
START = datetime(2026, 12, 23, 8, 30, tzinfo=SEOUL)
END = START + timedelta(days=1)
ROOM = "!wg:gov.kr"
MINISTRY = {"@kim:gov.kr": "행정안전부", "@lee:gov.kr": "기획재정부", "@park:gov.kr": "행정안전부"}


def at(hours: float) -> datetime:
    """`hours` after the period start (negative: before it)."""
    return START + timedelta(hours=hours)


def msg(
    event_id: str,
    sender: str,
    hours: float,
    body: str = "네",
    *,
    thread: str | None = None,
    reply: str | None = None,
    mentions: tuple[str, ...] = (),
) -> ArchivedMessage:
    return ArchivedMessage(
        f"${event_id}", ROOM, f"@{sender}:gov.kr", at(hours), body, thread, reply, mentions
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("예산은 언제 확정되나요?", True),
        ("가능할까요？", True),
        ("일정 문의드립니다", True),
        ("질문이 있습니다.", True),
        ("한 가지 여쭙겠습니다.", True),
        ("자료 확인 부탁드립니다", True),
        ("자료 확인부탁드려요", True),
        ("좋습니다. 진행하겠습니다.", False),
        ("? 로 시작만 하는 문장", False),
        ("!action add 문의 정리?", False),
        ("> <@lee:gov.kr> 예산은?\n\n네 확정됐습니다", False),
        ("", False),
    ],
)
def test_what_counts_as_a_question(body: str, expected: bool) -> None:
    assert is_question(body) is expected


def test_first_line_skips_the_reply_fallback_and_truncates() -> None:
    assert first_line("> <@a:x> 원문\n\n  첫  줄 \n둘째 줄") == "첫 줄"
    assert first_line("가" * 100, limit=10) == "가" * 9 + "…"
    assert first_line("\n\n") == ""


def test_hot_threads_rank_by_distinct_senders_then_messages_then_recency() -> None:
    messages = [
        msg("a", "kim", 1, "A 스레드"),  # 3 senders, 4 messages
        msg("a1", "lee", 2, thread="$a"),
        msg("a2", "park", 3, thread="$a"),
        msg("a3", "kim", 4, thread="$a"),
        msg("b", "kim", 1, "B 스레드"),  # 3 senders, 5 messages, last at 5h
        *(msg(f"b{i}", s, 2 + i, thread="$b") for i, s in enumerate(["lee", "park", "lee", "kim"])),
        msg("c", "kim", 1, "C 스레드"),  # 2 senders, 9 messages
        *(msg(f"c{i}", ["lee", "kim"][i % 2], 1 + i / 10, thread="$c") for i in range(8)),
        msg("d", "lee", -5, "D 스레드, 기간 전에 시작됨"),  # 3 senders, 5 messages, last at 7h
        *(msg(f"d{i}", s, 3 + i, thread="$d") for i, s in enumerate(["kim", "park", "choi"])),
        msg("d3", "kim", 6, thread="$d"),
        msg("d4", "kim", 7, thread="$d"),
        msg("e", "kim", 1, "혼잣말"),  # no replies: not a thread
        msg("f", "kim", -30, "F 스레드"),  # replies only before the period
        msg("f1", "lee", -20, thread="$f"),
    ]
    ranked = hot_threads(messages, START, END)
    assert [(t.root_id, t.senders, t.messages, t.replies) for t in ranked] == [
        ("$d", 3, 5, 5),
        ("$b", 3, 5, 4),
        ("$a", 3, 4, 3),
        ("$c", 2, 9, 8),
    ]
    assert ranked[0].first_line == "D 스레드, 기간 전에 시작됨"


def test_thread_whose_root_is_not_archived_shows_its_first_reply() -> None:
    messages = [
        msg("x2", "lee", 5, "스레드 밖"),
        msg("x1", "kim", 2, "첫째", thread="$gone"),
        msg("x3", "lee", 3, "셋째", thread="$gone"),
    ]
    [thread] = hot_threads(messages, START, END)
    assert (thread.first_line, thread.senders, thread.messages) == ("첫째", 2, 2)


def test_unanswered_questions() -> None:
    messages = [
        msg("old", "kim", -40, "지난주 건은요?"),  # deadline before the period: reported earlier
        msg("plain", "kim", -20, "예산은 언제 확정되나요?"),
        msg("wide", "lee", -19, "가능할까요？"),
        msg("words", "park", -18, "자료 확인 부탁드립니다"),
        msg("self", "kim", -17, "회의실은 어디인가요?"),
        msg("self1", "kim", -16, "아시는 분 계신지", reply="$self"),  # the asker only
        msg("replied", "kim", -15, "보고서 양식 문의드립니다"),
        msg("replied1", "lee", -14, "첨부합니다", reply="$replied"),
        msg("threaded", "lee", -13, "담당자가 누구인가요?"),
        msg("threaded1", "park", -12, "접니다", thread="$threaded"),
        msg("t", "kim", -12.5, "일정 논의"),
        msg("in_thread", "lee", -12, "금요일 가능하신가요?", thread="$t"),
        msg("in_thread1", "kim", -11, "네 가능합니다", thread="$t"),
        msg("late", "kim", -10, "회신 기한이 언제죠?"),
        msg("late1", "lee", 15, "금요일입니다", reply="$late"),  # 25 h later: too late
        msg("statement", "lee", -9, "좋습니다."),
        msg("young", "kim", 10, "오늘 오후 괜찮으세요?"),  # only 14 h old at the period end
    ]
    found = unanswered_questions(messages, START, END)
    assert [q.event_id for q in found] == ["$plain", "$wide", "$words", "$self", "$late"]


def test_question_answered_exactly_at_the_deadline_counts_as_answered() -> None:
    messages = [msg("q", "kim", -10, "가능할까요?"), msg("a", "lee", 14, "네", reply="$q")]
    assert unanswered_questions(messages, START, END) == []


def test_unanswered_mentions() -> None:
    me = "@kim:gov.kr"
    messages = [
        msg("m1", "lee", 1, "김 과장님 확인 부탁", mentions=(me,)),
        msg("m2", "lee", 2, "이것도요", mentions=(me,)),
        msg("a2", "kim", 3, "확인했습니다", reply="$m2"),
        msg("m3", "park", 4, "스레드에서 질문", thread="$t", mentions=(me,)),
        msg("a3", "kim", 5, "답변", thread="$t"),
        msg("m4", "park", 6, "다른 분께", mentions=("@lee:gov.kr",)),
        msg("m5", "kim", 7, "제 자신을 언급", mentions=(me,)),
        msg("m6", "lee", 8, "답변 후의 추가 질문", thread="$t", mentions=(me,)),
    ]
    assert [m.event_id for m in unanswered_mentions(me, messages)] == ["$m1", "$m6"]


def test_activity_by_ministry() -> None:
    messages = [
        *(msg(f"k{i}", "kim", i) for i in range(3)),
        *(msg(f"p{i}", "park", i) for i in range(2)),
        *(msg(f"l{i}", "lee", i) for i in range(4)),
        msg("x", "guest", 1),
    ]
    result = activity_by_ministry(messages, MINISTRY)
    assert [(a.ministry, a.messages, a.people) for a in result] == [
        ("행정안전부", 5, (("@kim:gov.kr", 3), ("@park:gov.kr", 2))),
        ("기획재정부", 4, (("@lee:gov.kr", 4),)),
        (None, 1, (("@guest:gov.kr", 1),)),
    ]


def test_cross_ministry_share() -> None:
    messages = [
        msg("r", "kim", -2, "기간 전 스레드 시작"),  # context only, not counted
        msg("r1", "lee", 1, thread="$r"),  # 기재부 in a thread started by 행안부: cross
        msg("r2", "park", 2, thread="$r"),  # 행안부 in a thread with 기재부: cross
        msg("s", "kim", 3, "같은 부처끼리"),  # root of a 행안부-only thread
        msg("s1", "park", 4, thread="$s"),
        msg("x", "lee", 5, "메인 타임라인"),
        msg("x1", "kim", 6, reply="$x"),  # reply to 기재부: cross
        msg("x2", "lee", 7, reply="$x"),  # reply to own ministry
        msg("g", "guest", 8, reply="$x"),  # unknown ministry: never cross
        msg("g1", "kim", 9, reply="$g"),  # reply to unknown: not cross
    ]
    assert cross_ministry_count(messages, START, END, MINISTRY) == (3, 9)


def test_actions_are_grouped_once() -> None:
    today = date(2026, 12, 24)

    def action(label: str, due: date | None, done: bool, created_hours: float) -> Action:
        return Action(label, label, ("@kim:gov.kr",), due, done, at(created_hours))

    actions = [
        action("A-1", date(2026, 12, 20), False, -100),  # overdue
        action("A-2", date(2026, 12, 22), False, 2),  # overdue, though new
        action("A-3", today, False, -50),  # due today
        action("A-4", date(2026, 12, 31), False, 3),  # new
        action("A-5", None, True, 4),  # new and already done
        action("A-6", date(2026, 12, 31), False, -50),  # open, not due, not new: not listed
        action("A-7", date(2026, 12, 20), True, -100),  # done long ago: not listed
    ]
    done_now = replace(action("A-8", today, True, -100), done_at=at(5))
    done_new = replace(action("A-9", None, True, 1), done_at=at(6))
    groups = group_actions([*actions, done_new, done_now], today, START, END)
    labels = [[a.id_label for a in g] for g in (groups.overdue, groups.due_today, groups.new)]
    assert labels == [["A-1", "A-2"], ["A-3"], ["A-4", "A-5"]]
    assert [a.id_label for a in groups.done] == ["A-8", "A-9"]
