"""The collaboration map, the records export and the web side on a real Synapse: officials of
three ministries talk and meet in a WG room; `!협업지도` posts an image and names the right
pairs; `!내보내기` posts files that match the records; `/healthz` and `/metrics` answer; a
dashboard link shows its owner's rooms only and stops working when revoked."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import DownloadResponse
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Bot
from bot.dev.synapse import HomeserverConfig, free_port
from commands.export.json_format import read_export
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Meeting
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.integration.conftest import SHIPPED_PLAN
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
EDGE = re.compile(r'<line class="edge" data-a="([^"]+)" data-b="([^"]+)"')


async def _until(check: Callable[[], Awaitable[Any]], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def _ask(who: Official, room_id: str, text: str, bot_user: str) -> str:
    asked = await who.send(room_id, text)
    return str((await who.wait_reply(room_id, asked, bot_user, timeout=30))["body"])


async def _reply(who: Official, room_id: str, target: str, body: str, **extra: Any) -> str:
    content = {"msgtype": "m.text", "body": body, **extra}
    content["m.relates_to"] = {"m.in_reply_to": {"event_id": target}}
    response = await who.client.room_send(room_id, "m.room.message", content)
    return str(response.event_id)


async def _file(who: Official, room_id: str, bot_user: str, suffix: str) -> tuple[dict, bytes]:
    """The newest file the bot posted whose name ends with `suffix`, and its bytes."""

    async def newest() -> dict[str, Any] | None:
        events = [
            e
            for e in await who.history(room_id)
            if e.get("sender") == bot_user and str(e["content"].get("body", "")).endswith(suffix)
        ]
        return events[-1] if events else None

    event = await _until(newest, 30, f"a {suffix} file")
    downloaded = await who.client.download(mxc=event["content"]["url"])
    assert isinstance(downloaded, DownloadResponse), downloaded
    return event["content"], downloaded.body


async def _dashboard(bot: Bot, who: Official, room_id: str, bot_user: str) -> str:
    """Ask for a dashboard link and read it from the DM, as the official would."""
    assert "개인 메시지" in await _ask(who, room_id, "!대시보드", bot_user)
    dm = await bot.repos.direct_rooms.get(who.user_id)
    assert dm is not None
    await who.join(dm)

    async def link() -> str | None:
        for event in reversed(await who.history(dm)):
            found = re.search(r"https?://\S+/collab/\S+", event["content"].get("body", ""))
            if found:
                return found.group(0)
        return None

    return str(await _until(link, 20, "the dashboard link"))


async def _get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def _prepare(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, data_dir: Path
) -> tuple[str, Any]:
    """A WG room for core task 1 (jung chairs; lee and han are members), known to the bot's
    database as that task's room before it starts."""
    jung, lee, han = officials["jung"], officials["lee"], officials["han"]
    room_id = await jung.create_room("WG 1 협업 시험", invite=[lee.user_id, han.user_id, bot_user])
    await lee.join(room_id)
    await han.join(room_id)
    settings = bot_settings(
        synapse, data_dir, PLAN_FILE=str(SHIPPED_PLAN), WEB_PORT=str(free_port())
    )
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    record = PlanRoomRecord("gov3", "core-01", room_id, "room", "#gov3-core-01:localhost")
    await Repositories.over(db).plan_rooms.save(record)
    await db.close()
    return room_id, settings


@dataclass
class Scene:
    """The running bot, its WG room and the officials in it."""

    bot: Bot
    room_id: str
    bot_user: str
    base: str
    jung: Official
    lee: Official
    han: Official

    async def ask(self, who: Official, text: str) -> str:
        return await _ask(who, self.room_id, text, self.bot_user)

    async def file(self, suffix: str) -> tuple[dict[str, Any], bytes]:
        return await _file(self.jung, self.room_id, self.bot_user, suffix)


async def _meet(s: Scene) -> Meeting:
    """A one-minute video meeting starting in a minute: lee accepts, han declines."""
    card = await s.ask(s.jung, f"!회의 add 1분 후 1m 예산 협의 {s.lee.user_id} {s.han.user_id}")
    assert "회의 #1" in card
    meeting = await s.bot.repos.meetings.by_number(s.room_id, 1)
    assert meeting is not None
    for who, key in ((s.lee, "✅"), (s.han, "❌")):
        relates = {"rel_type": "m.annotation", "event_id": meeting.announcement_event_id}
        content = {"m.relates_to": {**relates, "key": key}}
        await who.client.room_send(s.room_id, "m.reaction", content)
    return meeting


async def _talk(s: Scene) -> None:
    """Health and finance reply to each other twice; finance mentions NIA, who replies."""
    first = await s.jung.send(s.room_id, "예산안 초안을 공유합니다")
    second = await _reply(s.lee, s.room_id, first, "검토하겠습니다")
    await _reply(s.jung, s.room_id, second, "감사합니다")
    mention = {
        "msgtype": "m.text",
        "body": "한 선생님, 데이터 부탁드립니다",
        "m.mentions": {"user_ids": [s.han.user_id]},
    }
    asked = (await s.lee.client.room_send(s.room_id, "m.room.message", mention)).event_id
    await _reply(s.han, s.room_id, asked, "공유드리겠습니다")
    assert "A-1" in await s.ask(s.jung, "!결정 추가 예산 동결")
    assert "A-2" in await s.ask(s.jung, f'!할일 추가 "보고서 작성" {s.lee.user_id}')
    assert "의장" in await s.ask(s.lee, "!내보내기")


async def _check_map(s: Scene) -> None:
    summary = await s.ask(s.jung, "!협업지도")
    assert "1. 기획재정부 ↔ 보건복지부 4 (신규)" in summary
    assert "2. 기획재정부 ↔ 한국지능정보사회진흥원 2 (신규)" in summary
    image, png = await s.file(".png")
    assert image["msgtype"] == "m.image" and image["info"]["mimetype"] == "image/png"
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


async def _check_export(s: Scene) -> None:
    asked = await s.jung.send(s.room_id, "!내보내기 --format json")
    counts = (await s.jung.wait_reply(s.room_id, asked, s.bot_user, timeout=30))["body"]
    assert "결정 1, 할 일 1, 장애요인 0, 회의 1회" in counts
    info, data = await s.file(".json")
    assert info["msgtype"] == "m.file" and info["info"]["mimetype"] == "application/json"
    assert info["m.relates_to"] == {"m.in_reply_to": {"event_id": asked}}
    exported = read_export(data)
    records = s.bot.repos.records
    assert list(exported.decisions) == await records.decisions([s.room_id])
    assert list(exported.actions) == await records.actions([s.room_id], include_done=True)
    assert exported.meetings[0].held[0].attendees == (s.jung.user_id, s.lee.user_id)
    await s.ask(s.jung, "!내보내기")
    markdown = (await s.file(".md"))[1].decode("utf-8")
    assert "예산 동결" in markdown and "보고서 작성" in markdown and "예산 협의" in markdown


async def _check_operations(s: Scene) -> None:
    status, health = await _get(f"{s.base}/healthz")
    assert status == 200 and '"ok"' in health
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families((await _get(f"{s.base}/metrics"))[1])
        for sample in family.samples
    }
    commands = "sotong_commands_total"
    assert samples[(commands, (("command", "collab"), ("outcome", "ok")))] == 1
    assert samples[(commands, (("command", "export"), ("outcome", "denied")))] == 1
    assert samples[("sotong_events_processed_total", ())] >= 10
    reminders = {k[1][0][1] for k in samples if k[0] == "sotong_reminders_total"}
    assert reminders == {"sent", "late", "missed"}
    assert samples[("sotong_archive_messages", ())] >= 5


async def test_map_export_and_web_side(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    jung, lee, han, kim = (officials[n] for n in ("jung", "lee", "han", "kim"))
    room_id, settings = await _prepare(synapse, officials, bot_user, tmp_path)
    async with running_bot(settings, tmp_path, web=True) as bot:
        base = f"http://127.0.0.1:{settings.web_port}"
        scene = Scene(bot, room_id, bot_user, base, jung, lee, han)
        await jung.wait_membership(room_id, bot_user, "join")
        meeting = await _meet(scene)
        await _talk(scene)
        lee_link = await _dashboard(bot, lee, room_id, bot_user)
        side = await kim.create_room("잡담", invite=[bot_user])
        await kim.wait_membership(side, bot_user, "join")
        kim_link = await _dashboard(bot, kim, side, bot_user)
        end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        await asyncio.sleep(max((end - datetime.now(UTC)).total_seconds() + 2, 0))
        await _check_map(scene)
        await _check_export(scene)
        await _check_operations(scene)
        status, lee_page = await _get(lee_link)
        assert status == 200 and ("기획재정부", "보건복지부") in EDGE.findall(lee_page)
        status, kim_page = await _get(kim_link)
        assert status == 200 and EDGE.findall(kim_page) == [] and "data-ministry" not in kim_page
        assert "폐기했습니다" in await scene.ask(lee, "!대시보드 revoke")
        assert (await _get(lee_link))[0] == 404
        assert (await _get(kim_link))[0] == 200
