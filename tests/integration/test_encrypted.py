"""An encrypted WG room on a real Synapse: the bot decrypts, answers encrypted, and still
does after a restart (same device, same keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from bot.cli.provision import run_provision
from bot.dev.conversation import wait_membership
from bot.dev.synapse import HomeserverConfig, register_user
from commands.digests.items import format_day
from commands.digests.period import digest_at
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.support.crypto_officials import (
    CryptoOfficial,
    close_official,
    crypto_official,
    encrypted_room,
    raw_events,
)
from tests.support.digests import AT, SEOUL, run_digest_job, settled_digest_day
from tests.support.officials import PASSWORD, Official, bot_settings, running_bot
from tests.support.plans import MINI

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(loop_scope="session")
async def official(synapse: HomeserverConfig, tmp_path: Path) -> AsyncIterator[CryptoOfficial]:
    user = await register_user(synapse.base_url, synapse.shared_secret, "crypto_kim", PASSWORD)
    person = await crypto_official(synapse, user, tmp_path / "official-store", "official phone")
    yield person
    await close_official(person)


async def test_commands_in_an_encrypted_room_across_a_restart(
    synapse: HomeserverConfig, official: CryptoOfficial, bot_user: str, tmp_path: Path
) -> None:
    settings = bot_settings(synapse, tmp_path / "bot")
    room_id = await encrypted_room(official, "암호화 작업그룹", bot_user)
    async with running_bot(settings, tmp_path / "bot") as bot:
        device = bot.client.device_id
        await wait_membership(official.client, room_id, bot_user, "join", timeout=30)
        await asyncio.sleep(1.5)
        asked = await official.send(room_id, "!도움말")
        reply = await official.reply_to(asked)
        assert "소통 봇 명령어" in reply["content"]["body"]
        meeting = await official.send(room_id, "!회의 add 내일 오후 2시 보안 점검")
        assert "회의 #1: 보안 점검" in (await official.reply_to(meeting))["content"]["body"]
    bot_events = [
        e for e in await raw_events(official.client, room_id) if e.get("sender") == bot_user
    ]
    kinds = {e["type"] for e in bot_events}
    assert "m.room.encrypted" in kinds and "m.room.message" not in kinds
    async with running_bot(settings, tmp_path / "bot") as bot:
        assert bot.client.device_id == device
        again = await official.send(room_id, "!ping")
        assert (await official.reply_to(again))["content"]["body"] == "pong"


async def test_a_members_new_device_reads_the_bots_next_reply(
    synapse: HomeserverConfig, official: CryptoOfficial, bot_user: str, tmp_path: Path
) -> None:
    """The bot's room key already went to the official's phone; a laptop logged in later
    must get it too, or the official cannot read the bot there."""
    settings = bot_settings(synapse, tmp_path / "bot")
    room_id = await encrypted_room(official, "새 기기 확인", bot_user)
    async with running_bot(settings, tmp_path / "bot") as bot:
        await wait_membership(official.client, room_id, bot_user, "join", timeout=30)
        await asyncio.sleep(1.5)
        before = await official.send(room_id, "!ping")
        assert (await official.reply_to(before))["content"]["body"] == "pong"

        user = official.client.user_id
        laptop = await crypto_official(synapse, user, tmp_path / "laptop", "official laptop")
        try:
            deadline = time.monotonic() + 30
            while laptop.client.device_id not in {
                d.id for d in bot.client.device_store.active_user_devices(user)
            }:
                assert time.monotonic() < deadline, "the bot never saw the laptop's keys"
                await asyncio.sleep(0.2)
            after = await official.send(room_id, "!ping")
            assert (await official.reply_to(after))["content"]["body"] == "pong"
            assert (await laptop.reply_to(after))["content"]["body"] == "pong"
        finally:
            await close_official(laptop)


async def test_a_digest_in_an_encrypted_wg_room_reaches_its_members_encrypted(
    synapse: HomeserverConfig,
    officials: dict[str, Official],
    bot_user: str,
    tmp_path: Path,
) -> None:
    """Plans provision encrypted rooms by default, so that is where digests are posted."""
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(MINI.replace('key = "demo"', 'key = "e2ed"', 1))
    plan = load_plan(plan_file)
    assert plan.encrypted
    settings = bot_settings(synapse, tmp_path / "bot", PLAN_FILE=str(plan_file))
    assert await run_provision(settings, plan_file, False, False, tmp_path / "bot") == 0
    db = Database(settings.database_url)
    wg = (await PlanRoomRepository(db).all("e2ed"))["core-01"].room_id
    await db.close()
    kim_id, lee_id = officials["kim"].user_id, officials["lee"].user_id
    kim = await crypto_official(synapse, kim_id, tmp_path / "kim", "kim laptop")
    lee = await crypto_official(synapse, lee_id, tmp_path / "lee", "lee laptop")
    day = await settled_digest_day()
    clock = digest_at(day, AT, SEOUL) + timedelta(seconds=5)
    try:
        for person in (kim, lee):
            await person.client.join(wg)
            await person.until_in(wg)
        async with running_bot(settings, tmp_path / "bot") as bot:
            asked = await kim.send(wg, f'!할일 추가 "보안 점검 <보고서>" {lee_id} 기한 오늘')
            assert "할 일 추가 A-1" in (await kim.reply_to(asked))["content"]["body"]
            await lee.send(wg, "보고서 초안을 공유합니다")
            ping = await lee.send(wg, "!ping")  # answered after the message before it is kept
            assert (await lee.reply_to(ping))["content"]["body"] == "pong"
            await run_digest_job(bot, clock, day)
            title = f"{plan.core_tasks()[0].name_ko} 일일 요약 · {format_day(day, 'ko')}"
            body = await lee.notice_containing(wg, title)
        assert "보안 점검 <보고서>" in body and "참여 1명" in body
        sent = [
            e
            for e in await raw_events(kim.client, wg)
            if e.get("sender") == bot_user and "state_key" not in e
        ]
        assert sent and {e["type"] for e in sent} == {"m.room.encrypted"}
    finally:
        await close_official(kim)
        await close_official(lee)
