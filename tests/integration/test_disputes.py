"""A disagreement between ministries on a real Synapse, across the WG and committee rooms: raised
in the WG room between finance and NIA, a position from each, escalated by the WG chair (the
committee room gets both positions side by side), resolved by the committee chair from the
committee room; the WG room is told, mentioning the parties' members, and the outcome is a WG
decision."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.integration.conftest import SHIPPED_PLAN
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def _ask(who: Official, room_id: str, text: str, bot_user: str) -> str:
    asked = await who.send(room_id, text)
    return str((await who.wait_reply(room_id, asked, bot_user, timeout=20))["body"])


async def _bot_texts(who: Official, room_id: str, bot_user: str) -> list[dict[str, Any]]:
    return [
        e["content"]
        for e in await who.history(room_id)
        if e.get("sender") == bot_user and e.get("type") == "m.room.message"
    ]


async def test_a_dispute_from_add_through_escalate_to_resolve(
    synapse: HomeserverConfig, bot_user: str, officials: dict[str, Official], tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(SHIPPED_PLAN.read_text().replace('key = "gov3"', 'key = "dspt"', 1))
    settings = bot_settings(synapse, tmp_path, PLAN_FILE=str(plan_file))
    assert await run_provision(settings, plan_file, False, False, tmp_path) == 0
    db = Database(settings.database_url)
    records = await PlanRoomRepository(db).all("dspt")
    await db.close()
    wg, committee = records["core-01"].room_id, records["committee"].room_id
    jung, lee, han, yoon, kim = (officials[n] for n in ("jung", "lee", "han", "yoon", "kim"))
    for official in (jung, lee, han, yoon):
        await official.join(wg)
    await kim.join(committee)
    async with running_bot(settings, tmp_path):
        added = await _ask(
            lee, wg, f'!이견 추가 "데이터 공유 범위" 당사자 기획재정부 {han.user_id}', bot_user
        )
        assert "이견 제기 A-1" in added and "기획재정부, 한국지능정보사회진흥원" in added
        refused = await _ask(yoon, wg, "!이견 입장 A-1 반대", bot_user)
        assert "당사 부처(기획재정부, 한국지능정보사회진흥원) 구성원만" in refused
        assert "입장 기록 A-1" in await _ask(lee, wg, "!이견 입장 A-1 부분 공유", bot_user)
        assert "입장 기록 A-1" in await _ask(han, wg, "!이견 입장 A-1 전면 공유", bot_user)
        assert "권한" in await _ask(lee, wg, "!이견 상정 A-1", bot_user)
        assert "상정했습니다" in await _ask(jung, wg, "!이견 상정 A-1", bot_user)
        [posted] = [
            c
            for c in await _bot_texts(kim, committee, bot_user)
            if "이견 상정 A-1" in c.get("body", "")
        ]
        assert "- 기획재정부: 부분 공유" in posted["body"]
        assert "- 한국지능정보사회진흥원: 전면 공유" in posted["body"]
        assert "<table>" in posted["formatted_body"]
        assert kim.user_id in posted["m.mentions"]["user_ids"]
        resolved = await _ask(kim, committee, '!이견 조정 A-1 "비식별 정보만 공유"', bot_user)
        assert "이견 조정 A-1" in resolved and "결정: A-2" in resolved
        told = [
            c for c in await _bot_texts(lee, wg, bot_user) if "이견 조정 A-1" in c.get("body", "")
        ]
        assert told and set(told[0]["m.mentions"]["user_ids"]) == {lee.user_id, han.user_id}
        decisions = await _ask(jung, wg, "!결정 목록", bot_user)
        assert "A-2" in decisions and "이견 A-1 조정: 비식별 정보만 공유" in decisions
        assert "조정 완료" in await _ask(jung, wg, "!이견 목록 전체", bot_user)
