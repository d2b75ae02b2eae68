"""Meeting series: the RRULE a calendar gets and the dates a series actually meets on.

A series repeats weekly, fortnightly or monthly in Seoul wall time, expanded by dateutil (the
RFC 5545 reference behaviour), so the chat and the `.ics` agree. An occurrence on a Korean public
holiday is skipped, not moved, and reported with the holiday's name; calendars get it as an
EXDATE. A monthly series keeps its day of the month: months without that day (the 31st in
April, the 30th in February) are skipped, as RFC 5545 says, not clamped to the month's end, so a
series on the 31st meets seven times a year. Choose the 28th or earlier for every month.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule

from commands.errors import UserInputError
from commands.when import format_when, holiday_name

SEOUL = ZoneInfo("Asia/Seoul")


class Recurrence(StrEnum):
    """How often a series repeats; the values are what `--every` takes in English."""

    WEEK = "week"
    TWO_WEEKS = "2weeks"
    MONTH = "month"

    @classmethod
    def parse(cls, text: str) -> Recurrence:
        """`week`/`매주`, `2weeks`/`격주`, `month`/`매월` and a few spellings of each."""
        found = _ALIASES.get(text.strip().lower().replace(" ", "").replace("-", ""))
        if found is None:
            raise UserInputError(
                f"반복 주기를 알 수 없습니다: '{text}'. 예: 매주, 격주, 매월 (week, 2weeks, month)",
                f"Unknown repeat interval: '{text}'. Use week, 2weeks or month (매주, 격주, 매월)",
            )
        return found

    def label(self, lang: str = "ko") -> str:
        """`격주` or `every 2 weeks`, for announcements."""
        ko, en = _LABELS[self]
        return ko if lang == "ko" else en

    @property
    def rule(self) -> tuple[int, int]:
        """dateutil frequency and interval."""
        return (MONTHLY, 1) if self is Recurrence.MONTH else (WEEKLY, _INTERVALS[self])


_INTERVALS = {Recurrence.WEEK: 1, Recurrence.TWO_WEEKS: 2, Recurrence.MONTH: 1}
_LABELS = {
    Recurrence.WEEK: ("매주", "weekly"),
    Recurrence.TWO_WEEKS: ("격주", "every 2 weeks"),
    Recurrence.MONTH: ("매월", "monthly"),
}
_ALIASES: dict[str, Recurrence] = {
    **dict.fromkeys(("week", "weekly", "1week", "매주", "주마다", "1주"), Recurrence.WEEK),
    **dict.fromkeys(
        ("2weeks", "2week", "biweekly", "fortnightly", "fortnight", "격주", "2주", "2주마다"),
        Recurrence.TWO_WEEKS,
    ),
    **dict.fromkeys(("month", "monthly", "1month", "매월", "매달", "달마다"), Recurrence.MONTH),
}


@dataclass(frozen=True)
class Schedule:
    """A series expanded: starts that meet, starts skipped for a holiday (with its Korean name)
    and starts cancelled one by one. `truncated` means the limit cut the series short."""

    duration: timedelta
    held: list[datetime] = field(default_factory=list)
    skipped: list[tuple[datetime, str]] = field(default_factory=list)
    cancelled: list[datetime] = field(default_factory=list)
    truncated: bool = False

    @property
    def exdates(self) -> list[datetime]:
        """Every start that does not meet, in order: the EXDATEs of the calendar entry."""
        return sorted([start for start, _ in self.skipped] + self.cancelled)

    def next_held(self, after: datetime) -> datetime | None:
        """The first occurrence that has not ended by `after`, or None when the series is over."""
        return next((start for start in self.held if start + self.duration > after), None)


def _as_recurrence(freq: Recurrence | str) -> Recurrence:
    return freq if isinstance(freq, Recurrence) else Recurrence.parse(freq)


def series_end(until: date) -> datetime:
    """The last instant of `until` in Seoul: a series includes its last day."""
    return datetime.combine(until, time(23, 59, 59), SEOUL)


def rrule_for(freq: Recurrence | str, until: date | None) -> str:
    """RFC 5545 RRULE value, e.g. `FREQ=WEEKLY;INTERVAL=2;UNTIL=20270131T145959Z`. UNTIL is the
    end of `until` in Seoul, written in UTC as RFC 5545 requires with a TZID start."""
    frequency, interval = _as_recurrence(freq).rule
    parts = ["FREQ=MONTHLY" if frequency == MONTHLY else "FREQ=WEEKLY"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    if until is not None:
        parts.append(f"UNTIL={series_end(until).astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def describe(freq: Recurrence | str, until: date | None, lang: str = "ko") -> str:
    """`격주, 2027-01-31 (일)까지` or `every 2 weeks until 2027-01-31 (Sun)`."""
    label = _as_recurrence(freq).label(lang)
    if until is None:
        return label
    day = format_when(series_end(until), lang, with_time=False)
    return f"{label}, {day}까지" if lang == "ko" else f"{label} until {day}"


def occurrences(
    start: datetime,
    duration: timedelta,
    freq: Recurrence | str | None,
    until: date | None = None,
    limit: int = 200,
    cancelled: Collection[datetime] = (),
) -> Schedule:
    """Expand a series from `start` (aware; taken in Seoul wall time) up to `until` (inclusive)
    or `limit` occurrences. Holidays are skipped, `cancelled` starts excluded. A one-off meeting
    (`freq` None) is never skipped: the chair picked that very day."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    local = start.astimezone(SEOUL)
    if until is not None and until < local.date():
        raise UserInputError(
            f"반복 종료일({until})이 첫 회의({local.date()})보다 앞섭니다.",
            f"The series ends ({until}) before its first meeting ({local.date()}).",
        )
    if freq is None:
        held, gone = ([], [local]) if local in set(cancelled) else ([local], [])
        return Schedule(duration, held=held, cancelled=gone)
    frequency, interval = _as_recurrence(freq).rule
    end = series_end(until) if until is not None else None
    rule = rrule(frequency, dtstart=local, interval=interval, until=end)
    starts = list(itertools.islice(rule, limit + 1))
    return _classify(starts[:limit], duration, set(cancelled), truncated=len(starts) > limit)


def _classify(
    starts: list[datetime], duration: timedelta, cancelled: set[datetime], *, truncated: bool
) -> Schedule:
    schedule = Schedule(duration, truncated=truncated)
    for occurrence in starts:
        holiday = holiday_name(occurrence.date())
        if occurrence in cancelled:
            schedule.cancelled.append(occurrence)
        elif holiday is not None:
            schedule.skipped.append((occurrence, holiday))
        else:
            schedule.held.append(occurrence)
    return schedule
