"""Meeting series: RRULE text, holiday skips (설날 2027, 성탄절), month ends, cancellations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from commands.errors import UserInputError
from commands.meetings.recurrence import (
    Recurrence,
    describe,
    occurrences,
    rrule_for,
)

SEOUL = ZoneInfo("Asia/Seoul")
HOUR = timedelta(hours=1)


def at(y: int, m: int, d: int, hh: int = 14, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("week", Recurrence.WEEK),
        ("Weekly", Recurrence.WEEK),
        ("매주", Recurrence.WEEK),
        ("2weeks", Recurrence.TWO_WEEKS),
        ("2 weeks", Recurrence.TWO_WEEKS),
        ("biweekly", Recurrence.TWO_WEEKS),
        ("격주", Recurrence.TWO_WEEKS),
        ("month", Recurrence.MONTH),
        ("매월", Recurrence.MONTH),
        ("매달", Recurrence.MONTH),
    ],
)
def test_parse_accepts_english_and_korean(text: str, expected: Recurrence) -> None:
    assert Recurrence.parse(text) is expected


def test_parse_rejects_unknown_with_both_languages() -> None:
    with pytest.raises(UserInputError) as caught:
        Recurrence.parse("매년")
    assert "매주" in caught.value.ko and "week" in caught.value.en


@pytest.mark.parametrize(
    ("freq", "until", "expected"),
    [
        ("week", None, "FREQ=WEEKLY"),
        ("격주", date(2027, 1, 31), "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270131T145959Z"),
        (Recurrence.MONTH, date(2027, 12, 31), "FREQ=MONTHLY;UNTIL=20271231T145959Z"),
    ],
)
def test_rrule_text(freq: str, until: date | None, expected: str) -> None:
    assert rrule_for(freq, until) == expected


def test_rrule_text_expands_like_occurrences() -> None:
    """A calendar expanding the RRULE and the bot expanding the series see the same starts."""
    start = at(2027, 1, 5)
    text = rrule_for("2weeks", date(2027, 3, 31))
    from_calendar = list(rrulestr(text, dtstart=start))
    schedule = occurrences(start, HOUR, "2weeks", date(2027, 3, 31))
    assert from_calendar == sorted(schedule.held + schedule.exdates)


def test_fortnightly_over_seollal_2027_skips_the_substitute_holiday() -> None:
    """설날 2027 is Feb 6–8 with the substitute holiday on Tuesday Feb 9."""
    schedule = occurrences(at(2027, 1, 26), HOUR, "격주", date(2027, 3, 10))
    assert schedule.held == [at(2027, 1, 26), at(2027, 2, 23), at(2027, 3, 9)]
    assert schedule.skipped == [(at(2027, 2, 9), "설날 대체 휴일")]
    assert schedule.exdates == [at(2027, 2, 9)]


def test_weekly_monday_over_seollal_2027_skips_the_day_after() -> None:
    schedule = occurrences(at(2027, 2, 1, 10), HOUR, "week", date(2027, 2, 15))
    assert schedule.held == [at(2027, 2, 1, 10), at(2027, 2, 15, 10)]
    assert schedule.skipped == [(at(2027, 2, 8, 10), "설날 다음날")]


def test_monthly_on_christmas_skips_both_christmases() -> None:
    schedule = occurrences(at(2026, 12, 25, 10), HOUR, "month", date(2027, 12, 31))
    assert [(s.date(), name) for s, name in schedule.skipped] == [
        (date(2026, 12, 25), "기독탄신일"),
        (date(2027, 12, 25), "기독탄신일"),
    ]
    assert len(schedule.held) == 11
    assert all(s.day == 25 and s.hour == 10 for s in schedule.held)


def test_monthly_on_the_31st_skips_months_without_it() -> None:
    schedule = occurrences(at(2027, 1, 31), HOUR, "month", date(2027, 12, 31))
    assert [s.month for s in schedule.held] == [1, 3, 5, 7, 8, 10, 12]
    assert schedule.skipped == []


def test_until_is_inclusive_of_its_whole_day() -> None:
    schedule = occurrences(at(2027, 3, 2, 23, 30), HOUR, "week", date(2027, 3, 16))
    assert schedule.held[-1] == at(2027, 3, 16, 23, 30)


def test_cancelled_occurrences_are_excluded_and_listed() -> None:
    cancelled = {at(2027, 3, 9).astimezone(ZoneInfo("UTC"))}
    schedule = occurrences(at(2027, 3, 2), HOUR, "week", date(2027, 3, 23), cancelled=cancelled)
    assert schedule.held == [at(2027, 3, 2), at(2027, 3, 16), at(2027, 3, 23)]
    assert schedule.cancelled == [at(2027, 3, 9)]
    assert schedule.exdates == [at(2027, 3, 9)]


def test_open_ended_series_stops_at_the_limit() -> None:
    schedule = occurrences(at(2027, 3, 2), HOUR, "week", None, limit=10)
    assert len(schedule.held) + len(schedule.skipped) == 10
    assert schedule.truncated
    assert not occurrences(at(2027, 3, 2), HOUR, "week", date(2027, 3, 9)).truncated


def test_start_in_another_zone_is_taken_in_seoul_wall_time() -> None:
    utc_start = at(2027, 3, 2, 9).astimezone(ZoneInfo("UTC"))
    schedule = occurrences(utc_start, HOUR, "week", date(2027, 3, 9))
    assert [s.isoformat() for s in schedule.held] == [
        "2027-03-02T09:00:00+09:00",
        "2027-03-09T09:00:00+09:00",
    ]


def test_one_off_meeting_is_held_even_on_a_holiday() -> None:
    schedule = occurrences(at(2027, 2, 8), HOUR, None)
    assert schedule.held == [at(2027, 2, 8)] and schedule.skipped == []
    gone = occurrences(at(2027, 2, 8), HOUR, None, cancelled={at(2027, 2, 8)})
    assert gone.held == [] and gone.cancelled == [at(2027, 2, 8)]


def test_next_held_skips_past_and_running_meetings_end() -> None:
    schedule = occurrences(at(2027, 1, 26), HOUR, "격주", date(2027, 3, 10))
    assert schedule.next_held(at(2027, 1, 26, 14, 30)) == at(2027, 1, 26)
    assert schedule.next_held(at(2027, 1, 26, 15)) == at(2027, 2, 23)
    assert schedule.next_held(at(2027, 3, 10)) is None


def test_until_before_start_is_a_user_error() -> None:
    with pytest.raises(UserInputError):
        occurrences(at(2027, 3, 2), HOUR, "week", date(2027, 3, 1))


def test_naive_start_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        occurrences(datetime(2027, 3, 2, 14), HOUR, "week", None)


def test_describe() -> None:
    assert describe("격주", date(2027, 1, 31)) == "격주, 2027-01-31 (일)까지"
    assert describe("month", None, "en") == "monthly"
    assert describe("2weeks", date(2027, 1, 31), "en") == "every 2 weeks until 2027-01-31 (Sun)"
