"""The web side never answers 5xx on input, over real HTTP on loopback with a real SQLite store.

Periods and filters a reader can type into the map page's form are explained with a 400 page
(Korean first); a fault of ours is a 500 page whose reference id the log line carries; a
request that is not even HTTP is one warning line in the log, never a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.config import settings_from_mapping
from bot.logfmt import KeyValueFormatter
from bot.matrix import Runtime
from bot.web.server import build_app
from commands.errors import UserInputError
from commands.plan.file import load_plan
from storage.archive import ArchivedMessage
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
JUNG, LEE = "@jung:localhost", "@lee:localhost"
WG1 = "!wg1:localhost"
REF = re.compile(r"참조 번호 ([0-9a-f]{8})")


@dataclass
class Site:
    client: TestClient
    token: str
    db_path: str

    async def page(self, query: str) -> tuple[int, str]:
        response = await self.client.get(f"/collab/{self.token}{query}")
        return response.status, await response.text()

    async def raw(self, request: bytes) -> bytes:
        """Send bytes over a plain socket and read what the server answers."""
        reader, writer = await asyncio.open_connection(self.client.host, self.client.port)
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=5)
        writer.close()
        await writer.wait_closed()
        return answer


async def _boom(_request: web.Request) -> web.Response:
    raise RuntimeError("a bug of ours")


async def _typed(_request: web.Request) -> web.Response:
    raise UserInputError("잘못된 값입니다.", "Bad value.")


async def _forbidden(_request: web.Request) -> web.Response:
    raise web.HTTPForbidden()


@pytest_asyncio.fixture
async def site(sqlite_url: str) -> AsyncIterator[Site]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, "core-01", WG1, "room", "#core-01"))
    await repos.rooms.set_member(WG1, LEE, "join", None)
    day = NOW - timedelta(days=2)
    await repos.archive.add_many(
        [
            ArchivedMessage("$1", WG1, JUNG, day, "안건"),
            ArchivedMessage("$2", WG1, LEE, day + timedelta(minutes=5), "네", reply_to="$1"),
        ]
    )
    token = (await repos.dashboard_tokens.issue(LEE, NOW))[0]
    runtime = Runtime(started_at=NOW, last_sync_at=NOW)
    app = build_app(runtime, lambda: NOW, repos, settings_from_mapping(BASE_ENV), plan=PLAN)
    app.router.add_get("/boom", _boom)
    app.router.add_get("/typed", _typed)
    app.router.add_get("/forbidden", _forbidden)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Site(client, token, sqlite_url.removeprefix("sqlite:///"))
    await db.close()


BOUNDS = "기간은 2000-01-01부터 2100-12-31 사이여야 합니다"


@pytest.mark.parametrize(
    ("query", "korean"),
    [
        ("?custom=9999-12-31..9999-12-31", BOUNDS),
        ("?custom=0001-01-01..0001-01-02", BOUNDS),
        ("?custom=1999-12", BOUNDS),
        ("?custom=2026-11-15..2026-11-02", "기간의 끝이 시작보다 앞섭니다"),
        ("?custom=2020-01-01..2026-01-01", "기간은 400일 이내여야 합니다"),
        ("?custom=2026-11-02..", "기간을 알 수 없습니다"),
        ("?custom=2026-13", "기간을 알 수 없습니다"),
        ("?custom=" + "1" * 5000, "입력값이 너무 깁니다: custom"),
        ("?period=fortnight", "기간을 알 수 없습니다"),
        ("?period=week&task=core-99", "계획에 'core-99' 과제가 없습니다"),
        ("?task=" + "가" * 300, "입력값이 너무 깁니다: task"),
    ],
)
async def test_bad_filters_are_a_400_page_in_korean_first(
    site: Site, query: str, korean: str
) -> None:
    status, html = await site.page(query)
    assert status == 400
    error = re.search(r'<p class="error">(.*?)</p>', html)
    assert error is not None
    ko, en = map(unescape, error.group(1).split("<br>"))
    assert korean in ko and en.isascii()
    assert '<form method="get" id="filters">' in html and '<figure id="map">' not in html


async def test_a_typed_period_in_bounds_still_draws_the_map(site: Site) -> None:
    status, html = await site.page("?period=week&custom=2026-11-24..2026-11-26&task=core-01")
    assert status == 200 and '<p class="error">' not in html
    assert 'data-a="기획재정부" data-b="보건복지부"' in html and "2026-11-24" in html
    for edge in ("?custom=2000-01-01..2000-01-05", "?custom=2100-12", "?period=lastmonth"):
        assert (await site.page(edge))[0] == 200


async def test_a_fault_is_a_500_page_whose_reference_the_log_carries(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await site.client.get("/boom")
    html = await response.text()
    assert response.status == 500 and "일시적인 오류가 발생했습니다" in html
    reference = REF.search(html)
    assert reference is not None and f"reference {reference.group(1)}" in html
    failures = [r for r in caplog.records if r.name == "bot.web.errors"]
    assert len(failures) == 1 and failures[0].exc_info is not None
    line = KeyValueFormatter().format(failures[0])
    assert f"ref={reference.group(1)}" in line and "GET /boom" in line


async def test_a_storage_fault_on_the_page_logs_the_route_not_the_token(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    with sqlite3.connect(site.db_path) as db:
        db.execute("ALTER TABLE dashboard_token RENAME TO dashboard_token_gone")
    status, html = await site.page("?period=week")
    assert status == 500
    reference = REF.search(html)
    assert reference is not None and site.token not in caplog.text
    assert f"[ref {reference.group(1)}]: GET /collab/{{token}}" in caplog.text


async def test_input_errors_are_400_and_http_errors_pass_through(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    response = await site.client.get("/typed")
    assert response.status == 400 and "잘못된 값입니다. Bad value." in await response.text()
    response = await site.client.get("/forbidden")
    assert response.status == 403 and await response.text() == "403: Forbidden"
    assert (await site.client.get("/nowhere")).status == 404
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "request_bytes",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n",
        b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n",
        b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Bad\x00: 1\r\n\r\n",
    ],
)
async def test_a_malformed_request_is_one_warning_line(
    site: Site, caplog: pytest.LogCaptureFixture, request_bytes: bytes
) -> None:
    caplog.set_level(logging.DEBUG)
    answer = await site.raw(request_bytes)
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    server = [r for r in caplog.records if r.name == "aiohttp.server"]
    assert [r.levelname for r in server] == ["WARNING"]
    assert "malformed HTTP request" in server[0].getMessage()
    assert "\n" not in server[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records) and "Traceback" not in caplog.text
    assert (await site.client.get("/healthz")).status == 200
