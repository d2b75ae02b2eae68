"""`SOTONG_TEST_NOW` moves the wall clock of a test run (tests/support/clock.py), which is how
scripts/unit_at_dates.sh runs the unit suite at fixed dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.clock import VARIABLE, travel_from_environment


def test_the_variable_moves_the_clock_and_it_ticks_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, "2028-02-29T23:59:59+09:00")
    before = datetime.now(UTC)
    traveller = travel_from_environment()
    assert traveller is not None
    try:
        moved = datetime.now(UTC)
        assert moved - datetime(2028, 2, 29, 14, 59, 59, tzinfo=UTC) < timedelta(minutes=1)
        assert date.today() in (date(2028, 2, 29), date(2028, 3, 1))
        assert datetime.now(UTC) >= moved
    finally:
        traveller.stop()
    assert abs(datetime.now(UTC) - before) < timedelta(minutes=5)


def test_without_the_variable_nothing_moves(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    assert travel_from_environment() is None


def test_a_moment_without_an_offset_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(VARIABLE, "2026-12-31T23:59:00")
    with pytest.raises(ValueError, match="UTC offset"):
        travel_from_environment()
