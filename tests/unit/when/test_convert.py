"""The date converter: every phrase against the exact moment a user would expect.

Base time throughout: Friday 2026-11-27 10:15 in Asia/Seoul.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.errors import UserInputError
from commands.when.convert import (
    ParsedWhen,
    format_span,
    format_when,
    parse_duration,
    parse_when,
    split_when,
)

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 27, 10, 15, tzinfo=SEOUL)


def day(m: int, d: int, y: int = 2026) -> ParsedWhen:
    """A date-only result: that day's 00:00 in Seoul, without a time."""
    return ParsedWhen(datetime(y, m, d, tzinfo=SEOUL), has_time=False)


def at(m: int, d: int, hh: int, mm: int = 0, y: int = 2026) -> ParsedWhen:
    """A result with a time of day, in Seoul."""
    return ParsedWhen(datetime(y, m, d, hh, mm, tzinfo=SEOUL), has_time=True)


KOREAN_DAYS = [
    ("오늘", day(11, 27)),
    ("내일", day(11, 28)),
    ("모레", day(11, 29)),
    ("내일모레", day(11, 29)),
    ("글피", day(11, 30)),
    ("이번 주 금요일", day(11, 27)),
    ("이번주 금", day(11, 27)),
    ("금주 일요일", day(11, 29)),
    ("다음 주 화요일", day(12, 1)),
    ("다음주 화요일", day(12, 1)),
    ("담주 화", day(12, 1)),
    ("다다음주 월요일", day(12, 7)),
    ("12월 3일", day(12, 3)),
    ("12/3", day(12, 3)),
    ("2026년 12월 3일", day(12, 3)),
    ("2026-12-03", day(12, 3)),
    ("2026.12.3", day(12, 3)),
    ("1월 5일", day(1, 5, y=2027)),
    ("3일", day(12, 3)),
    ("다음 달 3일", day(12, 3)),
    ("3일 후", day(11, 30)),
    ("3일 뒤", day(11, 30)),
    ("3일후", day(11, 30)),
    ("이틀 후", day(11, 29)),
    ("일주일 후", day(12, 4)),
    ("2주 뒤", day(12, 11)),
    ("한 달 후", day(12, 27)),
    ("월요일", day(11, 30)),
    ("일요일", day(11, 29)),
    ("금요일", day(11, 27)),
    ("금요일까지", day(11, 27)),
    ("12월 3일 목요일", day(12, 3)),
    ("12/3(목)", day(12, 3)),
]

KOREAN_TIMES = [
    ("오후 2시", at(11, 27, 14)),
    ("오전 9시 30분", at(11, 28, 9, 30)),  # already past today: the next 09:30
    ("오전 11시", at(11, 27, 11)),
    ("2시 반", at(11, 27, 14, 30)),
    ("14시", at(11, 27, 14)),
    ("14:00", at(11, 27, 14)),
    ("09:30", at(11, 28, 9, 30)),
    ("정오", at(11, 27, 12)),
    ("자정", at(11, 28, 0)),
    ("저녁 7시", at(11, 27, 19)),
    ("아침 8시", at(11, 28, 8)),
    ("밤 10시", at(11, 27, 22)),
    ("밤 12시", at(11, 28, 0)),
    ("밤 1시", at(11, 28, 1)),
    ("새벽 2시", at(11, 28, 2)),
    ("점심", at(11, 27, 12)),
    ("낮 12시", at(11, 27, 12)),
    ("낮 3시", at(11, 27, 15)),
    ("오후 12시", at(11, 27, 12)),
    ("오전 12시", at(11, 28, 0)),
    ("2시", at(11, 27, 14)),  # business hours: 1–7 → afternoon
    ("7시", at(11, 27, 19)),
    ("8시", at(11, 28, 8)),  # 8–11 → morning; 08:00 has passed, so tomorrow
    ("11시", at(11, 27, 11)),
    ("12시", at(11, 27, 12)),
    ("2:30", at(11, 27, 14, 30)),
    ("02:30", at(11, 28, 2, 30)),  # a leading zero means the 24-hour clock
    ("24:00", at(11, 28, 0)),
    ("10:15", at(11, 27, 10, 15)),  # this very minute is not past
    ("오후 2시에", at(11, 27, 14)),
    ("2시경", at(11, 27, 14)),
    ("pm 2시", at(11, 27, 14)),
    ("두시 반", at(11, 27, 14, 30)),
    ("오후 한시", at(11, 27, 13)),
    ("열한시", at(11, 27, 11)),
    ("12시 반", at(11, 27, 12, 30)),
    ("한시간 후", at(11, 27, 11, 15)),
    ("3시간 후", at(11, 27, 13, 15)),
    ("30분 후", at(11, 27, 10, 45)),
    ("1시간 30분 뒤", at(11, 27, 11, 45)),
    ("2시간 반 후", at(11, 27, 12, 45)),
    ("두 시간 후", at(11, 27, 12, 15)),
    ("지금", at(11, 27, 10, 15)),
]

KOREAN_COMBOS = [
    ("내일 오후 2시", at(11, 28, 14)),
    ("내일오후2시", at(11, 28, 14)),
    ("모레 09:30", at(11, 29, 9, 30)),
    ("다음 주 화요일 10시", at(12, 1, 10)),
    ("다음주화요일10시", at(12, 1, 10)),
    ("12월 3일 14:00", at(12, 3, 14)),
    ("12월 3일 오후 2시 30분", at(12, 3, 14, 30)),
    ("12/3 14:00", at(12, 3, 14)),
    ("2026-12-03 14:00", at(12, 3, 14)),
    ("2026-12-03T14:00", at(12, 3, 14)),
    ("2026년 12월 3일 오전 10시", at(12, 3, 10)),
    ("금요일 오후 2시", at(11, 27, 14)),  # today, the time is still ahead
    ("금요일 9시", at(12, 4, 9)),  # today's 09:00 has passed: next Friday
    ("월요일 9시", at(11, 30, 9)),
    ("3일 후 오후 3시", at(11, 30, 15)),
    ("오늘 밤 10시", at(11, 27, 22)),
    ("오늘 자정", at(11, 28, 0)),
    ("내일 새벽 2시", at(11, 28, 2)),
    ("내일 밤 12시", at(11, 29, 0)),
    ("내일 점심", at(11, 28, 12)),
    ("내일 세시", at(11, 28, 15)),
    ("12월 3일 (목) 14:00", at(12, 3, 14)),
    ("다음 달 1일 10시", at(12, 1, 10)),
    ("오후 2시 내일", at(11, 28, 14)),
    ("１２월 ３일 １４：００", at(12, 3, 14)),  # full-width digits from a Korean IME
]

ENGLISH = [
    ("tomorrow 3pm", at(11, 28, 15)),
    ("tomorrow at 3pm", at(11, 28, 15)),
    ("Tomorrow 3 PM", at(11, 28, 15)),
    ("next tuesday 10am", at(12, 1, 10)),
    ("this friday", day(11, 27)),
    ("in 3 hours", at(11, 27, 13, 15)),
    ("in an hour", at(11, 27, 11, 15)),
    ("in 1h30m", at(11, 27, 11, 45)),
    ("in 1 hour 30 minutes", at(11, 27, 11, 45)),
    ("in 90 minutes", at(11, 27, 11, 45)),
    ("in 2 days", day(11, 29)),
    ("2 weeks from now", day(12, 11)),
    ("2026-12-03 14:00", at(12, 3, 14)),
    ("Dec 3 2pm", at(12, 3, 14)),
    ("December 3rd at 2pm", at(12, 3, 14)),
    ("3 Dec 2026", day(12, 3)),
    ("Thursday, December 3, 2026 2:00 PM", at(12, 3, 14)),
    ("monday 9:30", at(11, 30, 9, 30)),
    ("monday at 9", at(11, 30, 9)),
    ("today 17:00", at(11, 27, 17)),
    ("noon tomorrow", at(11, 28, 12)),
    ("tomorrow noon", at(11, 28, 12)),
    ("midnight", at(11, 28, 0)),
    ("3pm", at(11, 27, 15)),  # dateparser alone says tomorrow
    ("friday", day(11, 27)),  # dateparser alone says next Friday
    ("the day after tomorrow", day(11, 29)),
    ("now", at(11, 27, 10, 15)),
    ("next fri 3pm", at(12, 4, 15)),  # next week's Friday, like 다음 주 금요일
    ("sat 10am", at(11, 28, 10)),
    ("coming monday", day(11, 30)),
    ("12/3 (thu) 2pm", at(12, 3, 14)),
    ("tonight 8pm", at(11, 27, 20)),  # read by dateparser
    ("a week from tomorrow", day(12, 5)),  # read by dateparser
]

PHRASES = KOREAN_DAYS + KOREAN_TIMES + KOREAN_COMBOS + ENGLISH


@pytest.mark.parametrize(("phrase", "expected"), PHRASES, ids=[p for p, _ in PHRASES])
def test_phrase_gives_exact_moment(phrase: str, expected: ParsedWhen) -> None:
    assert parse_when(phrase, now=NOW) == expected


def test_result_is_in_the_requested_zone() -> None:
    utc_now = NOW.astimezone(ZoneInfo("UTC"))
    found = parse_when("내일 오후 2시", now=utc_now)
    assert found.at == datetime(2026, 11, 28, 14, tzinfo=SEOUL)
    assert found.at.tzinfo == SEOUL
    assert found.at.utcoffset() == timedelta(hours=9)


def test_other_zone_reads_wall_time_there() -> None:
    found = parse_when("tomorrow 9am", now=NOW, tz="Europe/Berlin")
    assert found.at == datetime(2026, 11, 28, 9, tzinfo=ZoneInfo("Europe/Berlin"))


def test_relative_offset_drops_seconds() -> None:
    found = parse_when("30분 후", now=NOW.replace(second=42, microsecond=7))
    assert found.at == datetime(2026, 11, 27, 10, 45, tzinfo=SEOUL)


def test_date_only_takes_the_callers_default_time() -> None:
    found = parse_when("12월 3일", now=NOW)
    assert found.at_time_or(time(18, 0)) == datetime(2026, 12, 3, 18, 0, tzinfo=SEOUL)
    timed = parse_when("12월 3일 14:00", now=NOW)
    assert timed.at_time_or(time(18, 0)) == datetime(2026, 12, 3, 14, 0, tzinfo=SEOUL)


PAST_ALLOWED = [
    ("어제", day(11, 26)),
    ("그제", day(11, 25)),
    ("yesterday", day(11, 26)),
    ("이번 주 월요일", day(11, 23)),
    ("지난주 수요일", day(11, 18)),
    ("11월 20일", day(11, 20)),  # the nearest 20 Nov is last week, not next year
    ("오늘 오전 9시", at(11, 27, 9)),
    ("3시간 전", at(11, 27, 7, 15)),
    ("3 days ago", day(11, 24)),
    ("last monday", day(11, 23)),  # the latest Monday, not the previous week's
    ("last friday", day(11, 20)),
]


@pytest.mark.parametrize(("phrase", "expected"), PAST_ALLOWED, ids=[p for p, _ in PAST_ALLOWED])
def test_past_phrase_with_allow_past(phrase: str, expected: ParsedWhen) -> None:
    assert parse_when(phrase, now=NOW, allow_past=True) == expected


@pytest.mark.parametrize("phrase", [p for p, _ in PAST_ALLOWED])
def test_past_phrase_refused_by_default(phrase: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_when(phrase, now=NOW)
    assert "이미 지난" in caught.value.ko
    assert "in the past" in caught.value.en


def test_past_error_shows_the_moment_and_examples() -> None:
    with pytest.raises(UserInputError) as caught:
        parse_when("어제", now=NOW)
    assert "2026-11-26 (목)" in caught.value.ko
    assert "예: 내일 오후 2시" in caught.value.ko
    assert "2026-11-26 (Thu)" in caught.value.en
    assert "tomorrow 3pm" in caught.value.en


REJECTED = [
    ("", "적어 주세요"),
    ("   ", "적어 주세요"),
    ("banana", "알아듣지"),
    ("회의", "알아듣지"),
    ("주간 회의 준비", "알아듣지"),
    ("1h", "알아듣지"),  # dateparser alone reads this as an hour from now
    ("a", "알아듣지"),  # dateparser alone reads this as a date next year
    ("may", "알아듣지"),  # a month without a day
    ("next month", "알아듣지"),
    ("12/3/2026", "알아듣지"),  # US order is not guessed
    ("2월 30일", "없는 날짜"),
    ("2월 29일", "없는 날짜"),  # no 29 Feb in 2025–2027
    ("13월 1일", "없는 날짜"),
    ("2026-02-29", "없는 날짜"),
    ("이번 달 31일", "없는 날짜"),  # November has 30 days
    ("Feb 30", "없는 날짜"),
    ("25시", "없는 시각"),
    ("25:00", "없는 시각"),
    ("2시 70분", "없는 시각"),
    ("오전 14시", "어긋납니다"),
    ("내일 모레", "둘 이상"),
    ("내일 2시 3시", "둘 이상"),
    ("12월 3일 금요일", "목요일입니다"),
    ("내일 3시간 후", "상대 시각"),
    ("다음 주", "정할 수 없습니다"),
    ("내일 오후", "정할 수 없습니다"),
    ("이번 달", "정할 수 없습니다"),
]


@pytest.mark.parametrize(("phrase", "reason"), REJECTED, ids=[p or "empty" for p, _ in REJECTED])
def test_rejected_phrase(phrase: str, reason: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_when(phrase, now=NOW, allow_past=True)
    assert any(part in caught.value.ko for part in reason.split("|"))
    assert caught.value.en != caught.value.ko


SPLITS = [
    (["내일", "오후", "2시", "1h", "주간 회의"], at(11, 28, 14), ["1h", "주간 회의"]),
    (["tomorrow", "3pm", "90m", "Weekly sync"], at(11, 28, 15), ["90m", "Weekly sync"]),
    (["12월", "3일", "14:00", "1시간", "예산 검토"], at(12, 3, 14), ["1시간", "예산 검토"]),
    (["3시간", "후", "30m", "점검"], at(11, 27, 13, 15), ["30m", "점검"]),
    (["in", "3", "hours", "30m", "Check"], at(11, 27, 13, 15), ["30m", "Check"]),
    (["in", "3", "hours", "1h", "Check"], at(11, 27, 13, 15), ["1h", "Check"]),
    (["모레", "회의"], day(11, 29), ["회의"]),
    (["2시", "반기", "점검"], at(11, 27, 14), ["반기", "점검"]),
    (["오후 2시", "1h"], at(11, 27, 14), ["1h"]),
    (["내일", "2시", "1시간", "30분"], at(11, 28, 14), ["1시간", "30분"]),
    (["2026-12-03", "14:00", "1.5h", "워크숍"], at(12, 3, 14), ["1.5h", "워크숍"]),
    (["다음주", "화요일", "10시", "2h", "정책 협의회"], at(12, 1, 10), ["2h", "정책 협의회"]),
    (["Dec", "3", "2pm", "1h", "March planning"], at(12, 3, 14), ["1h", "March planning"]),
    (["내일"], day(11, 28), []),
    (["내일", "2시", "오전 회의 정리"], at(11, 28, 14), ["오전 회의 정리"]),
    (["내일", "2시", "이번 주 점검"], at(11, 28, 14), ["이번 주 점검"]),
    (["내일", "2시", "25시 특집"], at(11, 28, 14), ["25시 특집"]),
]


@pytest.mark.parametrize(
    ("tokens", "expected", "rest"), SPLITS, ids=[" ".join(t) for t, _, _ in SPLITS]
)
def test_split_when_takes_the_longest_prefix(
    tokens: list[str], expected: ParsedWhen, rest: list[str]
) -> None:
    assert split_when(tokens, now=NOW) == (expected, rest)


def test_split_when_leaves_the_callers_list_alone() -> None:
    tokens = ["내일", "오후", "2시", "1h", "주간 회의"]
    split_when(tokens, now=NOW)
    assert tokens == ["내일", "오후", "2시", "1h", "주간 회의"]


@pytest.mark.parametrize(
    ("tokens", "reason"),
    [
        ([], "적어 주세요"),
        (["주간 회의"], "알아듣지"),
        (["1h", "내일"], "알아듣지"),
        (["내일", "오후", "25시", "회의"], "없는 시각"),  # not `내일` + title `오후 25시 회의`
        (["어제", "회의"], "이미 지난"),
        (["12/3", "오후", "회의"], "정할 수 없습니다"),  # the hour is missing
    ],
)
def test_split_when_errors(tokens: list[str], reason: str) -> None:
    with pytest.raises(UserInputError) as caught:
        split_when(tokens, now=NOW)
    assert reason in caught.value.ko


def test_split_when_allow_past() -> None:
    assert split_when(["어제", "회의"], now=NOW, allow_past=True) == (day(11, 26), ["회의"])


DURATIONS = [
    ("1h", 60),
    ("90m", 90),
    ("1시간", 60),
    ("1시간 30분", 90),
    ("1시간30분", 90),
    ("1시간 반", 90),
    ("30분", 30),
    ("30분간", 30),
    ("2h30m", 150),
    ("1h 30m", 90),
    ("1.5h", 90),
    ("2.5시간", 150),
    ("0.25h", 15),
    ("1 hour", 60),
    ("45 minutes", 45),
    ("90min", 90),
    ("24h", 24 * 60),
    ("１ｈ", 60),
]


@pytest.mark.parametrize(("text", "minutes"), DURATIONS, ids=[t for t, _ in DURATIONS])
def test_duration(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    "text", ["", "90", "abc", "1h1h", "30m1h", "1시 30분", "0.01h", "h", "1h회의", "1d"]
)
def test_duration_unreadable(text: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_duration(text)
    assert "알아듣지" in caught.value.ko
    assert "1h" in caught.value.en


@pytest.mark.parametrize("text", ["0m", "0h", "25h", "24h 1m", "1441분"])
def test_duration_out_of_range(text: str) -> None:
    with pytest.raises(UserInputError) as caught:
        parse_duration(text)
    assert "24시간 이하" in caught.value.ko


MEETING = datetime(2026, 12, 3, 14, 0, tzinfo=SEOUL)


def test_format_when_korean_and_english() -> None:
    assert format_when(MEETING) == "2026-12-03 (목) 14:00 KST"
    assert format_when(MEETING, "en") == "2026-12-03 (Thu) 14:00 KST"
    assert format_when(MEETING, with_time=False) == "2026-12-03 (목)"


def test_format_when_every_weekday_letter() -> None:
    week = [format_when(MEETING + timedelta(days=i))[12:13] for i in range(7)]
    assert week == ["목", "금", "토", "일", "월", "화", "수"]


def test_format_when_converts_to_requested_zone() -> None:
    stored = MEETING.astimezone(ZoneInfo("UTC"))
    assert format_when(stored) == "2026-12-03 (목) 05:00 UTC"
    assert format_when(stored, tz="Asia/Seoul") == "2026-12-03 (목) 14:00 KST"


def test_format_when_refuses_naive() -> None:
    with pytest.raises(ValueError):
        format_when(datetime(2026, 12, 3, 14, 0))


def test_format_span_same_day() -> None:
    end = MEETING + timedelta(hours=1)
    assert format_span(MEETING, end) == "2026-12-03 (목) 14:00–15:00 KST"
    assert format_span(MEETING, end, "en") == "2026-12-03 (Thu) 14:00–15:00 KST"


def test_format_span_across_midnight() -> None:
    start = datetime(2026, 12, 3, 23, 0, tzinfo=SEOUL)
    end = start + timedelta(hours=2)
    assert format_span(start, end) == "2026-12-03 (목) 23:00 – 2026-12-04 (금) 01:00 KST"
    assert format_span(start, end, "en") == "2026-12-03 (Thu) 23:00 – 2026-12-04 (Fri) 01:00 KST"


def test_format_span_end_in_other_zone_is_shown_in_the_start_zone() -> None:
    end = (MEETING + timedelta(minutes=90)).astimezone(ZoneInfo("UTC"))
    assert format_span(MEETING, end) == "2026-12-03 (목) 14:00–15:30 KST"


def test_format_span_refuses_end_before_start() -> None:
    with pytest.raises(ValueError):
        format_span(MEETING, MEETING - timedelta(minutes=1))


def test_parsed_when_round_trips_through_format() -> None:
    found = parse_when("다음 주 화요일 오후 3시", now=NOW)
    assert format_when(found.at) == "2026-12-01 (화) 15:00 KST"
