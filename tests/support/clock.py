"""The wall clock a test run sees: today's, or a fixed date set by `SOTONG_TEST_NOW`.

`SOTONG_TEST_NOW=2026-12-31T23:59:00+09:00 pytest tests/unit` runs the suite as if it were
that moment (the clock still ticks from there), so a test that reads the real clock instead of
an injected one fails on a date where that matters. scripts/test.sh runs the unit suite this way
at a few dates far apart.
"""

from __future__ import annotations

import os
from datetime import datetime

import time_machine

VARIABLE = "SOTONG_TEST_NOW"


def travel_from_environment() -> time_machine.travel | None:
    """Start a ticking travel to `SOTONG_TEST_NOW` if it is set; the caller stops it."""
    value = os.environ.get(VARIABLE, "").strip()
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{VARIABLE} needs a UTC offset, e.g. 2026-12-31T23:59:00+09:00")
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    return traveller
