"""What `!collab` and the map page are asked for: a period and a task, from words.

Periods are whole local days (Asia/Seoul by default), half-open `[start, end)`, so a map of a
period can be compared with the one just before it (same length) by the analysis:

- `week` / `주간` (default): the seven days up to and including today;
- `month` / `월간`: the thirty days up to and including today;
- `이번주` / `thisweek`, `지난주` / `lastweek`: Monday to Sunday;
- `이번달` / `thismonth`, `지난달` / `lastmonth`, `YYYY-MM`: a calendar month;
- `FROM..TO` (or `FROM~TO`): both days included, each a date or a date phrase (`2026-11-02`).

Every period lies within 2000-01-01..2100-12-31 and spans at most `MAX_DAYS` days, and its
text is at most `MAX_TEXT` characters: anything else is a `UserInputError`, checked before any
date arithmetic (which would overflow near year 1 or 9999).

A task is a goal or a core task (by key, Korean or English name); a unit or detailed task
stands for its core task, as in `Scope.of`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from commands.collab.model import Scope
from commands.errors import NotFound, UserInputError
from commands.plan import Plan
from commands.when import parse_when, shorten

DEFAULT_PERIOD = "week"
MAX_DAYS = 400
MAX_TEXT = 100
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")
RANGE_RE = re.compile(r"(.+?)(?:\.\.|~)(.+)")
WORDS = {
    "week": "week",
    "주간": "week",
    "month": "month",
    "월간": "month",
    "이번주": "thisweek",
    "thisweek": "thisweek",
    "지난주": "lastweek",
    "lastweek": "lastweek",
    "이번달": "thismonth",
    "thismonth": "thismonth",
    "지난달": "lastmonth",
    "lastmonth": "lastmonth",
}


@dataclass(frozen=True)
class MapPeriod:
    """`[start, end)` in local midnights; `text` is how it was asked (for forms and links)."""

    start: datetime
    end: datetime
    text: str


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _month_start(day: date, months: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _named(word: str, today: date) -> tuple[date, date]:
    """First day and the day after the last of a named period."""
    monday = today - timedelta(days=today.weekday())
    spans = {
        "week": (today - timedelta(days=6), today + timedelta(days=1)),
        "month": (today - timedelta(days=29), today + timedelta(days=1)),
        "thisweek": (monday, monday + timedelta(days=7)),
        "lastweek": (monday - timedelta(days=7), monday),
        "thismonth": (_month_start(today), _month_start(today, 1)),
        "lastmonth": (_month_start(today, -1), _month_start(today)),
    }
    return spans[word]


def _day(raw: str, now: datetime, tz: str) -> date:
    try:
        return parse_when(raw.strip(), now=now, tz=tz, allow_past=True).at.date()
    except (OverflowError, ValueError):
        raise _bad(raw) from None


def _bad(raw: str) -> UserInputError:
    short = shorten(raw)
    return UserInputError(
        f"기간을 알 수 없습니다: '{short}'. 예: week, month, 이번주, 지난주, 이번달, 2026-11, "
        "2026-11-02..2026-11-15",
        f"Unknown period '{short}'. Examples: week, month, thisweek, lastweek, thismonth, "
        "2026-11, 2026-11-02..2026-11-15",
    )


def _out_of_range(text: str) -> UserInputError:
    return UserInputError(
        f"기간은 {EARLIEST}부터 {LATEST} 사이여야 합니다: '{shorten(text)}'",
        f"A period must lie between {EARLIEST} and {LATEST}: {shorten(text)}",
    )


def _check_bounds(first: date, last: date, text: str) -> None:
    """Raise unless `first`..`last` (both included) is a sensible period."""
    if first < EARLIEST or last > LATEST:
        raise _out_of_range(text)
    if last < first:
        raise UserInputError(
            f"기간의 끝이 시작보다 앞섭니다: '{shorten(text)}'",
            f"The period ends before it starts: {shorten(text)}",
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise UserInputError(
            f"기간은 {MAX_DAYS}일 이내여야 합니다.", f"A period is at most {MAX_DAYS} days."
        )


def _days_of(text: str, now: datetime, tz: str, today: date) -> tuple[date, date]:
    """First and last day (both included) of a period's text; UserInputError for none."""
    word = WORDS.get(text.lower().replace(" ", ""))
    if word is not None:
        first, after = _named(word, today)
        return first, after - timedelta(days=1)
    month = MONTH_RE.fullmatch(text)
    if month is not None and 1 <= int(month.group(2)) <= 12:
        year = int(month.group(1))
        if not EARLIEST.year <= year <= LATEST.year:
            raise _out_of_range(text)
        first = date(year, int(month.group(2)), 1)
        return first, _month_start(first, 1) - timedelta(days=1)
    span = RANGE_RE.fullmatch(text)
    if span is None:
        raise _bad(text)
    return _day(span.group(1), now, tz), _day(span.group(2), now, tz)


def parse_period(raw: str | None, now: datetime, tz: str = "Asia/Seoul") -> MapPeriod:
    """The period a word names, relative to `now`; UserInputError when it names none or one
    outside the sensible bounds."""
    text = (raw or DEFAULT_PERIOD).strip()
    if len(text) > MAX_TEXT:
        raise UserInputError(
            f"기간이 너무 깁니다 (최대 {MAX_TEXT}자): '{shorten(text)}'",
            f"The period is too long (at most {MAX_TEXT} characters): {shorten(text)}",
        )
    zone = ZoneInfo(tz)
    first, last = _days_of(text, now, tz, now.astimezone(zone).date())
    _check_bounds(first, last, text)
    return MapPeriod(_midnight(first, zone), _midnight(last + timedelta(days=1), zone), text)


def looks_like_period(raw: str) -> bool:
    """Whether a word is a period rather than a task (without resolving date phrases)."""
    text = raw.strip()
    matched = MONTH_RE.fullmatch(text) or RANGE_RE.fullmatch(text)
    return text.lower() in WORDS or matched is not None


def _key_of(plan: Plan, text: str) -> str | None:
    """The plan key a text names: a key, a Korean or English name, or a part of a Korean name
    that picks one goal or core task (first among goals and core tasks, then among all tasks,
    each standing for its core task)."""
    folded = text.strip().casefold()
    nodes = plan.nodes()
    for node in nodes:
        if folded in (node.key, node.name_ko.casefold(), node.name_en.casefold()):
            return node.key
    if not folded:
        return None
    tops = [*plan.goals, *plan.core_tasks()]
    for pool in (tops, nodes):
        found = {_top_key(plan, n.key) for n in pool if folded in n.name_ko.casefold()}
        if len(found) == 1:
            return found.pop()
    return None


def _top_key(plan: Plan, key: str) -> str:
    core = plan.core_of(key)
    return core.key if core is not None else key


def resolve_scope(plan: Plan, text: str | None) -> Scope:
    """The scope for a goal or task named by key or name; empty text is the whole plan.
    NotFound for anything else."""
    if not text or not text.strip() or text.strip().lower() in {"all", "전체"}:
        return Scope()
    key = _key_of(plan, text)
    if key is not None:
        try:
            return Scope.of(plan, key)
        except KeyError:
            pass
    raise NotFound(
        f"계획에 '{text}' 과제가 없습니다. 목표나 핵심과제의 키 또는 이름을 쓰세요 (예: "
        f"{plan.core_tasks()[0].key if plan.core_tasks() else 'core-01'}).",
        f"The plan has no task '{text}'. Use a goal or core task key or name.",
    )


def split_request(words: str | None) -> tuple[str | None, str | None]:
    """`[PERIOD] [TASK]` in either order → (period, task): the first or last word is the
    period when it looks like one; the rest is the task (names may have spaces)."""
    tokens = (words or "").split()
    if not tokens:
        return None, None
    if looks_like_period(tokens[0]):
        return tokens[0], " ".join(tokens[1:]) or None
    if looks_like_period(tokens[-1]):
        return tokens[-1], " ".join(tokens[:-1]) or None
    return None, " ".join(tokens)
