"""Flood control arithmetic: a burst is free, then one per second, per sender."""

from __future__ import annotations

from commands.ratelimit import FloodControl


def test_burst_then_steady_rate_per_sender() -> None:
    flood = FloodControl(burst=3, rate=1.0)
    delays = [flood.delay_for("@a:x", 100.0) for _ in range(6)]
    assert delays == [0.0, 0.0, 0.0, 1.0, 2.0, 3.0]
    assert flood.delay_for("@b:x", 100.0) == 0.0
    assert flood.delay_for("@a:x", 110.0) == 0.0


def test_one_warning_per_flood() -> None:
    flood = FloodControl(burst=1, rate=1.0)
    flood.delay_for("@a:x", 0.0)
    assert flood.delay_for("@a:x", 0.0) > 0
    assert flood.should_warn("@a:x") and not flood.should_warn("@a:x")
    flood.delay_for("@a:x", 60.0)
    assert flood.delay_for("@a:x", 60.0) > 0 and flood.should_warn("@a:x")
