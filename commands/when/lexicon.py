"""Vocabulary of the rule-based date layer (`commands.when.korean`): the word tables, their
lookups, and the regexes the rules match, one per kind of piece (a date, a clock time, an
offset from now, a filler word).
"""

from __future__ import annotations

import re

from commands.i18n import WEEKDAYS_KO

_E = r"(?![a-z])"
_WD_EN = (
    ("monday", "mon"), ("tuesday", "tues", "tue"), ("wednesday", "wed"),
    ("thursday", "thurs", "thur", "thu"), ("friday", "fri"), ("saturday", "sat"),
    ("sunday", "sun"),
)  # fmt: skip
_MONTHS_EN = (
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
)  # fmt: skip
_UNITS = (
    ("month", ("개월", "달", "months", "month")),
    ("week", ("주일", "주", "weeks", "week")),
    ("day", ("일", "days", "day")),
    ("hour", ("시간", "hours", "hour", "hrs", "hr", "h")),
    ("minute", ("분", "minutes", "minute", "mins", "min", "m")),
)
_NUMERALS = (
    ("한", 1), ("일", 1), ("an", 1), ("a", 1), ("두", 2), ("이", 2), ("세", 3), ("삼", 3),
    ("네", 4), ("사", 4),
)  # fmt: skip
COUNT_DAYS = (("이틀", 2), ("사흘", 3), ("나흘", 4), ("보름", 15))
DAY_WORDS = (
    ("오늘", 0), ("금일", 0), ("today", 0), ("내일모레", 2), ("내일", 1), ("명일", 1),
    ("tomorrow", 1), ("tmrw", 1), ("tmr", 1), ("the day after tomorrow", 2),
    ("day after tomorrow", 2), ("모레", 2), ("글피", 3), ("어제", -1), ("yesterday", -1),
    ("그저께", -2), ("그제", -2),
)  # fmt: skip
WEEK_SHIFT = (
    ("이번", 0), ("금", 0), ("this", 0), ("다다음", 2), ("다음", 1), ("담", 1), ("next", 1),
    ("지난", -1), ("저번", -1),
)  # fmt: skip
PAST_WORDS = ("전", "ago")
AM_WORDS = ("오전", "아침", "새벽", "am", "a.m.")
PM_WORDS = ("오후", "저녁", "pm", "p.m.")
HOURS_KO = ("한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉", "열", "열한", "열두")


def _alt(words: list[str]) -> str:
    """A regex alternation of literal words, longest first so a prefix never wins."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def _lookup(word: str, table: tuple[tuple[str, ...], ...]) -> int:
    """Index of the group in `table` that holds `word` (weekday or month names)."""
    return next(i for i, group in enumerate(table) if word in group)


_WD_EN_RE = _alt([w for group in _WD_EN for w in group])
_MONTH_RE = _alt([w for group in _MONTHS_EN for w in group])
_UNIT_RE = _alt([w for _, words in _UNITS for w in words])
_NUM_RE = r"\d{1,4}|" + _alt([w for w, _ in _NUMERALS])
_ONE = rf"(?P<n1>{_NUM_RE})\s*(?P<u1>{_UNIT_RE}){_E}"
_TWO = rf"\s*(?:and\s+)?(?P<n2>{_NUM_RE})\s*(?P<u2>{_UNIT_RE}){_E}"
_PERIOD = r"(?:(?P<period>오전|오후|아침|저녁|밤|새벽|낮|점심|am|pm|a\.m\.|p\.m\.)\s*)?"
_AMPM = r"(?P<ampm>am|pm|a\.m\.|p\.m\.)"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(?P<y>\d{4}))?"
_WEEK_WORD = r"이번|금|다다음|다음|담|지난|저번"

RELATIVE = (
    rf"(?:{_ONE}|(?P<days>{_alt([w for w, _ in COUNT_DAYS])}))"
    rf"(?:{_TWO}|\s*(?P<half>반))?\s*(?P<dir>후|뒤|전|있다가|지나서)",
    # `in 1h30m`, `in 1 hour 30 minutes`; a spaced `30m` stays a meeting length
    rf"in\s+{_ONE}(?:(?P<n3>\d{{1,2}})(?P<u3>m|mins?|minutes?){_E}"
    rf"|\s+(?:and\s+)?(?P<n2>\d{{1,2}})\s*(?P<u2>mins?|minutes?){_E})?",
    rf"{_ONE}(?:{_TWO})?\s+(?P<dir>from now|later|ago){_E}",
)
DATES = (
    r"(?P<y>\d{4})\s*년\s*(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",
    r"(?P<y>\d{4})(?P<sep>[-./])(?P<mo>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?!\d)",
    r"(?P<mo>\d{1,2})\s*월\s*(?P<d>\d{1,2})\s*일",
    r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})(?![\d/])",
    rf"(?P<mo>{_MONTH_RE})\.?\s*(?P<d>\d{{1,2}}){_ORD}{_YEAR}(?![\d:])",
    rf"(?P<d>\d{{1,2}}){_ORD}\s*(?:of\s+)?(?P<mo>{_MONTH_RE}){_E}\.?{_YEAR}",
)
CLOCKS = (
    rf"{_PERIOD}(?:(?P<h>\d{{1,2}})|(?P<hk>{_alt(list(HOURS_KO))}))\s*시(?!간)"
    rf"(?:\s*(?P<m>\d{{1,2}})\s*분|\s*(?P<half>반))?",
    rf"{_PERIOD}(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?!\d)(?:\s*{_AMPM}{_E})?",
    rf"(?P<h>\d{{1,2}})\s*{_AMPM}{_E}",
    rf"at\s+(?P<h>\d{{1,2}})(?![\d:])(?!\s*{_AMPM})",
)
MONTH_KO = re.compile(r"(이번|다다음|다음)\s*달\s*(\d{1,2})\s*일")
DAY_WORD = re.compile(rf"({_alt([w for w, _ in DAY_WORDS])}){_E}")
WEEK_KO = re.compile(rf"({_WEEK_WORD})\s*주\s*(?:의\s*)?([월화수목금토일])(?:요일|욜)?")
WEEK_EN = re.compile(rf"(this|next|last|coming)\s+({_WD_EN_RE}){_E}")
WD_BARE = re.compile(rf"([월화수목금토일])(?:요일|욜)|\(([월화수목금토일])\)|({_WD_EN_RE}){_E}")
DOM_KO = re.compile(r"(\d{1,2})\s*일")
NOON = re.compile(rf"정오|점심(?:\s*시간)?|(?:12\s*)?noon{_E}")
MIDNIGHT = re.compile(rf"자정|(?:12\s*)?midnight{_E}")
NOW = re.compile(rf"지금|(?:right\s+)?now{_E}")
VAGUE = re.compile(rf"(?:{_WEEK_WORD})\s*(?:주|달)|오전|오후|아침|저녁|밤|새벽|낮")
FILLER = re.compile(rf"\s+|[,()@]|(?:at|on|by|t(?=\d)){_E}|에서|에|까지|부터|쯤|경|께")


def number(text: str) -> int:
    """A count in digits, as a Korean numeral (한, 두, 이…) or as `a`/`an`."""
    return int(text) if text.isdigit() else dict(_NUMERALS)[text]


def unit_kind(unit: str) -> str:
    """`month`, `week`, `day`, `hour` or `minute` for any spelling in `_UNITS`."""
    return next(kind for kind, words in _UNITS if unit in words)


def weekday_index(word: str) -> int:
    """Monday = 0, for a Korean weekday letter or an English weekday name."""
    return WEEKDAYS_KO.index(word) if word in WEEKDAYS_KO else _lookup(word, _WD_EN)


def month_index(word: str) -> int:
    """January = 0, for an English month name or abbreviation."""
    return _lookup(word, _MONTHS_EN)
