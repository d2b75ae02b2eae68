"""The personal calendar feed and the health check over real HTTP on loopback.

The bot's aiohttp app is served by a test server on 127.0.0.1 over a real SQLite store, and
fetched the way a calendar client or a load balancer would. The server's clock is a fixed
datetime that a test moves forward, so expiry is checked without the wall clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from icalendar import Calendar

from bot.config import settings_from_mapping
from bot.matrix import Runtime
from bot.web.server import build_app
from storage.db import Database
from storage.models import Meeting
from storage.repositories import Repositories
from tests.support.transcript import BASE_ENV

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
SEOUL = ZoneInfo("Asia/Seoul")
USER = "@lee:gov.kr"
MY_ROOM, OTHER_ROOM = "!wg-core:gov.kr", "!wg-other:gov.kr"


@dataclass
class Site:
    client: TestClient
    repos: Repositories
    runtime: Runtime
    clock: list[datetime]

    async def token(self, user: str = USER) -> str:
        return (await self.repos.calendar_tokens.issue(user, self.clock[0]))[0]

    async def status(self, token: str) -> int:
        return (await self.client.get(f"/calendar/{token}.ics")).status


@pytest_asyncio.fixture
async def site(sqlite_url: str) -> AsyncIterator[Site]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    runtime = Runtime(started_at=NOW)
    clock = [NOW]
    app = build_app(runtime, lambda: clock[0], repos, settings_from_mapping(BASE_ENV))
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield Site(client, repos, runtime, clock)
    await db.close()


async def _meeting(repos: Repositories, room: str, title: str, start: datetime) -> Meeting:
    return await repos.meetings.create(
        Meeting(
            room_id=room,
            number=0,
            title=title,
            starts_at=start,
            duration_minutes=60,
            organizer="@chair:gov.kr",
            conference=f"Sotong-{title}",
        )
    )


async def _feed(site: Site, token: str) -> Calendar:
    response = await site.client.get(f"/calendar/{token}.ics")
    assert response.status == 200
    assert response.content_type == "text/calendar"
    return Calendar.from_ical(await response.read())


async def test_feed_lists_the_meetings_of_the_users_rooms_in_seoul_time(site: Site) -> None:
    start = datetime(2026, 12, 3, 14, 0, tzinfo=SEOUL)
    await site.repos.rooms.set_member(MY_ROOM, USER, "join", None)
    await site.repos.rooms.set_member(OTHER_ROOM, "@park:gov.kr", "join", None)
    await _meeting(site.repos, MY_ROOM, "주간 점검 회의", start)
    await _meeting(site.repos, OTHER_ROOM, "다른 WG 회의", start + timedelta(days=1))
    calendar = await _feed(site, await site.token())
    events = list(calendar.walk("VEVENT"))
    assert [str(e["SUMMARY"]) for e in events] == ["주간 점검 회의"]
    assert events[0]["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert events[0].decoded("DTSTART") == start
    zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
    assert zones == ["Asia/Seoul"]


async def test_unknown_token_is_not_found(site: Site) -> None:
    response = await site.client.get("/calendar/not-a-token.ics")
    assert response.status == 404


async def test_a_new_token_revokes_the_old_one(site: Site) -> None:
    await site.repos.rooms.set_member(MY_ROOM, USER, "join", None)
    old = await site.token()
    await _feed(site, old)
    new = await site.token()
    assert await site.status(old) == 404
    await _feed(site, new)


async def test_a_revoked_link_is_not_found_at_once(site: Site) -> None:
    await site.repos.rooms.set_member(MY_ROOM, USER, "join", None)
    token = await site.token()
    await _feed(site, token)
    assert await site.repos.calendar_tokens.revoke(USER, site.clock[0]) == 1
    assert await site.status(token) == 404


async def test_a_link_serves_for_a_year_and_then_is_not_found(site: Site) -> None:
    await site.repos.rooms.set_member(MY_ROOM, USER, "join", None)
    token = await site.token()
    site.clock[0] = NOW + timedelta(days=364)
    await _feed(site, token)
    site.clock[0] = NOW + timedelta(days=365)
    assert await site.status(token) == 404
    assert await site.status(await site.token()) == 200


async def test_healthz_is_unavailable_until_the_first_sync(site: Site) -> None:
    response = await site.client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["status"] == "stale"
    site.runtime.last_sync_at = NOW
    response = await site.client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"
