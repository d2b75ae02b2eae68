"""Meeting lengths and datetimes in replies: `parse_duration` reads `1시간 30분` or `90m`,
`format_when` and `format_span` render `2026-12-03 (목) 14:00 KST`. Re-exported by
`commands.when.convert`, which also uses the text helpers `normalise` and `shorten`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from commands.errors import UserInputError
from commands.i18n import WEEKDAYS_EN, WEEKDAYS_KO

MAX_DURATION = timedelta(hours=24)

_DURATION_PART = re.compile(
    r"\s*(\d{1,4}(?:\.\d{1,3})?)\s*(시간|hours?|hrs?|h|분|minutes?|mins?|m)(?![a-z])(\s*반)?(?:간)?"
)


def parse_duration(text: str) -> timedelta:
    """A length such as `1h`, `90m`, `2h30m`, `1.5h`, `1시간`, `1시간 30분`, `1시간 반`, `30분`.

    Hours come before minutes, each at most once; the total must be whole minutes and within
    (0, 24h]. A bare number is refused: `90` could be minutes or hours.
    """
    cleaned = normalise(text)
    minutes = _duration_minutes(cleaned)
    short = shorten(text)
    if minutes is None or minutes.denominator != 1:
        raise UserInputError(
            f"길이를 알아듣지 못했습니다: '{short}'. 예: 1h, 90m, 1시간 30분",
            f"Could not read '{short}' as a duration. Examples: 1h, 90m, 1h30m",
        )
    duration = timedelta(minutes=int(minutes))
    if not timedelta(0) < duration <= MAX_DURATION:
        raise UserInputError(
            f"길이는 0보다 길고 24시간 이하여야 합니다: '{short}'. 예: 1h, 90m",
            f"A duration must be more than 0 and at most 24h: '{short}'. Examples: 1h, 90m",
        )
    return duration


def format_when(
    dt: datetime, lang: str = "ko", *, tz: str | None = None, with_time: bool = True
) -> str:
    """`2026-12-03 (목) 14:00 KST` (`lang="ko"`) or `2026-12-03 (Thu) 14:00 KST` (any other
    lang), in `tz` if given, else in the datetime's own zone; the date alone if not
    `with_time`. A naive datetime is a programming error (ValueError)."""
    local = _in_zone(dt, tz)
    weekday = (WEEKDAYS_KO if lang == "ko" else WEEKDAYS_EN)[local.weekday()]
    day = f"{local:%Y-%m-%d} ({weekday})"
    return f"{day} {local:%H:%M} {local:%Z}" if with_time else day


def format_span(start: datetime, end: datetime, lang: str = "ko", *, tz: str | None = None) -> str:
    """`2026-12-03 (목) 14:00–15:00 KST`; when the end falls on another day (or in another
    zone abbreviation) both ends are written in full: `… 23:00 – 2026-12-04 (금) 01:00 KST`."""
    first = _in_zone(start, tz)
    last = _in_zone(end, None).astimezone(first.tzinfo)
    if last < first:
        raise ValueError("span ends before it starts")
    if first.date() == last.date() and first.tzname() == last.tzname():
        return f"{format_when(first, lang, with_time=False)} {first:%H:%M}–{last:%H:%M} {first:%Z}"
    opening = format_when(first, lang)
    if first.tzname() == last.tzname():
        opening = opening.removesuffix(f" {first:%Z}")
    return f"{opening} – {format_when(last, lang)}"


def normalise(text: str) -> str:
    """NFKC (full-width digits and colons become ASCII), lower-case, trimmed."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def shorten(text: str, limit: int = 40) -> str:
    """The user's text, trimmed for quoting in an error."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _duration_minutes(text: str) -> Fraction | None:
    """Total minutes of a duration phrase, or None if it is not one."""
    pos, total, seen = 0, Fraction(0), []
    while pos < len(text):
        match = _DURATION_PART.match(text, pos)
        if match is None:
            return None
        is_hour = match[2] == "시간" or match[2].startswith("h")
        if "minute" in seen or (is_hour and seen) or (match[3] and not is_hour):
            return None
        total += Fraction(match[1]) * (60 if is_hour else 1) + (30 if match[3] else 0)
        seen.append("hour" if is_hour else "minute")
        pos = match.end()
    return total if seen else None


def _in_zone(dt: datetime, tz: str | None) -> datetime:
    """`dt` converted to `tz` (or left in its zone); refuses naive datetimes."""
    if dt.tzinfo is None:
        raise ValueError("naive datetime: give it a zone before formatting")
    return dt.astimezone(ZoneInfo(tz)) if tz else dt
