"""Daily digests on a real Synapse: officials talk and keep records in a provisioned WG room,
the digest job runs against the running bot's services with a fixed clock (the next digest
moment, so today's messages fall in its period), and its posts are read back as officials see
them: the WG digest with its sections, the committee's executive digest next to the escalated
blocker, the subscriber's DM; after a restart the same job and the start-up catch-up post
nothing more (the restarted bot runs on the fixed clock, so its own start-up catch-up sees
the digest day as today).
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import app
from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig
from commands.digests.items import format_day
from commands.digests.period import digest_at
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.integration.conftest import SHIPPED_PLAN
from tests.support.digests import AT, SEOUL, run_digest_job, settled_digest_day
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def _bot_texts(who: Official, room_id: str, bot_user: str) -> list[dict[str, Any]]:
    return [
        e["content"]
        for e in await who.history(room_id)
        if e.get("sender") == bot_user and e.get("type") == "m.room.message"
    ]


async def _ask(who: Official, room_id: str, text: str, bot_user: str) -> str:
    asked = await who.send(room_id, text)
    return str((await who.wait_reply(room_id, asked, bot_user, timeout=20))["body"])


async def _talk(officials: dict[str, Official], wg: str, committee: str, bot_user: str) -> None:
    """A thread, a mention of Lee, an action for Lee, a decision, an escalated blocker."""
    jung, lee, han = officials["jung"], officials["lee"], officials["han"]
    root = await jung.send(wg, "다음 주 예산 협의 일정 공유합니다")
    for who, text in ((lee, "확인했습니다"), (han, "저도 참석합니다")):
        thread = {"rel_type": "m.thread", "event_id": root, "is_falling_back": True}
        content = {"msgtype": "m.text", "body": text, "m.relates_to": thread}
        await who.client.room_send(wg, "m.room.message", content)
    mention = {
        "msgtype": "m.text",
        "body": "이지은 님, 통계 자료 확인 부탁드립니다",
        "m.mentions": {"user_ids": [lee.user_id]},
    }
    await jung.client.room_send(wg, "m.room.message", mention)
    added = await _ask(
        jung, wg, f'!할일 추가 "예산안 <초안> 작성" {lee.user_id} 기한 오늘', bot_user
    )
    assert "할 일 추가 A-1" in added
    assert "결정 A-2" in await _ask(jung, wg, "!결정 추가 예산 동결", bot_user)
    assert "장애 제기 A-3" in await _ask(lee, wg, "!장애 추가 서버 용량 부족", bot_user)
    assert "상정했습니다" in await _ask(jung, wg, "!장애 상정 A-3", bot_user)
    assert "개인 요약" in await _ask(lee, wg, "!요약 구독", bot_user)
    texts = [c.get("body", "") for c in await _bot_texts(officials["kim"], committee, bot_user)]
    assert any("장애 상정 A-3" in t and "서버 용량 부족" in t for t in texts)


async def test_digest_job_posts_once_across_a_restart(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(SHIPPED_PLAN.read_text().replace('key = "gov3"', 'key = "dgst"', 1))
    plan = load_plan(plan_file)
    settings = bot_settings(synapse, tmp_path, PLAN_FILE=str(plan_file))
    assert await run_provision(settings, plan_file, False, False, tmp_path) == 0
    db = Database(settings.database_url)
    records = await PlanRoomRepository(db).all("dgst")
    await db.close()
    wg, committee = records["core-01"].room_id, records["committee"].room_id
    for name in ("jung", "lee", "han"):
        await officials[name].join(wg)
    await officials["kim"].join(committee)
    core = plan.core_tasks()[0]
    day = await settled_digest_day()
    clock = digest_at(day, AT, SEOUL) + timedelta(seconds=5)
    title = f"{core.name_ko} 일일 요약 · {format_day(day, 'ko')}"
    jung, lee = officials["jung"], officials["lee"]
    async with running_bot(settings, tmp_path) as bot:
        await _talk(officials, wg, committee, bot_user)
        await run_digest_job(bot, clock, day)
        dm = await bot.repos.direct_rooms.get(lee.user_id)
    [digest] = [c for c in await _bot_texts(jung, wg, bot_user) if title in c.get("body", "")]
    body = digest["body"]
    for heading in ("활동", "주요 스레드", "새 결정", "할 일", "미해결 장애"):
        assert f"\n{heading}\n" in body, heading
    assert "예산 동결" in body and "서버 용량 부족" in body and "⬆ 위원회 상정" in body
    assert "참여 3명" in body and "기획재정부: 1명" in body
    assert "예산안 &lt;초안&gt; 작성" in digest["formatted_body"]
    assert lee.user_id in digest["m.mentions"]["user_ids"]
    executive = f"핵심과제 현황 · {format_day(day, 'ko')}"
    [summary] = [
        c for c in await _bot_texts(officials["kim"], committee, bot_user) if executive in c["body"]
    ]
    assert f"• {core.name_ko}: 메시지 4" in summary["body"]
    assert dm is not None
    await lee.join(dm)
    personal = [c["body"] for c in await _bot_texts(lee, dm, bot_user)]
    assert any("답하지 않은 멘션" in b and "통계 자료 확인" in b for b in personal), personal
    monkeypatch.setattr(app, "utc_now", lambda: clock)
    async with running_bot(settings, tmp_path) as bot:
        await run_digest_job(bot, clock, day)
        await asyncio.sleep(2)
    again = [c for c in await _bot_texts(jung, wg, bot_user) if title in c.get("body", "")]
    assert len(again) == 1
    summaries = await _bot_texts(officials["kim"], committee, bot_user)
    assert sum(executive in c["body"] for c in summaries) == 1
    assert len(await _bot_texts(lee, dm, bot_user)) == len(personal)
