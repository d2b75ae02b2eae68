"""The web side's personal pages and metrics: `/collab/{token}` and `/metrics`.

A token opens the page of the user it was issued to, and the page covers only the rooms that
user is a member of now (the membership table, kept current by the sync): the messages,
meetings and the part of the plan's tree those rooms stand for. Unknown, expired and revoked
tokens all get the same 404, so a probe learns nothing. Filters that name no period or task,
or are absurdly long, get a 400 page that explains why (Korean, then English) and keeps the
form. Pages are never cached and send no referrer (the token is in the URL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from aiohttp import web

from bot.web.metrics import CONTENT_TYPE, MetricsPage
from commands.collab import (
    PageView,
    collab_report,
    map_title,
    message_page,
    parse_period,
    render_invalid,
    render_page,
    resolve_scope,
    room_tasks,
    visible_plan,
)
from commands.errors import CommandError, UserInputError
from commands.plan import Plan
from storage.repositories import Repositories

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
}
GONE_TITLE = "링크를 열 수 없습니다 (link not available)"
GONE_TEXT = (
    "링크가 없거나 만료되었거나 폐기되었습니다. 채팅에서 !대시보드 로 새 링크를 받으세요. "
    "Unknown, expired or revoked link: ask for a new one with !dashboard."
)

FILTERS = ("period", "custom", "task")
MAX_VALUE = 100


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=body, status=status, content_type="text/html", charset="utf-8", headers=PAGE_HEADERS
    )


def read_view(query: Mapping[str, str], user: str) -> PageView:
    """The filters a request asks for (a typed-in period wins over the chosen one); values are
    cut to `MAX_VALUE` for the form, `check_lengths` refuses longer ones."""
    values = {name: (query.get(name) or "").strip()[:MAX_VALUE] for name in FILTERS}
    period = values["custom"] or values["period"] or "week"
    return PageView(period=period, task=values["task"], user=user)


def check_lengths(query: Mapping[str, str]) -> None:
    """UserInputError for a filter longer than anyone types."""
    for name in FILTERS:
        if len((query.get(name) or "").strip()) > MAX_VALUE:
            raise UserInputError(
                f"입력값이 너무 깁니다: {name} (최대 {MAX_VALUE}자)",
                f"The value of {name} is too long (at most {MAX_VALUE} characters).",
            )


class CollabPages:
    """Handlers of the personal map page."""

    def __init__(
        self,
        repos: Repositories,
        plan: Plan | None,
        clock: Callable[[], datetime],
        tz: str,
        bot_user: str,
    ) -> None:
        self.repos, self.plan, self.clock, self.tz, self.bot_user = repos, plan, clock, tz, bot_user

    async def page(self, request: web.Request) -> web.Response:
        now = self.clock()
        user = await self.repos.dashboard_tokens.user_for(request.match_info["token"], now)
        if user is None or self.plan is None:
            return _html(message_page(GONE_TITLE, GONE_TEXT), status=404)
        rooms = set(await self.repos.rooms.rooms_of(user))
        seen = visible_plan(self.plan, await room_tasks(self.repos, self.plan), rooms)
        view = read_view(request.query, user)
        try:
            check_lengths(request.query)
            period = parse_period(view.period, now, self.tz)
            scope = resolve_scope(seen, view.task)
        except CommandError as error:
            bad = replace(view, error=f"{error.ko}\n{error.en}")
            return _html(render_invalid(seen, bad), status=400)
        report = await collab_report(
            self.repos, seen, period, scope, now=now, rooms=rooms, ignore=(self.bot_user,)
        )
        body = await asyncio.to_thread(render_page, report, seen, view, map_title(report, seen))
        return _html(body)


def add_routes(app: web.Application, pages: CollabPages, metrics: MetricsPage | None) -> None:
    """`/collab/{token}`, and `/metrics` when the bot keeps metrics."""
    app.router.add_get("/collab/{token}", pages.page)
    if metrics is not None:

        async def metrics_handler(_request: web.Request) -> web.Response:
            body = await metrics.render()
            return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

        app.router.add_get("/metrics", metrics_handler)
