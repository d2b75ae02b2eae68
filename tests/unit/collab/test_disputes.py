"""Disagreements on the collaboration map: their own edges between ministry pairs, counted
apart from collaboration, in the chat summary, in the page's table and as dashed lines of the
map (Jinja2 template); a task scope keeps only its own WG's disagreements."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from commands.collab import PageView, collab_report, parse_period, render_page
from commands.collab.model import ALL, Scope
from storage.db import Database
from storage.records import NewRecord
from storage.repositories import Repositories
from tests.support.transcript import Transcript
from tests.unit.collab.test_transcript import JUNG, LEE, PLAN, WG1, WG2, at, seed

FINANCE, HEALTH, NIA = "기획재정부", "보건복지부", "한국지능정보사회진흥원"


async def _disputes(repos: Repositories) -> None:
    """In WG 1 this week: finance and health (open); finance, health and NIA (resolved on the
    26th). In WG 2: finance and Busan, closed before the week began."""
    add = repos.disputes.add
    await add(NewRecord("A", WG1, "예산 분담", LEE, at(25)), [FINANCE, HEALTH])
    settled = await add(NewRecord("A", WG1, "데이터", JUNG, at(24)), [HEALTH, FINANCE, NIA])
    await repos.disputes.close(settled.id, "resolved", "합의", JUNG, at(26))
    old = await add(NewRecord("B", WG2, "옛 쟁점", LEE, at(2)), [FINANCE, "부산광역시"])
    await repos.disputes.close(old.id, "withdrawn", None, LEE, at(3))


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    transcript.room_id = WG1
    await seed(repos, PLAN)
    await _disputes(repos)
    yield transcript
    await db.close()


async def test_the_chat_summary_counts_disagreements_apart(t: Transcript) -> None:
    [summary] = await t.send("!협업지도", sender=JUNG)
    body = summary.notice.body
    assert "1. 기획재정부 ↔ 보건복지부 4 (신규)" in body
    assert "부처 간 이견 (협업과 별도)" in body
    assert f"- {FINANCE} ↔ {HEALTH}: 이견 2 (진행 중 1)" in body
    assert f"- {FINANCE} ↔ {NIA}: 이견 1 (진행 중 0)" in body
    assert "부산광역시: 이견" not in body


async def test_the_page_draws_dispute_edges_and_lists_them(t: Transcript) -> None:
    repos = t.dispatcher.repos
    period = parse_period("week", t.now)
    report = await collab_report(repos, PLAN, period, ALL, now=t.now)
    edge = report.edge(FINANCE, HEALTH)
    assert edge is not None and edge.weight == 4  # disagreements add nothing to it
    html = render_page(report, PLAN, PageView("week", "", JUNG), "협업지도")
    assert f'<line class="dispute" data-a="{FINANCE}" data-b="{HEALTH}"' in html
    assert 'stroke-dasharray="6 4"' in html and "이견 2 (진행 중 1)" in html
    assert "<h2>부처 간 이견 (협업과 별도)</h2>" in html
    assert f"<td>{FINANCE} ↔ {HEALTH}</td><td>2</td><td>1</td>" in html
    scoped = await collab_report(repos, PLAN, period, Scope.of(PLAN, "core-02"), now=t.now)
    assert scoped.disputes == ()
