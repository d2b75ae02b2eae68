"""Digest days and periods: weekends and KR holidays skipped, periods that tile time, catch-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.digests.period import (
    days_off,
    digest_period,
    due_digest_days,
    is_late,
    message_window,
    previous_digest_period,
)

SEOUL = ZoneInfo("Asia/Seoul")
AT = time(8, 30)


def seoul(y: int, m: int, d: int, hh: int = 8, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 11, 30), seoul(2026, 11, 27)),  # Monday covers Friday → Monday
        (date(2026, 12, 1), seoul(2026, 11, 30)),
        (date(2026, 12, 24), seoul(2026, 12, 23)),
        (date(2026, 12, 28), seoul(2026, 12, 24)),  # Christmas Friday and the weekend
        (date(2027, 2, 5), seoul(2027, 2, 4)),
        (date(2027, 2, 10), seoul(2027, 2, 5)),  # 설날 Feb 6-9 (Sat-Tue, substitute on Tue)
    ],
)
def test_period_runs_from_the_previous_working_days_digest(today: date, start: datetime) -> None:
    assert digest_period(today, AT, SEOUL) == (start, datetime.combine(today, AT, tzinfo=SEOUL))


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 12, 25),  # 기독탄신일, a Friday
        date(2026, 12, 26),
        date(2026, 12, 27),
        date(2027, 2, 6),  # 설날 전날 (Saturday)
        date(2027, 2, 7),  # 설날
        date(2027, 2, 8),  # 설날 다음날
        date(2027, 2, 9),  # 설날 대체 휴일
    ],
)
def test_no_digest_on_weekends_and_holidays(day: date) -> None:
    assert digest_period(day, AT, SEOUL) is None


def test_periods_tile_time_without_gap_or_overlap() -> None:
    day, previous_end, count = date(2026, 11, 2), None, 0
    while day < date(2027, 3, 31):
        period = digest_period(day, AT, SEOUL)
        if period is not None:
            assert previous_end is None or period[0] == previous_end
            previous_end, count = period[1], count + 1
        day += timedelta(days=1)
    assert count > 90


def test_previous_period_and_message_window() -> None:
    assert previous_digest_period(date(2027, 2, 10), AT, SEOUL) == (
        seoul(2027, 2, 4),
        seoul(2027, 2, 5),
    )
    period = (seoul(2026, 12, 24), seoul(2026, 12, 28))
    assert message_window(period) == (seoul(2026, 12, 23), seoul(2026, 12, 28))


def test_days_off_name_the_holidays() -> None:
    assert days_off((seoul(2026, 12, 24), seoul(2026, 12, 28))) == [
        (date(2026, 12, 25), "기독탄신일"),
        (date(2026, 12, 26), None),
        (date(2026, 12, 27), None),
    ]
    assert [name for _, name in days_off((seoul(2027, 2, 5), seoul(2027, 2, 10)))] == [
        "설날 전날",
        "설날",
        "설날 다음날",
        "설날 대체 휴일",
    ]
    assert days_off((seoul(2026, 12, 23), seoul(2026, 12, 24))) == []


@pytest.mark.parametrize(
    ("last_sent", "now", "due"),
    [
        (date(2026, 12, 24), seoul(2026, 12, 28, 8, 29), []),  # not yet time
        (date(2026, 12, 24), seoul(2026, 12, 28, 8, 30), [date(2026, 12, 28)]),
        (date(2026, 12, 28), seoul(2026, 12, 28, 9, 0), []),  # restart: never twice
        (None, seoul(2026, 12, 28, 8, 30), [date(2026, 12, 28)]),  # fresh install
        # down since Tuesday 23rd: only today's digest, not the missed 24th
        (date(2026, 12, 23), seoul(2026, 12, 28, 15, 0), [date(2026, 12, 28)]),
        (date(2026, 12, 24), seoul(2026, 12, 25, 9, 0), []),  # Christmas
        (date(2027, 2, 5), seoul(2027, 2, 9, 9, 0), []),  # 설날 substitute holiday
        (date(2027, 2, 5), seoul(2027, 2, 10, 23, 59), [date(2027, 2, 10)]),
        (date(2026, 12, 29), seoul(2026, 12, 28, 9, 0), []),  # ledger ahead of the clock
    ],
)
def test_due_digest_days(last_sent: date | None, now: datetime, due: list[date]) -> None:
    assert due_digest_days(last_sent, now, AT, SEOUL) == due


def test_due_digest_days_reads_now_in_the_digest_zone() -> None:
    utc_now = datetime(2026, 12, 27, 23, 40, tzinfo=UTC)  # Monday 08:40 in Seoul
    assert due_digest_days(date(2026, 12, 24), utc_now, AT, SEOUL) == [date(2026, 12, 28)]


def test_late_after_ten_minutes() -> None:
    assert not is_late(date(2026, 12, 28), seoul(2026, 12, 28, 8, 40), AT, SEOUL)
    assert is_late(date(2026, 12, 28), seoul(2026, 12, 28, 8, 41), AT, SEOUL)
