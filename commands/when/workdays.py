"""Korean working days: weekends and public holidays (the `holidays` package, KR) are off."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def _korean_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("KR", years=year, language="ko")


def holiday_name(day: date) -> str | None:
    """The Korean name of the public holiday on `day`, or None."""
    return _korean_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a public holiday (substitute holidays included)."""
    return day.weekday() < 5 and holiday_name(day) is None


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day`."""
    candidate = day - timedelta(days=1)
    while not is_working_day(candidate):
        candidate -= timedelta(days=1)
    return candidate


def next_working_day(day: date) -> date:
    """The first working day on or after `day`."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
