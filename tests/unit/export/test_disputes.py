"""Disagreements in the disclosure export: each with its parties, every position stated (the
current one and the history), escalation and outcome, in Markdown, CSV and JSON; the JSON
reads back to the same records, and an export written before disagreements existed still
reads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from commands.export.json_format import read_export, write_export
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, seat_wg_room

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
JUNG, LEE, HAN, YOON = (f"@{name}:localhost" for name in ("jung", "lee", "han", "yoon"))
COMMITTEE = "!committee:localhost"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    await seat_wg_room(repos, PLAN, CORE, transcript.room_id)
    alias = f"#{PLAN.key}-committee:localhost"
    await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, "committee", COMMITTEE, "room", alias))
    await transcript.send(
        '!이견 추가 "데이터 | 공유" 당사자 기획재정부 @han:localhost', sender=YOON
    )
    await transcript.send("!이견 입장 A-1 전면 공유 반대", sender=LEE)
    transcript.now += timedelta(hours=1)
    await transcript.send("!이견 입장 A-1 부분 공유 가능", sender=LEE)
    await transcript.send("!이견 입장 A-1 전면 공유 필요", sender=HAN)
    await transcript.send("!이견 상정 A-1", sender=JUNG)
    await transcript.send("!이견 조정 A-1 비식별 정보만 공유", sender=JUNG)
    await transcript.send('!이견 추가 "철회될 쟁점" 당사자 기획재정부 보건복지부', sender=LEE)
    await transcript.send("!이견 철회 A-3", sender=LEE)
    yield transcript
    await db.close()


async def test_markdown_lists_disputes_with_positions_and_outcome(t: Transcript) -> None:
    body = await t.say_one("!내보내기", sender=JUNG)
    assert "이견 2" in body
    text = t.messenger.files[-1][2].decode("utf-8")
    assert "## 부처 간 이견 (Disagreements) (2)" in text
    row = (
        "| A-1 | resolved (상정) | 기획재정부, 한국지능정보사회진흥원 | 데이터 \\| 공유 | "
        "기획재정부: 부분 공유 가능<br>한국지능정보사회진흥원: 전면 공유 필요 | "
        "비식별 정보만 공유 |"
    )
    assert row in text
    assert "| A-3 | withdrawn | 기획재정부, 보건복지부 | 철회될 쟁점 |  |  |" in text


async def test_csv_has_a_row_per_dispute_and_per_position(t: Transcript) -> None:
    await t.say_one("!export --format csv", sender=JUNG)
    data = t.messenger.files[-1][2]
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    [dispute] = [r for r in rows if r["kind"] == "dispute" and r["ref"] == "A-1"]
    assert dispute["status"] == "resolved" and dispute["closed_by"] == JUNG
    assert "parties=기획재정부 | 한국지능정보사회진흥원" in dispute["details"]
    assert "outcome=비식별 정보만 공유; decision=A-2" in dispute["details"]
    positions = [(r["text"], r["details"]) for r in rows if r["kind"] == "dispute_position"]
    assert positions == [
        ("전면 공유 반대", "ministry=기획재정부; current=no"),
        ("부분 공유 가능", "ministry=기획재정부; current=yes"),
        ("전면 공유 필요", "ministry=한국지능정보사회진흥원; current=yes"),
    ]


async def test_json_round_trip_and_an_older_export_still_reads(t: Transcript) -> None:
    await t.say_one("!export --format json", sender=JUNG)
    data = t.messenger.files[-1][2]
    exported = read_export(data)
    stored = await t.dispatcher.repos.disputes.disputes([t.room_id], include_closed=True)
    assert exported.disputes == tuple(stored)
    assert exported.disputes[0].escalation_room_id == COMMITTEE
    assert write_export(read_export(write_export(exported))) == write_export(exported)
    document = json.loads(data)
    del document["export"]["disputes"]
    older = read_export(json.dumps(document))
    assert older.disputes == () and older.decisions == exported.decisions
