"""The bot's small web server: health, metrics, calendar feeds and the collaboration map."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from aiohttp import web

from bot.config import Settings
from bot.matrix import Runtime
from bot.web.collab import CollabPages, add_routes
from bot.web.errors import guard, quiet_malformed_requests
from bot.web.metrics import Metrics, MetricsPage
from bot.web.unsubscribe import add_unsubscribe
from commands.meetings import feed_for
from commands.plan import Plan
from storage.repositories import Repositories

STALE_AFTER = timedelta(minutes=2)


def build_app(
    runtime: Runtime,
    clock: Callable[[], datetime],
    repos: Repositories,
    settings: Settings,
    *,
    plan: Plan | None = None,
    metrics: Metrics | None = None,
) -> web.Application:
    """`/healthz`: 200 while syncing, 503 when the last good sync is too old;
    `/calendar/{token}.ics`: a personal meeting feed (404 for unknown or revoked tokens);
    `/collab/{token}`: the personal collaboration-map page; `/metrics`: Prometheus text.
    Every route runs under `guard` (bot/web/errors.py): bad input is a 4xx page, a fault of
    ours a 500 page with a reference id; unparseable requests are one warning line."""

    async def healthz(_request: web.Request) -> web.Response:
        last: datetime | None = runtime.last_sync_at
        healthy = last is not None and clock() - last < STALE_AFTER
        body = {
            "status": "ok" if healthy else "stale",
            "last_sync": last.isoformat() if last else None,
        }
        return web.json_response(body, status=200 if healthy else 503)

    async def calendar(request: web.Request) -> web.Response:
        user = await repos.calendar_tokens.user_for(request.match_info["token"], clock())
        if user is None:
            raise web.HTTPNotFound()
        body = await feed_for(repos, settings, user)
        return web.Response(body=body, content_type="text/calendar", charset="utf-8")

    quiet_malformed_requests()
    app = web.Application(middlewares=[guard])
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/calendar/{token}.ics", calendar)
    pages = CollabPages(repos, plan, clock, settings.timezone, settings.user_id)
    page = MetricsPage(metrics, runtime, repos, plan, clock) if metrics is not None else None
    add_routes(app, pages, page)
    add_unsubscribe(app, repos)
    return app


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner
