"""`/metrics` in the Prometheus text exposition format (version 0.0.4), written by hand: a few
counters kept in memory by the dispatcher, and figures read from the database at scrape time.

In memory: commands by name and outcome, events processed, how long commands took (from the
event reaching the dispatcher to the command's end, replies sent). From the runtime: sync
lag, uptime.
From the tables (cached for `DB_TTL` so a tight scrape interval costs little): reminders by
outcome (the meeting notice ledger), digests by kind and outcome (the digest ledger), trips
that video meetings avoided (as `!savings` counts them) and the archive's size.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from commands.meetings import Savings, held_meetings_of, load_travel_table, savings
from commands.plan import Plan
from storage.repositories import Repositories

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DB_TTL = 15.0
Sample = tuple[dict[str, str], float]
DURATION_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds in seconds; a reply on a nearby homeserver takes a few tens of ms."""


@dataclass
class Metrics:
    """Counters the bot keeps while it runs (reset on restart, as Prometheus expects)."""

    commands: Counter[tuple[str, str]] = field(default_factory=Counter)
    events: int = 0
    duration_buckets: list[int] = field(default_factory=lambda: [0] * len(DURATION_BUCKETS))
    duration_sum: float = 0.0
    duration_count: int = 0
    skipped_events: Counter[str] = field(default_factory=Counter)
    malformed_fields: Counter[str] = field(default_factory=Counter)
    split_replies: int = 0

    def skipped(self, error_class: str) -> None:
        """An event whose handling failed on its content and was skipped."""
        self.skipped_events[error_class] += 1

    def command(self, name: str, outcome: str) -> None:
        self.commands[(name, outcome)] += 1

    def command_took(self, seconds: float) -> None:
        """One command's duration, for the histogram (buckets are not cumulative here)."""
        self.duration_count += 1
        self.duration_sum += seconds
        for index, bound in enumerate(DURATION_BUCKETS):
            if seconds <= bound:
                self.duration_buckets[index] += 1
                break

    def event(self) -> None:
        self.events += 1


@dataclass(frozen=True)
class StoredFigures:
    """What `/metrics` reads from the database."""

    reminders: dict[str, int]
    digests: dict[tuple[str, str], int]
    saved: Savings
    archived: int


async def stored_figures(repos: Repositories, plan: Plan | None, now: datetime) -> StoredFigures:
    held = await held_meetings_of(repos, plan, now)
    return StoredFigures(
        reminders=await repos.reports.reminder_outcomes(),
        digests=await repos.reports.digest_outcomes(),
        saved=savings(held, load_travel_table()).total if held else Savings(),
        archived=await repos.archive.count(),
    )


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _sample(name: str, labels: dict[str, str], value: float) -> str:
    inner = ",".join(f'{key}="{_label(labels[key])}"' for key in sorted(labels))
    return f"{name}{{{inner}}} {_number(value)}" if inner else f"{name} {_number(value)}"


def family(name: str, kind: str, help_text: str, samples: Iterable[Sample]) -> list[str]:
    """One metric family: HELP, TYPE and its samples (labels sorted, values escaped)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    return lines + [_sample(name, labels, value) for labels, value in samples]


def histogram(name: str, help_text: str, metrics: Metrics) -> list[str]:
    """The command-duration histogram: cumulative `_bucket`s up to `+Inf`, `_sum`, `_count`."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} histogram"]
    running = 0
    for bound, count in zip(DURATION_BUCKETS, metrics.duration_buckets, strict=True):
        running += count
        lines.append(_sample(f"{name}_bucket", {"le": repr(bound)}, running))
    lines.append(_sample(f"{name}_bucket", {"le": "+Inf"}, metrics.duration_count))
    lines.append(_sample(f"{name}_sum", {}, metrics.duration_sum))
    lines.append(_sample(f"{name}_count", {}, metrics.duration_count))
    return lines


class MetricsPage:
    """Renders `/metrics`; database figures are cached for `ttl` seconds."""

    def __init__(
        self,
        metrics: Metrics,
        runtime: Any,
        repos: Repositories,
        plan: Plan | None,
        clock: Callable[[], datetime],
        ttl: float = DB_TTL,
    ) -> None:
        self.metrics, self.runtime, self.repos, self.plan = metrics, runtime, repos, plan
        self.clock, self.ttl = clock, ttl
        self._cached: tuple[float, StoredFigures] | None = None

    async def _stored(self) -> StoredFigures:
        if self._cached is None or time.monotonic() - self._cached[0] >= self.ttl:
            figures = await stored_figures(self.repos, self.plan, self.clock())
            self._cached = (time.monotonic(), figures)
        return self._cached[1]

    async def render(self) -> str:
        """The whole exposition text."""
        return "\n".join([*self._live(), *_stored_lines(await self._stored())]) + "\n"

    def _live(self) -> list[str]:
        now, last = self.clock(), self.runtime.last_sync_at
        commands = sorted(self.metrics.commands.items())
        return [
            *family(
                "sotong_commands_total",
                "counter",
                "Commands handled, by command and outcome (ok, invalid, denied, error).",
                [({"command": c, "outcome": o}, n) for (c, o), n in commands],
            ),
            *histogram(
                "sotong_command_duration_seconds",
                "From a command reaching the dispatcher to its end, replies sent.",
                self.metrics,
            ),
            *family(
                "sotong_events_processed_total",
                "counter",
                "Matrix events the dispatcher handled (each event once).",
                [({}, self.metrics.events)],
            ),
            *family(
                "sotong_events_skipped_total",
                "counter",
                "Events skipped because their handling failed on their content, by error class.",
                [({"error": e}, n) for e, n in sorted(self.metrics.skipped_events.items())],
            ),
            *family(
                "sotong_events_malformed_total",
                "counter",
                "Message fields of the wrong JSON type, read as absent (by field).",
                [({"field": f}, n) for f, n in sorted(self.metrics.malformed_fields.items())],
            ),
            *family(
                "sotong_replies_split_total",
                "counter",
                "Messages split into numbered parts to fit the event size limit.",
                [({}, self.metrics.split_replies)],
            ),
            *family(
                "sotong_sync_lag_seconds",
                "gauge",
                "Seconds since the last successful sync (NaN before the first).",
                [({}, (now - last).total_seconds() if last else math.nan)],
            ),
            *family(
                "sotong_uptime_seconds",
                "gauge",
                "Seconds since the bot started.",
                [({}, (now - self.runtime.started_at).total_seconds())],
            ),
        ]


def _stored_lines(figures: StoredFigures) -> list[str]:
    reminders = {outcome: figures.reminders.get(outcome, 0) for outcome in ("sent", "late")}
    reminders |= {"missed": figures.reminders.get("missed", 0), **figures.reminders}
    saved = figures.saved
    return [
        *family(
            "sotong_reminders_total",
            "counter",
            "Meeting reminders by outcome: sent on time, sent late, missed (from the ledger).",
            [({"outcome": o}, n) for o, n in sorted(reminders.items())],
        ),
        *family(
            "sotong_digests_total",
            "counter",
            "Digests in the ledger by kind (wg, executive, personal) and outcome.",
            [({"kind": k, "outcome": o}, n) for (k, o), n in sorted(figures.digests.items())],
        ),
        *family(
            "sotong_trips_avoided",
            "gauge",
            "Round trips avoided by meetings held on video (estimate, as !savings counts).",
            [({}, saved.trips)],
        ),
        *family(
            "sotong_travel_hours_avoided", "gauge", "Travel hours avoided.", [({}, saved.hours)]
        ),
        *family(
            "sotong_travel_cost_avoided_krw",
            "gauge",
            "Travel cost avoided, KRW.",
            [({}, saved.krw)],
        ),
        *family(
            "sotong_archive_messages",
            "gauge",
            "Archived messages that still have their text.",
            [({}, figures.archived)],
        ),
    ]
