"""Rule-based layer of the date converter: Korean phrases, numeric dates and times, and the few
English forms that dateparser gets wrong.

Why rules and not dateparser alone: measured on dateparser 1.5 (now = Friday 10:15 KST),
`내일 오후 2시` comes back at tomorrow 10:15, `모레` and `다음주 화요일` come back empty,
`오후 2시` and `3pm` jump to tomorrow, `friday` skips today, `다음 달 3일` becomes next month
+ 3 days, and a stray `1h` or `a` is read as a date. Here a phrase is cut into pieces (a day, a
clock time, or an offset from now), each matched by one anchored regex (the regexes and word
tables are in `commands.when.lexicon`); a phrase with anything left over is not ours and
`tokenize` returns None. One that is ours but impossible or vague (`2월 30일`, `25시`,
`다음 주` alone) raises UserInputError.

Conventions (the help text repeats them):
- `12/3` is month/day, as written in Korea. A date without a year is the nearest such date:
  `1월 5일` in late November is next January, `11월 20일` then is last week (so, past).
- A bare hour with no 오전/오후 follows office hours: 1–7 → afternoon, 8–11 → morning,
  12 → noon; 0 and 13–24 are as written. `2:30` likewise; a leading zero (`02:30`) means the
  24-hour clock.
- 자정 / midnight / 밤 12시 close the day they follow (`오늘 자정` is tomorrow 00:00), and so do
  밤 1–4시. 새벽 is as written: `내일 새벽 2시` is tomorrow 02:00.
- Weeks run Monday to Sunday: `이번 주 금요일` / `this friday` is in this week,
  `다음 주 화요일` / `next tuesday` in the next (so on a Friday `next saturday` is eight days
  away), `지난 주 월요일` in the previous; English `last monday` is the latest Monday before
  today. A bare `월요일` / `monday` is the next one to come, today included while its time is
  still ahead.
- `오후 2시 30분` is 14:30: minutes right after an hour belong to it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta

from commands.errors import UserInputError
from commands.when import lexicon as lex

EXAMPLES_KO = "예: 내일 오후 2시, 다음 주 화요일 10시, 12월 3일 14:00, 3시간 후"
EXAMPLES_EN = "Examples: tomorrow 3pm, next tuesday 10am, 2026-12-03 14:00, in 3 hours"


def when_error(ko: str, en: str) -> UserInputError:
    """A UserInputError about a date phrase, with example phrases appended in each language."""
    return UserInputError(f"{ko} {EXAMPLES_KO}", f"{en} {EXAMPLES_EN}")


@dataclass(frozen=True)
class Day:
    """A calendar day the phrase names; `weekday_only` for a bare weekday, which may roll."""

    on: date
    weekday_only: bool = False


@dataclass(frozen=True)
class Clock:
    """A wall-clock time; `day_shift` is 1 for midnight and 밤 1–4시 (they end the day)."""

    hour: int
    minute: int
    day_shift: int = 0


@dataclass(frozen=True)
class Invalid:
    """Text that is plainly a date or time but impossible or vague (`25시`, `다음 주`). Its
    error is raised only if the whole phrase reads; otherwise the text may be a title."""

    error: UserInputError


@dataclass(frozen=True)
class Offset:
    """An exact span from now: `3시간 후`, `in 90 minutes`, `지금`."""

    delta: timedelta


Piece = Day | Clock | Offset | Invalid | None
Handler = Callable[[re.Match[str], date], Piece]


def _add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end (1월 31일 + 1달 → 2월 말)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _relative(m: re.Match[str], today: date) -> Piece:
    """`3일 후`, `이틀 뒤`, `1시간 30분 뒤`, `2시간 반 후`, `in 90 minutes`, `2 weeks ago`."""
    groups, totals = m.groupdict(), dict.fromkeys(("month", "week", "day", "hour", "minute"), 0)
    clock = bool(groups.get("half"))
    for n, u in (("n1", "u1"), ("n2", "u2"), ("n3", "u3")):
        if groups.get(n):
            kind = lex.unit_kind(groups[u])
            totals[kind] += lex.number(groups[n])
            clock = clock or kind in ("hour", "minute")
    if groups.get("days"):
        totals["day"] += dict(lex.COUNT_DAYS)[groups["days"]]
    if groups.get("half"):
        if groups.get("u1") is None or lex.unit_kind(groups["u1"]) != "hour":
            raise when_error("'반'은 시간에만 붙습니다: 2시간 반 후.", "'반' goes with hours only.")
        totals["minute"] += 30
    sign = -1 if groups.get("dir") in lex.PAST_WORDS else 1
    days = totals["week"] * 7 + totals["day"]
    if clock:
        if totals["month"]:
            raise when_error("개월과 시간을 함께 쓸 수 없습니다.", "Do not mix months and hours.")
        return Offset(sign * timedelta(days=days, hours=totals["hour"], minutes=totals["minute"]))
    return Day(_add_months(today, sign * totals["month"]) + timedelta(days=sign * days))


def _no_such_date(month: int, day: int, year: int | None = None) -> UserInputError:
    """The error for a calendar date that does not exist (2월 30일, 13월 1일)."""
    ko = f"{year}년 {month}월 {day}일" if year else f"{month}월 {day}일"
    en = f"{year}-{month:02d}-{day:02d}" if year else f"month {month}, day {day}"
    return when_error(f"없는 날짜입니다: {ko}.", f"No such date: {en}.")


def _nearest(today: date, candidates: list[date], month: int, day: int) -> Day:
    """The candidate closest to today (the future wins a tie); an error when none exists."""
    if not candidates:
        raise _no_such_date(month, day)
    return Day(min(candidates, key=lambda d: (abs((d - today).days), d < today)))


def _date(m: re.Match[str], today: date) -> Piece:
    """`2026년 12월 3일`, `2026-12-03`, `12월 3일`, `12/3`, `Dec 3`, `3rd of December 2026`.

    Without a year: the nearest such date, in last, this or next year.
    """
    groups = m.groupdict()
    month_text, day = groups["mo"], int(groups["d"])
    month = int(month_text) if month_text.isdigit() else lex.month_index(month_text) + 1
    if groups.get("y"):
        try:
            return Day(date(int(groups["y"]), month, day))
        except ValueError:
            raise _no_such_date(month, day, int(groups["y"])) from None
    found: list[date] = []
    for year in (today.year - 1, today.year, today.year + 1):
        with suppress(ValueError):
            found.append(date(year, month, day))
    return _nearest(today, found, month, day)


def _day_of_month(m: re.Match[str], today: date) -> Piece:
    """`3일`: the nearest 3rd, in last, this or next month."""
    day, found = int(m[1]), []
    for shift in (-1, 0, 1):
        with suppress(ValueError):
            found.append(_add_months(today.replace(day=1), shift).replace(day=day))
    return _nearest(today, found, today.month, day)


def _month_ko(m: re.Match[str], today: date) -> Piece:
    """`다음 달 3일`: a day of this month, next month or the month after."""
    first = _add_months(today.replace(day=1), {"이번": 0, "다음": 1, "다다음": 2}[m[1]])
    try:
        return Day(first.replace(day=int(m[2])))
    except ValueError:
        raise _no_such_date(first.month, int(m[2]), first.year) from None


def _week_day(m: re.Match[str], today: date) -> Piece:
    """`다음 주 화요일`, `이번주 금`, `next tuesday`: a weekday of a Monday-to-Sunday week.

    English `last monday` is the latest Monday before today, as English speakers mean it.
    """
    weekday = lex.weekday_index(m[2])
    if m[1] == "coming":
        return _coming(weekday, today)
    if m[1] == "last":
        return Day(today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1))
    monday = today - timedelta(days=today.weekday())
    return Day(monday + timedelta(weeks=dict(lex.WEEK_SHIFT)[m[1]], days=weekday))


def _coming(weekday: int, today: date) -> Day:
    """The next day with that weekday, today included; it rolls a week if its time has passed."""
    return Day(today + timedelta(days=(weekday - today.weekday()) % 7), weekday_only=True)


def _to_24h(period: str | None, hour: int, literal: bool) -> tuple[int, int] | None:
    """(hour, day_shift) for an hour said with a period word, or None when they contradict."""
    if period is None:
        if literal or hour == 0 or hour >= 12:
            return (0, 1) if hour == 24 else (hour, 0)
        return (hour + 12, 0) if hour <= 7 else (hour, 0)
    if hour > 12:
        return None if period in lex.AM_WORDS else (hour, 0)
    if period in lex.AM_WORDS:
        return hour % 12, 0
    if period in lex.PM_WORDS:
        return hour % 12 + 12, 0
    if period == "밤":
        return (hour % 12, 1) if hour == 12 or hour <= 4 else (hour + 12, 0)
    return (hour + 12, 0) if 1 <= hour <= 6 else (hour, 0)


def _clock(m: re.Match[str], today: date) -> Piece:
    """`오후 2시`, `9시 30분`, `두시 반`, `14:00`, `09:30`, `3pm`, `밤 10시`, `at 9`."""
    groups = m.groupdict()
    period = groups.get("period") or groups.get("ampm")
    hour_text = groups["h"] or str(lex.HOURS_KO.index(groups["hk"]) + 1)
    hour, minute = int(hour_text), 30 if groups.get("half") else int(groups.get("m") or 0)
    shown = f"{period + ' ' if period else ''}{hour}:{minute:02d}"
    if hour > 24 or minute > 59 or (hour == 24 and (minute or period)):
        raise when_error(f"없는 시각입니다: {shown}.", f"No such time: {shown}.")
    converted = _to_24h(period, hour, len(hour_text) == 2 and hour_text.startswith("0"))
    if converted is None:
        raise when_error(
            f"오전/오후와 시각이 어긋납니다: {shown}.", f"Contradictory time: {shown}."
        )
    return Clock(converted[0], minute, converted[1])


def _vague(m: re.Match[str], today: date) -> Piece:
    """`오후` without an hour, `다음 주` without a weekday: refused, saying what is missing."""
    raise when_error(
        f"'{m[0]}'만으로는 때를 정할 수 없습니다: 시각이나 요일을 함께 적어 주세요.",
        f"'{m[0]}' alone is too vague: add the hour or the weekday.",
    )


def _fixed(piece: Piece) -> Handler:
    """A handler that ignores its match and yields `piece` (fillers, noon, midnight, now)."""
    return lambda m, today: piece


_RULES: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"\s+"), _fixed(None)),
    *((re.compile(p), _relative) for p in lex.RELATIVE),
    *((re.compile(p), _date) for p in lex.DATES),
    (lex.MONTH_KO, _month_ko),
    *((re.compile(p), _clock) for p in lex.CLOCKS),
    (lex.DAY_WORD, lambda m, today: Day(today + timedelta(days=dict(lex.DAY_WORDS)[m[1]]))),
    (lex.WEEK_KO, _week_day),
    (lex.WEEK_EN, _week_day),
    (lex.WD_BARE, lambda m, today: _coming(lex.weekday_index(m[1] or m[2] or m[3]), today)),
    (lex.DOM_KO, _day_of_month),
    (lex.NOON, _fixed(Clock(12, 0))),
    (lex.MIDNIGHT, _fixed(Clock(0, 0, day_shift=1))),
    (lex.NOW, _fixed(Offset(timedelta(0)))),
    (lex.VAGUE, _vague),
    (lex.FILLER, _fixed(None)),
)


def tokenize(text: str, today: date) -> list[Piece] | None:
    """The pieces of a normalised (NFKC, lower-case) phrase, or None if any part is unknown."""
    pos, pieces = 0, []
    while pos < len(text):
        step = _next_piece(text, pos, today)
        if step is None:
            return None
        piece, pos = step
        if piece is not None:
            pieces.append(piece)
    return pieces or None


def _next_piece(text: str, pos: int, today: date) -> tuple[Piece, int] | None:
    """The piece the first matching rule reads at `pos`, and where it ends; None if no rule."""
    for pattern, handler in _RULES:
        match = pattern.match(text, pos)
        if match is not None and match.end() > pos:
            try:
                return handler(match, today), match.end()
            except UserInputError as error:
                return Invalid(error), match.end()
    return None
