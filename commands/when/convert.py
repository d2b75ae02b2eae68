"""Date and time converter for command arguments (`!회의 add 내일 오후 2시 1h "주간 회의"`).

Turns a Korean or English phrase into an aware datetime relative to a given now (Asia/Seoul by
default) and finds where the phrase ends in a command's tokens. Meeting lengths and datetimes
for replies (`parse_duration`, `format_when`, `format_span`) live in `commands.when.format` and
are re-exported here. The rules for Korean, numeric and common English phrases live in
`commands.when.korean` (its docstring lists the conventions: `12/3` is month/day, a bare `2시` is
14:00, …). dateparser reads the English the rules do not know, behind a vocabulary guard: on its
own it turns stray words such as `1h`, `a` or `may` into dates, so a title could become a time.
Hangul phrases never reach it, because its Korean results are wrong (see `commands.when.korean`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from commands.errors import UserInputError
from commands.i18n import WEEKDAYS_EN, WEEKDAYS_KO
from commands.when.format import (
    MAX_DURATION,
    format_span,
    format_when,
    normalise,
    parse_duration,
    shorten,
)
from commands.when.korean import Clock, Day, Invalid, Offset, Piece, tokenize, when_error

__all__ = [
    "DEFAULT_TZ",
    "MAX_DURATION",
    "MAX_WHEN_TOKENS",
    "ParsedWhen",
    "format_span",
    "format_when",
    "parse_duration",
    "parse_when",
    "split_when",
]

DEFAULT_TZ = "Asia/Seoul"
MAX_WHEN_TOKENS = 8

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_EN_NUMBER = re.compile(r"\d{1,4}(?:st|nd|rd|th)?|\d{1,2}(?::\d{2})?(?:am|pm)?")
_EN_ANCHORS = frozenset(
    re.findall(
        r"\w+",
        "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri saturday "
        "sat sunday sun today tomorrow yesterday tonight now noon midnight day days week weeks "
        "fortnight hour hours minute minutes ago",
    )
)
_EN_VOCAB = _EN_ANCHORS | frozenset(
    re.findall(
        r"\w+",
        "january jan february feb march mar april apr may june jun july jul august aug "
        "september sep sept october oct november nov december dec a an the at on in of from "
        "after before next this last coming following and by later morning afternoon evening "
        "night am pm",
    )
)


@dataclass(frozen=True)
class ParsedWhen:
    """A parsed phrase. `at` is aware. When `has_time` is False the phrase named only a day and
    `at` is that day's 00:00: the caller decides (a due date stays a date, a meeting needs a
    time)."""

    at: datetime
    has_time: bool

    def at_time_or(self, default: time) -> datetime:
        """`at`, or the named day at `default` when the phrase gave no time of day."""
        if self.has_time:
            return self.at
        return datetime.combine(self.at.date(), default, tzinfo=self.at.tzinfo)


def parse_when(
    text: str, *, now: datetime | None = None, tz: str = DEFAULT_TZ, allow_past: bool = False
) -> ParsedWhen:
    """The moment a phrase such as `내일 오후 2시`, `다음 주 화요일`, `3시간 후` or `tomorrow
    3pm` names, relative to `now` (default: the current time) in zone `tz`.

    Raises UserInputError, with example phrases, when the text is empty, unknown, impossible
    (`2월 30일`, `25시`), contradictory (`12월 3일 금요일`) or, unless `allow_past`, past.
    """
    current = _local_now(now, tz)
    found = _parse(text, current)
    if found is None:
        raise _not_understood(text)
    return _checked(found, current, allow_past, text)


def split_when(
    tokens: list[str],
    *,
    now: datetime | None = None,
    tz: str = DEFAULT_TZ,
    allow_past: bool = False,
) -> tuple[ParsedWhen, list[str]]:
    """The when-phrase at the start of shlex tokens, and the tokens after it.

    The longest prefix (up to MAX_WHEN_TOKENS) that reads as a phrase wins, so
    `["내일", "오후", "2시", "1h", "주간 회의"]` gives tomorrow 14:00 and `["1h", "주간 회의"]`.
    Minutes right after an hour belong to it: `오후 2시 30분` is 14:30. If the longest such
    prefix is impossible or past, that error is raised rather than a shorter prefix accepted
    (`내일 오후 25시` must not become `내일` with `오후 25시` as the title).
    """
    if not tokens:
        raise _empty()
    current = _local_now(now, tz)
    for size in range(min(len(tokens), MAX_WHEN_TOKENS), 0, -1):
        phrase = " ".join(tokens[:size])
        found = _parse(phrase, current)
        if found is not None:
            return _checked(found, current, allow_past, phrase), list(tokens[size:])
    raise _not_understood(" ".join(tokens[:3]))


def _parse(text: str, now: datetime) -> ParsedWhen | None:
    """The phrase read by the rules, else by guarded dateparser (no Hangul), else None."""
    cleaned = normalise(text)
    if not cleaned:
        raise _empty()
    pieces = tokenize(cleaned, now.date())
    if pieces is not None:
        return _resolve(pieces, now)
    if _HANGUL.search(cleaned) or not _english_guard(cleaned):
        return None
    return _dateparser(cleaned, now)


def _resolve(pieces: list[Piece], now: datetime) -> ParsedWhen:
    """The moment the pieces of a phrase name, relative to an aware `now`.

    A time without a day is its next occurrence (`9시` said at 10:15 is tomorrow 09:00), and a
    bare weekday whose time has passed today means next week; the rest is taken as named, even
    when already past. An offset (`3시간 후`) stands alone.
    """
    for piece in pieces:
        if isinstance(piece, Invalid):
            raise piece.error
    floor = now.replace(second=0, microsecond=0)
    offsets = [p for p in pieces if isinstance(p, Offset)]
    clocks = [p for p in pieces if isinstance(p, Clock)]
    if offsets:
        if len(pieces) > 1:
            raise when_error(
                "'3시간 후' 같은 상대 시각에는 날짜·시각을 붙이지 않습니다.",
                "A relative time like 'in 3 hours' takes no date or time.",
            )
        return ParsedWhen((floor.astimezone(UTC) + offsets[0].delta).astimezone(now.tzinfo), True)
    if len(clocks) > 1:
        raise when_error("시각이 둘 이상 적혀 있습니다.", "The phrase names more than one time.")
    day = _one_day([p for p in pieces if isinstance(p, Day)])
    if not clocks:
        assert day is not None, "a phrase without offset or clock has a day"
        return ParsedWhen(datetime.combine(day.on, time(0), tzinfo=now.tzinfo), False)
    base = day.on if day else now.date()
    at = _combine(base, clocks[0], now.tzinfo)
    if at < floor and (day is None or day.weekday_only):
        at = _combine(base + timedelta(days=1 if day is None else 7), clocks[0], now.tzinfo)
    return ParsedWhen(at, True)


def _one_day(days: list[Day]) -> Day | None:
    """The one day the pieces name; a weekday may confirm a date (`12월 3일 목요일`)."""
    fixed = {d.on for d in days if not d.weekday_only}
    named = fixed or {d.on for d in days}
    if len(named) > 1:
        raise when_error("날짜가 둘 이상 적혀 있습니다.", "The phrase names more than one day.")
    if not named:
        return None
    on = next(iter(named))
    if any(d.on.weekday() != on.weekday() for d in days):
        raise when_error(
            f"{on.month}월 {on.day}일은 {WEEKDAYS_KO[on.weekday()]}요일입니다.",
            f"{on.isoformat()} is a {WEEKDAYS_EN[on.weekday()]}.",
        )
    return Day(on, weekday_only=not fixed)


def _combine(on: date, clock: Clock, zone: tzinfo | None) -> datetime:
    """The aware datetime of `clock` on day `on`, after its day shift (midnight ends a day)."""
    moment = time(clock.hour, clock.minute)
    return datetime.combine(on + timedelta(days=clock.day_shift), moment, tzinfo=zone)


def _english_guard(text: str) -> bool:
    """True when every word is date vocabulary and one of them anchors a date (a weekday,
    today, a unit…): keeps titles, `1h`, `a` and lone month names away from dateparser."""
    words = [w for w in re.split(r"[\s,]+", text) if w]
    known = all(w in _EN_VOCAB or _EN_NUMBER.fullmatch(w) for w in words)
    return known and any(w in _EN_ANCHORS for w in words)


def _dateparser(text: str, now: datetime) -> ParsedWhen | None:
    """dateparser's reading of an English phrase, if it names a day or a time (not a month)."""
    settings = {
        "RELATIVE_BASE": now.replace(tzinfo=None),
        "TIMEZONE": str(now.tzinfo),
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
        "RETURN_TIME_AS_PERIOD": True,
    }
    data = DateDataParser(languages=["en"], settings=settings).get_date_data(text)
    if data.date_obj is None or data.period not in ("time", "day"):
        return None
    at = data.date_obj.astimezone(now.tzinfo)
    if data.period == "time":
        return ParsedWhen(at.replace(second=0, microsecond=0), True)
    return ParsedWhen(datetime.combine(at.date(), time(0), tzinfo=now.tzinfo), False)


def _checked(found: ParsedWhen, now: datetime, allow_past: bool, text: str) -> ParsedWhen:
    """`found`, unless it lies before now (by the minute, or by the day if it has no time)."""
    if allow_past:
        return found
    floor = now.replace(second=0, microsecond=0)
    past = found.at < floor if found.has_time else found.at.date() < now.date()
    if past:
        short, with_time = shorten(text), found.has_time
        raise when_error(
            f"이미 지난 때입니다: '{short}' → {format_when(found.at, with_time=with_time)}.",
            f"'{short}' is in the past: {format_when(found.at, 'en', with_time=with_time)}.",
        )
    return found


def _local_now(now: datetime | None, tz: str) -> datetime:
    """`now` in zone `tz`; the current time if None; a naive `now` is taken as wall time in tz."""
    zone = ZoneInfo(tz)
    if now is None:
        return datetime.now(zone)
    return now.replace(tzinfo=zone) if now.tzinfo is None else now.astimezone(zone)


def _empty() -> UserInputError:
    """The error for a missing phrase."""
    return when_error("날짜·시각을 적어 주세요.", "Give a date or time.")


def _not_understood(text: str) -> UserInputError:
    """The error for a phrase nothing could read."""
    short = shorten(text)
    return when_error(
        f"날짜·시각을 알아듣지 못했습니다: '{short}'.",
        f"Could not read '{short}' as a date or time.",
    )
