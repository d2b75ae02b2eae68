"""The date language: Korean and English dates and times, and Korean working days.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.when.convert import format_span, parse_duration, parse_when, split_when
from commands.when.format import format_when, shorten
from commands.when.workdays import (
    holiday_name,
    is_working_day,
    next_working_day,
    previous_working_day,
)

__all__ = [
    "format_span",
    "format_when",
    "holiday_name",
    "is_working_day",
    "next_working_day",
    "parse_duration",
    "parse_when",
    "previous_working_day",
    "shorten",
    "split_when",
]
