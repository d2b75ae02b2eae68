"""Disagreements in the digests: the WG digest lists its open ones (parties, days open,
positions missing); the committee's lists, across core tasks, the escalated ones and those
open past DISPUTE_EXEC_DAYS, read from a real SQLite store."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.config import settings_from_mapping
from commands.digests.analysis import exec_row
from commands.digests.build import build_wg_digest
from commands.digests.executive import build_executive_digest
from commands.digests.gather import gather_wgs, wg_scopes
from commands.digests.model import DigestInput, Dispute, WgInfo
from commands.digests.period import digest_period
from commands.plan.file import load_plan
from storage.disputes import Position
from storage.records import NewRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV, seat_wg_room

SEOUL = ZoneInfo("Asia/Seoul")
TODAY = date(2026, 12, 28)
PERIOD = (datetime(2026, 12, 24, 8, 30, tzinfo=SEOUL), datetime(2026, 12, 28, 8, 30, tzinfo=SEOUL))
WG = WgInfo("reg", "규제혁신", "Regulation", "!wg:gov.kr", {})
PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")


def _dispute(
    label: str,
    opened: date,
    missing: tuple[str, ...] = (),
    escalated: bool = False,
    long_open: bool = False,
) -> Dispute:
    at = datetime(opened.year, opened.month, opened.day, 10, tzinfo=SEOUL)
    parties = ("기획재정부", "행정안전부")
    return Dispute(label, f"쟁점 {label}", parties, at, missing, escalated, long_open)


def test_the_wg_digest_lists_open_disputes() -> None:
    disputes = (_dispute("A-3", date(2026, 12, 22), missing=("행정안전부",)),)
    data = DigestInput(WG, *PERIOD, TODAY, (), disputes_open=disputes)
    digest = build_wg_digest(data)
    assert digest is not None
    assert "진행 중인 부처 간 이견" in digest.body
    line = "[A-3] 쟁점 A-3 — 기획재정부 ↔ 행정안전부 · 7일째 · 입장 없음: 행정안전부"
    assert line in digest.body


def test_the_executive_digest_lists_escalated_and_long_open_disputes() -> None:
    disputes = (
        _dispute("A-1", date(2026, 12, 1), long_open=True),
        _dispute("A-2", date(2026, 12, 27), escalated=True),
        _dispute("A-3", date(2026, 12, 27)),
    )
    data = DigestInput(WG, *PERIOD, TODAY, (), disputes_open=disputes)
    digest = build_executive_digest([exec_row(data, 0)], PERIOD)
    assert "위원회 상정·장기 미해결 이견" in digest.body
    assert "[규제혁신] [A-1] 쟁점 A-1 — 기획재정부 ↔ 행정안전부 · 28일째" in digest.body
    assert "[규제혁신] [A-2] 쟁점 A-2" in digest.body and "⬆ 위원회 상정" in digest.body
    assert "A-3" not in digest.body
    quiet = build_executive_digest([exec_row(DigestInput(WG, *PERIOD, TODAY, ()), 0)], PERIOD)
    assert "이견" not in quiet.body


async def test_gathering_reads_open_disputes_and_the_threshold(repos: Repositories) -> None:
    core = PLAN.core_tasks()[0]
    await seat_wg_room(repos, PLAN, core, "!wg:gov.kr")
    raised = datetime(2026, 12, 10, 10, tzinfo=SEOUL)
    new = NewRecord("A", "!wg:gov.kr", "데이터 공유", "@lee:localhost", raised)
    old = await repos.disputes.add(new, ["기획재정부", "행정안전부"])
    position = Position("기획재정부", "반대", "@lee:localhost", raised, None)
    await repos.disputes.state_position(old.id, position)
    recent = NewRecord(
        "A", "!wg:gov.kr", "예산", "@lee:localhost", datetime(2026, 12, 24, tzinfo=SEOUL)
    )
    await repos.disputes.add(recent, ["기획재정부", "보건복지부"])
    settings = settings_from_mapping({**BASE_ENV, "DISPUTE_EXEC_DAYS": "14"})
    period = digest_period(TODAY, time(8, 30), SEOUL)
    assert period is not None
    scopes = await wg_scopes(repos, PLAN)
    [data] = await gather_wgs(repos, settings, PLAN, scopes, period, TODAY)
    found = {(d.id_label, d.missing, d.long_open) for d in data.disputes_open}
    assert found == {("A-1", ("행정안전부",), True), ("A-2", ("기획재정부", "보건복지부"), False)}
