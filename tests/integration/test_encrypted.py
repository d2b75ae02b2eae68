"""An encrypted WG room on a real Synapse: the bot decrypts, answers encrypted, and still
does after a restart (same device, same keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from nio import (
    AsyncClient,
    AsyncClientConfig,
    MatrixRoom,
    RoomCreateResponse,
    RoomMessageNotice,
    RoomSendResponse,
)

from bot.cli.provision import run_provision
from bot.dev.conversation import wait_membership
from bot.dev.synapse import HomeserverConfig, register_user
from commands.digests.items import format_day
from commands.digests.period import digest_at
from commands.plan.file import load_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.support.digests import AT, SEOUL, run_digest_job, settled_digest_day
from tests.support.officials import PASSWORD, Official, bot_settings, running_bot
from tests.support.plans import MINI

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
ENCRYPTION = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


class CryptoOfficial:
    """An official's own E2EE client: its own store, a sync loop, decrypted replies kept."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.replies: dict[str, dict[str, Any]] = {}
        self.notices: list[tuple[str, dict[str, Any]]] = []
        client.add_event_callback(self._on_notice, RoomMessageNotice)
        self.task = asyncio.create_task(client.sync_forever(timeout=3000))

    async def _on_notice(self, room: MatrixRoom, event: RoomMessageNotice) -> None:
        self.notices.append((room.room_id, event.source))
        relation = event.source.get("content", {}).get("m.relates_to") or {}
        target = (relation.get("m.in_reply_to") or {}).get("event_id")
        if target:
            self.replies[target] = event.source

    async def send(self, room_id: str, body: str) -> str:
        if self.client.should_query_keys:
            await self.client.keys_query()
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": body},
            ignore_unverified_devices=True,
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def until_in(self, room_id: str, timeout: float = 30) -> None:
        """Until a sync has brought the joined room (and whether it is encrypted)."""
        deadline = time.monotonic() + timeout
        while room_id not in self.client.rooms:
            assert time.monotonic() < deadline, f"{room_id} never synced"
            await asyncio.sleep(0.2)

    async def notice_containing(self, room_id: str, text: str, timeout: float = 30) -> str:
        """The decrypted body of the first notice in `room_id` that contains `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for room, source in self.notices:
                body = str(source.get("content", {}).get("body", ""))
                if room == room_id and text in body:
                    return body
            await asyncio.sleep(0.2)
        raise AssertionError(f"no decrypted notice with {text!r} in {room_id}")

    async def reply_to(self, event_id: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if event_id in self.replies:
                return self.replies[event_id]
            await asyncio.sleep(0.2)
        raise AssertionError(f"no decrypted reply to {event_id}")


async def _crypto_official(
    synapse: HomeserverConfig, user: str, store: Path, device_name: str
) -> CryptoOfficial:
    store.mkdir()
    client = AsyncClient(
        synapse.base_url,
        user,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True),
    )
    await client.login(PASSWORD, device_name=device_name)
    return CryptoOfficial(client)


async def _close(person: CryptoOfficial) -> None:
    person.client.stop_sync_forever()
    person.task.cancel()
    await person.client.close()


@pytest_asyncio.fixture(loop_scope="session")
async def official(synapse: HomeserverConfig, tmp_path: Path) -> AsyncIterator[CryptoOfficial]:
    user = await register_user(synapse.base_url, synapse.shared_secret, "crypto_kim", PASSWORD)
    person = await _crypto_official(synapse, user, tmp_path / "official-store", "official phone")
    yield person
    await _close(person)


async def _raw_events(client: AsyncClient, room_id: str) -> list[dict[str, Any]]:
    """The room's events as the server stores them (nio would decrypt them for us)."""
    url = f"{client.homeserver}/_matrix/client/v3/rooms/{room_id}/messages"
    headers = {"Authorization": f"Bearer {client.access_token}"}
    params = {"dir": "b", "limit": "100"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, params=params, headers=headers) as response,
    ):
        return list((await response.json())["chunk"])


async def _encrypted_room(official: CryptoOfficial, name: str, bot_user: str) -> str:
    created = await official.client.room_create(
        name=name, invite=[bot_user], initial_state=[ENCRYPTION]
    )
    assert isinstance(created, RoomCreateResponse)
    return created.room_id


async def test_commands_in_an_encrypted_room_across_a_restart(
    synapse: HomeserverConfig, official: CryptoOfficial, bot_user: str, tmp_path: Path
) -> None:
    settings = bot_settings(synapse, tmp_path / "bot")
    room_id = await _encrypted_room(official, "암호화 작업그룹", bot_user)
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
        e for e in await _raw_events(official.client, room_id) if e.get("sender") == bot_user
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
    room_id = await _encrypted_room(official, "새 기기 확인", bot_user)
    async with running_bot(settings, tmp_path / "bot") as bot:
        await wait_membership(official.client, room_id, bot_user, "join", timeout=30)
        await asyncio.sleep(1.5)
        before = await official.send(room_id, "!ping")
        assert (await official.reply_to(before))["content"]["body"] == "pong"

        user = official.client.user_id
        laptop = await _crypto_official(synapse, user, tmp_path / "laptop", "official laptop")
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
            await _close(laptop)


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
    kim = await _crypto_official(synapse, kim_id, tmp_path / "kim", "kim laptop")
    lee = await _crypto_official(synapse, lee_id, tmp_path / "lee", "lee laptop")
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
            for e in await _raw_events(kim.client, wg)
            if e.get("sender") == bot_user and "state_key" not in e
        ]
        assert sent and {e["type"] for e in sent} == {"m.room.encrypted"}
    finally:
        await _close(kim)
        await _close(lee)
