"""`/metrics` through prometheus-client, in the Prometheus text format (version 0.0.4).

In memory (`Metrics`: prometheus-client counters and a histogram): commands by name and
outcome, events processed, skipped and malformed, replies split, how long commands took (from
the event reaching the dispatcher to the command's end, replies sent).
At scrape time (`MetricsPage`, a custom collector): sync lag and uptime from the runtime, and
from the tables (cached for `DB_TTL` so a tight scrape interval costs little) reminders by
outcome (the meeting notice ledger), digests by kind and outcome (the digest ledger), trips
that video meetings avoided (as `!savings` counts them) and the archive's size.

The instruments belong to no registry of their own: each web app registers them, with its
collector, in a `CollectorRegistry` of its own (never the process-wide default one, so many
apps can live in one process, as in the tests). The `_created` series prometheus-client adds
by default are switched off (for the process) so the page holds only the names listed here.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from commands.meetings import Savings, held_meetings_of, load_travel_table, savings
from commands.plan import Plan
from storage.repositories import Repositories

CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
DB_TTL = 15.0
DURATION_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds in seconds; a reply on a nearby homeserver takes a few tens of ms."""

disable_created_metrics()


class Metrics:
    """Counters the bot keeps while it runs (reset on restart, as Prometheus expects)."""

    def __init__(self) -> None:
        self.commands = Counter(
            "sotong_commands_total",
            "Commands handled, by command and outcome (ok, invalid, denied, error).",
            ("command", "outcome"),
            registry=None,
        )
        self.durations = Histogram(
            "sotong_command_duration_seconds",
            "From a command reaching the dispatcher to its end, replies sent.",
            buckets=DURATION_BUCKETS,
            registry=None,
        )
        self.events = Counter(
            "sotong_events_processed_total",
            "Matrix events the dispatcher handled (each event once).",
            registry=None,
        )
        self.skipped_events = Counter(
            "sotong_events_skipped_total",
            "Events skipped because their handling failed on their content, by error class.",
            ("error",),
            registry=None,
        )
        self.malformed_fields = Counter(
            "sotong_events_malformed_total",
            "Message fields of the wrong JSON type, read as absent (by field).",
            ("field",),
            registry=None,
        )
        self.split_replies = Counter(
            "sotong_replies_split_total",
            "Messages split into numbered parts to fit the event size limit.",
            registry=None,
        )

    @property
    def collectors(self) -> tuple[Collector, ...]:
        """The instruments, in the order `/metrics` lists them."""
        return (
            self.commands,
            self.durations,
            self.events,
            self.skipped_events,
            self.malformed_fields,
            self.split_replies,
        )

    def command(self, name: str, outcome: str) -> None:
        self.commands.labels(command=name, outcome=outcome).inc()

    def command_took(self, seconds: float) -> None:
        """One command's duration, for the histogram."""
        self.durations.observe(seconds)

    def event(self) -> None:
        self.events.inc()

    def skipped(self, error_class: str) -> None:
        """An event whose handling failed on its content and was skipped."""
        self.skipped_events.labels(error=error_class).inc()

    def malformed(self, fields: Iterable[str]) -> None:
        """Fields of one message that were of the wrong JSON type (a field may repeat)."""
        for name in fields:
            self.malformed_fields.labels(field=name).inc()

    def split(self) -> None:
        """A message was sent as numbered parts."""
        self.split_replies.inc()

    def value(self, sample: str, **labels: str) -> float:
        """A sample as `/metrics` shows it, summed over the labels not given (0 when nothing
        was counted): `value("sotong_events_skipped_total", error="ValueError")`."""
        return sum(
            found.value
            for collector in self.collectors
            for metric in collector.collect()
            for found in metric.samples
            if found.name == sample and labels.items() <= found.labels.items()
        )


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


def _counts(
    name: str, help_text: str, labels: tuple[str, ...], counts: Mapping[tuple[str, ...], int]
) -> CounterMetricFamily:
    family = CounterMetricFamily(name, help_text, labels=labels)
    for values, count in sorted(counts.items()):
        family.add_metric(values, count)
    return family


class MetricsPage:
    """Renders `/metrics` from a registry of its own: the bot's instruments and itself, a
    collector of the figures read at scrape time (database figures cached for `ttl` s)."""

    def __init__(
        self,
        metrics: Metrics,
        runtime: Any,
        repos: Repositories,
        plan: Plan | None,
        clock: Callable[[], datetime],
        ttl: float = DB_TTL,
    ) -> None:
        self.runtime, self.repos, self.plan = runtime, repos, plan
        self.clock, self.ttl = clock, ttl
        self._cached: tuple[float, StoredFigures] | None = None
        self.registry = CollectorRegistry()
        for collector in (*metrics.collectors, self):
            self.registry.register(collector)

    async def _stored(self) -> StoredFigures:
        if self._cached is None or time.monotonic() - self._cached[0] >= self.ttl:
            figures = await stored_figures(self.repos, self.plan, self.clock())
            self._cached = (time.monotonic(), figures)
        return self._cached[1]

    async def render(self) -> bytes:
        """The whole exposition text (UTF-8), the stored figures refreshed if stale."""
        await self._stored()
        return generate_latest(self.registry)

    def collect(self) -> Iterator[Metric]:
        """The runtime gauges, then the stored figures of the last refresh."""
        now, last = self.clock(), self.runtime.last_sync_at
        yield GaugeMetricFamily(
            "sotong_sync_lag_seconds",
            "Seconds since the last successful sync (NaN before the first).",
            value=(now - last).total_seconds() if last else math.nan,
        )
        yield GaugeMetricFamily(
            "sotong_uptime_seconds",
            "Seconds since the bot started.",
            value=(now - self.runtime.started_at).total_seconds(),
        )
        if self._cached is not None:
            yield from _stored_families(self._cached[1])


def _stored_families(figures: StoredFigures) -> Iterator[Metric]:
    reminders = {outcome: figures.reminders.get(outcome, 0) for outcome in ("sent", "late")}
    reminders |= {"missed": figures.reminders.get("missed", 0), **figures.reminders}
    yield _counts(
        "sotong_reminders_total",
        "Meeting reminders by outcome: sent on time, sent late, missed (from the ledger).",
        ("outcome",),
        {(outcome,): count for outcome, count in reminders.items()},
    )
    yield _counts(
        "sotong_digests_total",
        "Digests in the ledger by kind (wg, executive, personal) and outcome.",
        ("kind", "outcome"),
        figures.digests,
    )
    saved = figures.saved
    for name, help_text, value in (
        (
            "sotong_trips_avoided",
            "Round trips avoided by meetings held on video (estimate, as !savings counts).",
            saved.trips,
        ),
        ("sotong_travel_hours_avoided", "Travel hours avoided.", saved.hours),
        ("sotong_travel_cost_avoided_krw", "Travel cost avoided, KRW.", saved.krw),
        (
            "sotong_archive_messages",
            "Archived messages that still have their text.",
            figures.archived,
        ),
    ):
        yield GaugeMetricFamily(name, help_text, value=value)
