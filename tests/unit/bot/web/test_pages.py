"""The web side on a real aiohttp server (127.0.0.1): personal map pages that show only their
owner's rooms and stop working when expired or revoked, `/metrics` that a Prometheus parser
reads, `/healthz`."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from prometheus_client.parser import text_string_to_metric_families

from bot.config import settings_from_mapping
from bot.matrix import Runtime
from bot.sized_messenger import SizedMessenger
from bot.web.metrics import Metrics
from bot.web.server import build_app
from commands.plan.file import load_plan
from commands.render import Notice
from storage.archive import ArchivedMessage
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
JUNG, LEE, HAN, YOON = (f"@{name}:localhost" for name in ("jung", "lee", "han", "yoon"))
WG1, WG2 = "!wg1:localhost", "!wg2:localhost"
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


@dataclass
class Site:
    client: TestClient
    repos: Repositories
    runtime: Runtime
    metrics: Metrics
    clock: list[datetime]

    async def token(self, user: str) -> str:
        return (await self.repos.dashboard_tokens.issue(user, self.clock[0]))[0]

    async def page(self, token: str, query: str = "") -> tuple[int, str]:
        response = await self.client.get(f"/collab/{token}{query}")
        return response.status, await response.text()


async def _seed(repos: Repositories) -> None:
    """WG 1 (lee is in it): health and finance talk; WG 2 (yoon is in it): Busan and NIA."""
    for node, room in (("core-01", WG1), ("core-02", WG2)):
        await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, node, room, "room", f"#{node}"))
    await repos.rooms.set_member(WG1, LEE, "join", None)
    await repos.rooms.set_member(WG2, YOON, "join", None)
    day = NOW - timedelta(days=2)
    await repos.archive.add_many(
        [
            ArchivedMessage("$1", WG1, JUNG, day, "안건"),
            ArchivedMessage("$2", WG1, LEE, day + timedelta(minutes=5), "네", reply_to="$1"),
            ArchivedMessage("$3", WG2, YOON, day, "데이터"),
            ArchivedMessage("$4", WG2, HAN, day + timedelta(minutes=5), "공유", reply_to="$3"),
        ]
    )


@pytest_asyncio.fixture
async def site(repos: Repositories) -> AsyncIterator[Site]:
    await _seed(repos)
    clock = [NOW]
    runtime = Runtime(started_at=NOW - timedelta(hours=1), last_sync_at=NOW)
    metrics = Metrics()
    settings = settings_from_mapping(BASE_ENV)
    app = build_app(runtime, lambda: clock[0], repos, settings, plan=PLAN, metrics=metrics)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Site(client, repos, runtime, metrics, clock)


def edges(html: str) -> set[tuple[str, str]]:
    return set(re.findall(r'<line class="edge" data-a="([^"]+)" data-b="([^"]+)"', html))


async def test_a_page_shows_only_its_owners_rooms(site: Site) -> None:
    status, lee_page = await site.page(await site.token(LEE))
    assert status == 200
    assert edges(lee_page) == {("기획재정부", "보건복지부")}
    assert 'data-ministry="보건복지부"' in lee_page and "선제적 맞춤형 서비스" in lee_page
    assert "민간 협업을 통한" not in lee_page
    status, yoon_page = await site.page(await site.token(YOON))
    assert edges(yoon_page) == {("부산광역시", "한국지능정보사회진흥원")}
    assert "선제적 맞춤형 서비스" not in yoon_page and LEE not in yoon_page


async def test_the_page_has_tables_filters_and_strict_headers(site: Site) -> None:
    token = await site.token(LEE)
    response = await site.client.get(f"/collab/{token}")
    html = await response.text()
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    for table in ("strongest", "shares"):
        assert f'<table class="{table}">' in html
    assert '<form method="get" id="filters">' in html and "<script" not in html
    _, last_week = await site.page(token, "?period=lastweek")
    assert edges(last_week) == set() and "2026-11-16" in last_week
    _, custom = await site.page(token, "?period=week&custom=2026-11-24..2026-11-26&task=core-01")
    assert edges(custom) == {("기획재정부", "보건복지부")} and "2026-11-24" in custom


async def test_bad_filters_are_explained_and_escaped(site: Site) -> None:
    token = await site.token(LEE)
    status, html = await site.page(token, "?custom=<script>alert(1)</script>")
    assert status == 400 and '<p class="error">' in html
    assert "<script" not in html and "&lt;script&gt;" in html
    _, other = await site.page(token, "?task=core-02")
    assert '<p class="error">' in other and "민간 협업을 통한" not in other


async def test_expired_revoked_and_unknown_links_are_the_same_404(site: Site) -> None:
    token = await site.token(LEE)
    status, unknown = await site.page("x" * 43)
    assert status == 404
    site.clock[0] = NOW + timedelta(days=7, seconds=1)
    assert await site.page(token) == (404, unknown)
    site.clock[0] = NOW
    assert (await site.page(token))[0] == 200
    await site.repos.dashboard_tokens.revoke(LEE, NOW)
    assert await site.page(token) == (404, unknown)
    assert (await site.client.get("/collab/")).status == 404


async def test_metrics_parse_and_count(site: Site) -> None:
    site.metrics.command("collab", "ok")
    site.metrics.command("collab", "ok")
    site.metrics.command("export", "denied")
    site.metrics.event()
    for seconds in (0.02, 0.03, 0.7, 60.0):
        site.metrics.command_took(seconds)
    meetings = site.repos.meetings
    for kind, outcome in (("remind:10", "sent"), ("remind:1440", "late"), ("start", "sent")):
        await meetings.claim_notice(1, NOW, kind, outcome)
    await meetings.claim_notice(2, NOW, "remind:10", "missed")
    await site.repos.digests.claim("wg", WG1, NOW.date(), "08:30", False, NOW)
    await site.repos.digests.finish("wg", WG1, NOW.date(), "sent", "$d")
    response = await site.client.get("/metrics")
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(await response.text())
        for s in family.samples
    }
    assert samples[("sotong_commands_total", (("command", "collab"), ("outcome", "ok")))] == 2
    assert samples[("sotong_commands_total", (("command", "export"), ("outcome", "denied")))] == 1
    assert samples[("sotong_events_processed_total", ())] == 1
    buckets = {
        dict(k[1])["le"]: v for k, v in samples.items() if k[0].endswith("duration_seconds_bucket")
    }
    assert (buckets["0.025"], buckets["0.05"], buckets["1.0"], buckets["10.0"]) == (1, 2, 3, 3)
    assert buckets["+Inf"] == samples[("sotong_command_duration_seconds_count", ())] == 4
    assert samples[("sotong_command_duration_seconds_sum", ())] == 60.75
    assert samples[("sotong_sync_lag_seconds", ())] == 0
    reminders = {
        dict(k[1])["outcome"]: v for k, v in samples.items() if k[0].startswith("sotong_reminders")
    }
    assert reminders == {"sent": 1, "late": 1, "missed": 1}
    assert samples[("sotong_digests_total", (("kind", "wg"), ("outcome", "sent")))] == 1
    assert samples[("sotong_archive_messages", ())] == 4
    assert samples[("sotong_trips_avoided", ())] == 0


async def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = await (await client.get("/metrics")).text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_skipped_malformed_and_split_events_are_counted_per_app(
    site: Site, repos: Repositories
) -> None:
    site.metrics.skipped("ValueError")
    site.metrics.malformed(("body", "m.relates_to", "body"))
    sized = SizedMessenger(None, lambda _room: False, site.metrics)
    assert len(sized.parts(Notice.plain("\n".join(["가" * 1000] * 100)), WG1, False)) > 1
    samples = await _samples(site.client)
    assert samples[("sotong_events_skipped_total", (("error", "ValueError"),))] == 1
    assert samples[("sotong_events_malformed_total", (("field", "body"),))] == 2
    assert samples[("sotong_events_malformed_total", (("field", "m.relates_to"),))] == 1
    assert samples[("sotong_replies_split_total", ())] == 1
    settings = settings_from_mapping(BASE_ENV)
    other = build_app(site.runtime, lambda: NOW, repos, settings, plan=PLAN, metrics=Metrics())
    async with TestClient(TestServer(other, host="127.0.0.1")) as client:
        fresh = await _samples(client)
    assert fresh[("sotong_replies_split_total", ())] == 0
    assert ("sotong_events_skipped_total", (("error", "ValueError"),)) not in fresh


async def test_healthz_follows_the_sync(site: Site) -> None:
    assert (await site.client.get("/healthz")).status == 200
    site.runtime.last_sync_at = NOW - timedelta(minutes=5)
    response = await site.client.get("/healthz")
    assert response.status == 503 and (await response.json())["status"] == "stale"
    lag = await (await site.client.get("/metrics")).text()
    assert "sotong_sync_lag_seconds 300" in lag
