"""Rule-based layer of the date converter: Korean phrases, numeric dates and times, and the few
English forms that dateparser gets wrong.

Why rules and not dateparser alone: measured on dateparser 1.5 (base Friday 10:15 KST),
`내일 오후 2시` comes back at tomorrow 10:15, `모레` and `다음주 화요일` come back empty,
`오후 2시` and `3pm` jump to tomorrow, `friday` skips today, and `다음 달 3일` becomes
next month + 3 days. Here a phrase is cut into pieces (a day, a clock time, or an offset from
now), each matched by one anchored regex; a phrase with anything left over is not ours and
`tokenize` returns None. A phrase that is ours but impossible raises `UserInputError`.

Conventions (the help text repeats them):
- `12/3` is month/day, as written in Korea. A date without a year is the nearest such date:
  `1월 5일` in late November is next January, `11월 20일` then is last week (so, an error).
- A bare hour with no 오전/오후 follows office hours: 1–7 → afternoon, 8–11 → morning,
  12 → noon; 0 and 13–23 are as written. `2:30` likewise; a leading zero (`02:30`) means the
  24-hour clock.
- 자정 / midnight / 밤 12시 close the day they follow (`오늘 자정` is tomorrow 00:00), and so do
  밤 1–4시. 새벽 is as written: `내일 새벽 2시` is tomorrow 02:00.
- Weeks run Monday to Sunday: `이번 주 금요일` / `this friday` is in this week,
  `다음 주 화요일` / `next tuesday` in the next; a bare `월요일` / `monday` is the next one to
  come, today included while its time is still ahead.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from commands.errors import UserInputError

EXAMPLES_KO = "예: 내일 오후 2시, 다음 주 화요일 10시, 12월 3일 14:00, 3시간 후"
EXAMPLES_EN = "Examples: tomorrow 3pm, next tuesday 10am, 2026-12-03 14:00, in 3 hours"
WEEKDAYS_KO = "월화수목금토일"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


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
class Offset:
    """An exact span from now: `3시간 후`, `in 90 minutes`, `지금`."""

    delta: timedelta


Piece = Day | Clock | Offset | None
Handler = Callable[[re.Match[str], date], Piece]

_E = r"(?![a-z])"
_WD_EN = (
    ("monday", "mon"), ("tuesday", "tues", "tue"), ("wednesday", "wed"),
    ("thursday", "thurs", "thur", "thu"), ("friday", "fri"), ("saturday", "sat"),
    ("sunday", "sun"),
)
_MONTHS_EN = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
)
_UNITS = (
    ("month", ("개월", "달", "months", "month")),
    ("week", ("주일", "주", "weeks", "week")),
    ("day", ("일", "days", "day")),
    ("hour", ("시간", "hours", "hour", "hrs", "hr", "h")),
    ("minute", ("분", "minutes", "minute", "mins", "min", "m")),
)
_NUMERALS = (("한", 1), ("일", 1), ("an", 1), ("a", 1), ("두", 2), ("이", 2), ("세", 3),
             ("삼", 3), ("네", 4), ("사", 4))
_DAY_WORDS = (
    ("오늘", 0), ("금일", 0), ("today", 0), ("내일모레", 2), ("내일", 1), ("명일", 1),
    ("tomorrow", 1), ("tmrw", 1), ("tmr", 1), ("the day after tomorrow", 2),
    ("day after tomorrow", 2), ("모레", 2), ("글피", 3), ("어제", -1), ("yesterday", -1),
    ("그저께", -2), ("그제", -2),
)
_COUNT_WORDS = (("이틀", 2), ("사흘", 3), ("나흘", 4), ("보름", 15))
_WEEK_SHIFT = (("이번", 0), ("금", 0), ("this", 0), ("다다음", 2), ("다음", 1), ("담", 1),
               ("next", 1), ("지난", -1), ("저번", -1), ("last", -1))


def _alt(words: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of literal words, longest first so prefixes never win."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _lookup(word: str, table: tuple[tuple[str, ...], ...]) -> int:
    """Index of the group in `table` that contains `word` (weekday, month)."""
    return next(i for i, group in enumerate(table) if word in group)


_WD_EN_RE = _alt([w for group in _WD_EN for w in group])
_MONTH_RE = _alt([w for group in _MONTHS_EN for w in group])
_UNIT_RE = _alt([w for _, words in _UNITS for w in words])
_NUM_RE = r"\d{1,4}|" + _alt([w for w, _ in _NUMERALS])
_ONE = rf"(?P<n1>{_NUM_RE})\s*(?P<u1>{_UNIT_RE}){_E}"
_TWO = rf"\s*(?:and\s+)?(?P<n2>{_NUM_RE})\s*(?P<u2>{_UNIT_RE}){_E}"
_PERIOD = r"(?P<period>오전|오후|아침|저녁|밤|새벽|낮|점심)"
_AMPM = r"(?P<ampm>am|pm|a\.m\.|p\.m\.)"

_REL_KO = re.compile(rf"{_ONE}(?:{_TWO}|\s*(?P<half>반))?\s*(?P<dir>후|뒤|전|있다가|지나서)")
_REL_IN = re.compile(  # `in 1h30m`, `in 1 hour 30 minutes`; a spaced `30m` is a meeting length
    rf"in\s+{_ONE}(?:(?P<n3>\d{{1,2}})(?P<u3>m|mins?|minutes?){_E}"
    rf"|\s+(?:and\s+)?(?P<n2>\d{{1,2}})\s*(?P<u2>mins?|minutes?){_E})?"
)
_REL_EN = re.compile(rf"{_ONE}(?:{_TWO})?\s+(?P<dir>from now|later|ago){_E}")
_COUNT_KO = re.compile(rf"({_alt([w for w, _ in _COUNT_WORDS])})\s*(후|뒤|전)")
_YMD_KO = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_YMD = re.compile(r"(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?!\d)")
_MD_KO = re.compile(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_MD_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})(?![\d/])")
_MD_EN = re.compile(rf"({_MONTH_RE})\.?\s*(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(\d{{4}}))?(?![\d:])")
_DM_EN = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s*(?:of\s+)?({_MONTH_RE}){_E}\.?(?:,?\s*(\d{{4}}))?")
_MONTH_KO = re.compile(r"(이번|다다음|다음)\s*달\s*(\d{1,2})\s*일")
_HOUR_KO = re.compile(rf"(?:{_PERIOD}\s*)?(?P<h>\d{{1,2}})\s*시(?!간)(?:\s*(?P<m>\d{{1,2}})\s*분|\s*(?P<half>반))?")
_HHMM = re.compile(rf"(?:{_PERIOD}\s*)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM}{_E})?")
_AT_HOUR = re.compile(r"at\s+(?P<h>\d{1,2})(?![\d:])(?!\s*(?:am|pm|a\.m\.|p\.m\.))")
_VAGUE = re.compile(r"(?:이번|금|다다음|다음|담|지난|저번)\s*(?:주|달)|오전|오후|아침|저녁|밤|새벽|낮")
_H_AMPM = re.compile(rf"(?P<h>\d{{1,2}})\s*{_AMPM}{_E}")
_DAY_WORD = re.compile(rf"({_alt([w for w, _ in _DAY_WORDS])}){_E}")
_WEEK_KO = re.compile(r"(이번|금|다다음|다음|담|지난|저번)\s*주\s*(?:의\s*)?([월화수목금토일])(?:요일|욜)?")
_WEEK_EN = re.compile(rf"(this|next|last|coming)\s+({_WD_EN_RE}){_E}")
_WD_BARE = re.compile(rf"([월화수목금토일])(?:요일|욜)|({_WD_EN_RE}){_E}")
_DOM_KO = re.compile(r"(\d{1,2})\s*일")
_NOON = re.compile(rf"정오|점심(?:\s*시간)?|(?:12\s*)?noon{_E}")
_MIDNIGHT = re.compile(rf"자정|(?:12\s*)?midnight{_E}")
_NOW = re.compile(rf"지금|(?:right\s+)?now{_E}")
_FILLER = re.compile(rf"\s+|[,()@]|(?:at|on|by|t(?=\d)){_E}|에서|에|까지|부터|쯤|경|께")


def _number(text: str) -> int:
    """A count written in digits, as a Korean numeral (한, 두, 이…) or as `a`/`an`."""
    return int(text) if text.isdigit() else dict(_NUMERALS)[text]


def _unit_kind(unit: str) -> str:
    """`month`, `week`, `day`, `hour` or `minute` for any spelling in `_UNITS`."""
    return next(kind for kind, words in _UNITS if unit in words)


def _add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's end (1월 31일 + 1달 → 2월 말)."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _no_such_date(month: int, day: int, year: int | None = None) -> UserInputError:
    """The error for a calendar date that does not exist (2월 30일, 13월 1일)."""
    ko = f"{year}년 {month}월 {day}일" if year else f"{month}월 {day}일"
    en = f"{year}-{month:02d}-{day:02d}" if year else f"month {month} day {day}"
    return when_error(f"없는 날짜입니다: {ko}.", f"No such date: {en}.")


def _relative(m: re.Match[str], today: date) -> Piece:
    """`3일 후`, `1시간 30분 뒤`, `2시간 반 후`, `in 90 minutes`, `2 weeks from now`."""
    totals = dict.fromkeys(("month", "week", "day", "hour", "minute"), 0)
    groups = m.groupdict()
    for n, u in (("n1", "u1"), ("n2", "u2"), ("n3", "u3")):
        if groups.get(n):
            totals[_unit_kind(groups[u])] += _number(groups[n])
    if groups.get("half"):
        if _unit_kind(m["u1"]) != "hour":
            raise when_error("'반'은 시간 뒤에만 씁니다 (2시간 반 후).", "'반' goes with hours only.")
        totals["minute"] += 30
    sign = -1 if groups.get("dir") in ("전", "ago") else 1
    days = totals["week"] * 7 + totals["day"]
    if totals["hour"] or totals["minute"]:
        if totals["month"]:
            raise when_error("개월과 시간을 함께 쓸 수 없습니다.", "Do not mix months and hours.")
        return Offset(sign * timedelta(days=days, hours=totals["hour"], minutes=totals["minute"]))
    return Day(_add_months(today, sign * totals["month"]) + timedelta(days=sign * days))


def _count_days(m: re.Match[str], today: date) -> Piece:
    """`이틀 후`, `사흘 뒤`, `보름 후`."""
    sign = -1 if m[2] == "전" else 1
    return Day(today + timedelta(days=sign * dict(_COUNT_WORDS)[m[1]]))


def _ymd(year: int, month: int, day: int) -> Day:
    """A fully written date, or an error when it does not exist."""
    try:
        return Day(date(year, month, day))
    except ValueError:
        raise _no_such_date(month, day, year) from None


def _nearest(today: date, candidates: list[date], month: int, day: int) -> Day:
    """The candidate closest to today (the future wins a tie); an error when none exists."""
    if not candidates:
        raise _no_such_date(month, day)
    return Day(min(candidates, key=lambda d: (abs((d - today).days), d < today)))


def _month_day(today: date, month: int, day: int) -> Day:
    """A month and day without a year: the nearest such date, last, this or next year."""
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
    shift = {"이번": 0, "다음": 1, "다다음": 2}[m[1]]
    first = _add_months(today.replace(day=1), shift)
    return _ymd(first.year, first.month, int(m[2]))


def _md_en(m: re.Match[str], today: date) -> Piece:
    """`Dec 3`, `December 3rd, 2026`."""
    month = _lookup(m[1], _MONTHS_EN) + 1
    return _ymd(int(m[3]), month, int(m[2])) if m[3] else _month_day(today, month, int(m[2]))


def _dm_en(m: re.Match[str], today: date) -> Piece:
    """`3 Dec`, `3rd of December 2026`."""
    month = _lookup(m[2], _MONTHS_EN) + 1
    return _ymd(int(m[3]), month, int(m[1])) if m[3] else _month_day(today, month, int(m[1]))


def _weekday_index(m: re.Match[str], group: int) -> int:
    """Monday = 0 for a Korean weekday letter or an English weekday name in `group`."""
    word = m[group]
    return WEEKDAYS_KO.index(word) if word in WEEKDAYS_KO else _lookup(word, _WD_EN)


def _week_day(m: re.Match[str], today: date) -> Piece:
    """`다음 주 화요일`, `이번주 금`, `next tuesday`: a weekday of a Monday-to-Sunday week."""
    weekday = _weekday_index(m, 2)
    if m[1] == "coming":
        return Day(today + timedelta(days=(weekday - today.weekday()) % 7), weekday_only=True)
    monday = today - timedelta(days=today.weekday())
    return Day(monday + timedelta(weeks=dict(_WEEK_SHIFT)[m[1]], days=weekday))


def _bare_weekday(m: re.Match[str], today: date) -> Piece:
    """`월요일`, `monday`: the next one to come, today included."""
    weekday = _weekday_index(m, 1 if m[1] else 2)
    return Day(today + timedelta(days=(weekday - today.weekday()) % 7), weekday_only=True)


def _to_24h(period: str | None, hour: int, literal: bool) -> tuple[int, int] | None:
    """(hour, day_shift) for an hour said with a period word, or None when they contradict."""
    if period is None:
        if literal or hour == 0 or hour >= 12:
            return (0, 1) if hour == 24 else (hour, 0)
        return (hour + 12, 0) if hour <= 7 else (hour, 0)
    if hour > 12:
        return (hour, 0) if period not in ("오전", "아침", "새벽", "am", "a.m.") else None
    if period in ("오전", "아침", "새벽", "am", "a.m."):
        return hour % 12, 0
    if period in ("오후", "저녁", "pm", "p.m."):
        return hour % 12 + 12, 0
    if period == "밤":
        return (hour % 12, 1) if hour == 12 or hour <= 4 else (hour + 12, 0)
    return (hour + 12, 0) if 1 <= hour <= 6 else (hour, 0)


def _clock(m: re.Match[str], today: date) -> Piece:
    """`오후 2시`, `9시 30분`, `2시 반`, `14:00`, `09:30`, `3pm`, `밤 10시`."""
    groups = m.groupdict()
    hour_text, period = m["h"], groups.get("period") or groups.get("ampm")
    minute = 30 if groups.get("half") else int(groups.get("m") or 0)
    hour = int(hour_text)
    shown = f"{period + ' ' if period else ''}{hour}:{minute:02d}"
    if hour > 24 or minute > 59 or (hour == 24 and (minute or period)):
        raise when_error(f"없는 시각입니다: {shown}.", f"No such time: {shown}.")
    converted = _to_24h(period, hour, hour_text.startswith("0") and len(hour_text) == 2)
    if converted is None:
        raise when_error(f"오전/오후와 시각이 맞지 않습니다: {shown}.", f"Contradictory time: {shown}.")
    return Clock(converted[0], minute, converted[1])


def _vague(m: re.Match[str], today: date) -> Piece:
    """`오후` without an hour, `다음 주` without a weekday: refused, with what is missing."""
    raise when_error(f"'{m[0]}'만으로는 때를 정할 수 없습니다: 시각이나 요일을 적어 주세요.",
                     f"'{m[0]}' alone is too vague: add the hour or the weekday.")


_RULES: tuple[tuple[re.Pattern[str], Handler], ...] = (
    (re.compile(r"\s+|[,()@]"), lambda m, t: None),
    (_REL_KO, _relative), (_REL_IN, _relative), (_REL_EN, _relative), (_COUNT_KO, _count_days),
    (_YMD_KO, lambda m, t: _ymd(int(m[1]), int(m[2]), int(m[3]))),
    (_YMD, lambda m, t: _ymd(int(m[1]), int(m[3]), int(m[4]))),
    (_MD_KO, lambda m, t: _month_day(t, int(m[1]), int(m[2]))),
    (_MD_SLASH, lambda m, t: _month_day(t, int(m[1]), int(m[2]))),
    (_MD_EN, _md_en), (_DM_EN, _dm_en), (_MONTH_KO, _month_ko),
    (_HOUR_KO, _clock), (_HHMM, _clock), (_H_AMPM, _clock), (_AT_HOUR, _clock),
    (_DAY_WORD, lambda m, t: Day(t + timedelta(days=dict(_DAY_WORDS)[m[1]]))),
    (_WEEK_KO, _week_day), (_WEEK_EN, _week_day), (_WD_BARE, _bare_weekday),
    (_DOM_KO, _day_of_month),
    (_NOON, lambda m, t: Clock(12, 0)), (_MIDNIGHT, lambda m, t: Clock(0, 0, 1)),
    (_NOW, lambda m, t: Offset(timedelta(0))),
    (_VAGUE, _vague),
    (_FILLER, lambda m, t: None),
)


def tokenize(text: str, today: date) -> list[Piece] | None:
    """The pieces of a normalised (NFKC, lower-case) phrase, or None if any part is unknown."""
    pos, pieces = 0, []
    while pos < len(text):
        for pattern, handler in _RULES:
            match = pattern.match(text, pos)
            if match and match.end() > pos:
                break
        else:
            return None
        piece = handler(match, today)
        if piece is not None:
            pieces.append(piece)
        pos = match.end()
    return pieces or None


def _one_day(days: list[Day]) -> Day | None:
    """The single day the pieces name; a weekday may confirm a date (`12월 3일 목요일`)."""
    fixed = {d.on for d in days if not d.weekday_only}
    named = fixed or {d.on for d in days}
    if len(named) > 1:
        raise when_error("날짜가 둘 이상 적혀 있습니다.", "The phrase names more than one day.")
    if not named:
        return None
    on = named.pop()
    for d in days:
        if d.on.weekday() != on.weekday():
            ko = f"{on.month}월 {on.day}일은 {WEEKDAYS_KO[on.weekday()]}요일입니다."
            raise when_error(ko, f"{on.isoformat()} is a {WEEKDAYS_EN[on.weekday()]}.")
    return Day(on, weekday_only=not fixed)


def _combine(on: date, clock: Clock, zone: tzinfo | None) -> datetime:
    """The aware datetime of `clock` on day `on`, honouring its day shift."""
    return datetime.combine(on + timedelta(days=clock.day_shift), time(clock.hour, clock.minute),
                            tzinfo=zone)


def resolve(pieces: list[Piece], now: datetime) -> tuple[datetime, bool]:
    """(aware datetime, has_time) for the pieces, relative to an aware `now`.

    A time without a day is its next occurrence, and a bare weekday whose time has passed
    today means next week; anything else is taken as named, even if already past.
    """
    floor = now.replace(second=0, microsecond=0)
    offsets = [p for p in pieces if isinstance(p, Offset)]
    clocks = [p for p in pieces if isinstance(p, Clock)]
    if offsets:
        if len(pieces) > 1:
            raise when_error("'3시간 후' 같은 상대 시각은 날짜·시각과 함께 쓸 수 없습니다.",
                             "A relative time like 'in 3 hours' cannot take a date or time.")
        return (floor.astimezone(UTC) + offsets[0].delta).astimezone(now.tzinfo), True
    if len(clocks) > 1:
        raise when_error("시각이 둘 이상 적혀 있습니다.", "The phrase names more than one time.")
    day = _one_day([p for p in pieces if isinstance(p, Day)])
    if not clocks:
        assert day is not None
        return datetime.combine(day.on, time(0), tzinfo=now.tzinfo), False
    base = day.on if day else now.date()
    at = _combine(base, clocks[0], now.tzinfo)
    if at < floor and (day is None or day.weekday_only):
        at = _combine(base + timedelta(days=1 if day is None else 7), clocks[0], now.tzinfo)
    return at, True


def parse_rules(text: str, now: datetime) -> tuple[datetime, bool] | None:
    """(datetime, has_time) for a normalised phrase these rules know, else None."""
    pieces = tokenize(text, now.date())
    return None if pieces is None else resolve(pieces, now)
