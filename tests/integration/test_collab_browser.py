"""The collaboration-map page in a real browser: headless Chromium (Debian's `chromium`) loads a
personal link from the bot's own web server, the map shows the ministries, and the page's GET
filters change it. The screenshots stay in the test's tmp dir as artifacts.

Needs `apt-get install -y chromium` (and fonts-nanum for Hangul); skipped, saying so, without it.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web

from bot.config import settings_from_mapping
from bot.dev.synapse import free_port
from bot.matrix import Runtime
from bot.web.metrics import Metrics
from bot.web.server import build_app, start_web
from commands.plan.file import load_plan
from storage.archive import ArchivedMessage
from storage.db import Database
from storage.migrate import upgrade
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
JUNG, LEE, HAN = (f"@{name}:localhost" for name in ("jung", "lee", "han"))
WG1 = "!wg1:localhost"
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # the server's clock: Friday 10:00 in Seoul
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1000,1700",
)
EDGE = re.compile(r'<line class="edge" data-a="([^"]+)" data-b="([^"]+)"')


@dataclass
class Browser:
    """Runs Chromium once per call with a fresh profile (no state carried between loads)."""

    binary: str
    workdir: Path

    async def run(self, url: str, *extra: str) -> bytes:
        profile = self.workdir / f"profile-{len(list(self.workdir.glob('profile-*')))}"
        process = await asyncio.create_subprocess_exec(
            self.binary,
            *FLAGS,
            f"--user-data-dir={profile}",
            *extra,
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=90)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise
        assert process.returncode == 0, err.decode(errors="replace")[-2000:]
        return out

    async def dom(self, url: str) -> str:
        return (await self.run(url, "--dump-dom")).decode("utf-8")

    async def screenshot(self, url: str, path: Path) -> Path:
        await self.run(url, f"--screenshot={path}")
        return path


@pytest.fixture
def browser(tmp_path: Path) -> Browser:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed: apt-get install -y chromium (Debian package)")
    return Browser(CHROMIUM, tmp_path)


@pytest_asyncio.fixture(loop_scope="session")
async def page_url(tmp_path: Path) -> AsyncIterator[str]:
    """The bot's web server on a free loopback port, with two ministries talking in WG 1 and a
    personal link for lee, who is in that room."""
    url = f"sqlite:///{tmp_path / 'sotong.db'}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    repos = Repositories.over(db)
    now = NOW
    await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, "core-01", WG1, "room", "#core-01"))
    await repos.rooms.set_member(WG1, LEE, "join", None)
    day = now - timedelta(hours=3)
    await repos.archive.add_many(
        [
            ArchivedMessage("$1", WG1, JUNG, day, "안건"),
            ArchivedMessage("$2", WG1, LEE, day + timedelta(minutes=1), "네", reply_to="$1"),
            ArchivedMessage("$3", WG1, HAN, day + timedelta(minutes=2), "저도", reply_to="$2"),
        ]
    )
    token, _ = await repos.dashboard_tokens.issue(LEE, now)
    settings = settings_from_mapping(BASE_ENV)
    runtime = Runtime(started_at=now, last_sync_at=now)
    app = build_app(runtime, lambda: NOW, repos, settings, plan=PLAN, metrics=Metrics())
    port = free_port()
    runner: web.AppRunner = await start_web(app, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/collab/{token}"
    finally:
        await runner.cleanup()
        await db.close()


async def test_the_page_loads_shows_the_ministries_and_filters_change_it(
    browser: Browser, page_url: str, tmp_path: Path
) -> None:
    dom = await browser.dom(page_url)
    assert "<h1>협업지도" in dom
    for ministry in ("기획재정부", "보건복지부", "한국지능정보사회진흥원"):
        assert f'data-ministry="{ministry}"' in dom
    assert set(EDGE.findall(dom)) == {
        ("기획재정부", "보건복지부"),
        ("기획재정부", "한국지능정보사회진흥원"),
    }
    assert '<select name="period">' in dom and 'value="lastweek"' in dom
    shot = await browser.screenshot(page_url, tmp_path / "collab-week.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 20_000

    filtered = f"{page_url}?period=lastweek&custom=&task="
    last_week = await browser.dom(filtered)
    assert EDGE.findall(last_week) == []
    assert "이 기간에 부처 간 협업 기록이 없습니다" in last_week
    assert '<option value="lastweek" selected="">' in last_week
    other = await browser.screenshot(filtered, tmp_path / "collab-lastweek.png")
    assert other.read_bytes() != shot.read_bytes()
    print(f"screenshots: {shot} {other}")
