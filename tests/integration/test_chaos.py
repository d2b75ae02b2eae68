"""Chaos on a real Synapse: hostile events between normal commands, and a restart mid-way.

Three officials send 200 normal commands interleaved with 200 hostile events (wrong JSON
types in relations, mentions and formatted bodies, 60 KB bodies, control and bidi
characters, unknown msgtypes and event types, oversized commands). The bot is stopped and
started again half-way. Every command, normal or hostile, is answered exactly once; no
reply the homeserver refused; hostile fields are counted in `/metrics`; `/healthz` is 200.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from nio import RoomSendResponse

from bot.dev.conversation import history, replies_by_target
from bot.dev.synapse import HomeserverConfig, free_port
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.fault, pytest.mark.asyncio(loop_scope="session")]
NORMAL = 200
HOSTILE = 200
NORMAL_COMMANDS = ("!핑", "!ping", "!도움말 핑", "!상태", "!검색 예산")
BIDI = "\u202e\u2066"


def _text(body: object, **extra: object) -> tuple[str, dict[str, Any]]:
    return "m.room.message", {"msgtype": "m.text", "body": body, **extra}


def _hostile_contents(rng: random.Random) -> list[tuple[str, dict[str, Any], bool]]:
    """(event type, content, is a command the bot must answer), HOSTILE of them."""
    deep = {"a": [1, {"b": None}] * 50}
    kinds = [
        (*_text("답장", **{"m.relates_to": {"m.in_reply_to": "$x"}}), False),
        (*_text("!핑", **{"m.relates_to": "문자열"}), True),
        (*_text("관계", **{"m.relates_to": {"rel_type": "m.thread", "event_id": deep}}), False),
        (*_text("!도움말", **{"m.mentions": {"user_ids": ["kim", "@" + "x" * 300]}}), True),
        (*_text("!핑", formatted_body='<a href="https://matrix.to/#/%40">' * 500), True),
        (*_text("서식", format="org.matrix.custom.html", formatted_body={"html": 1}), False),
        (*_text("!ping", formatted_body=None), True),
        (*_text("x" * 60_000), False),
        (*_text("!검색 " + "y" * 59_000), True),
        (*_text("!" + "z" * 3_000), True),
        (*_text(f"제어\x00\x07\x1b[31m{BIDI}역방향"), False),
        (*_text(f"!검색 {BIDI}없는말\x07"), True),
        ("m.room.message", {"msgtype": "m.unknown.kind", "body": "!핑"}, False),
        (*_text(""), False),
        (*_text("!핑", **{"m.relates_to": {"m.in_reply_to": {"event_id": ["$a"]}}}), True),
        (*_text("편집", **{"m.relates_to": {"rel_type": "m.replace", "event_id": 7}}), False),
        ("m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": ["$x"]}}, False),
        ("org.example.chaos", {"anything": [1, None, True, {"deep": "값" * 100}]}, False),
    ]
    return [kinds[rng.randrange(len(kinds))] for _ in range(HOSTILE)]


async def _send_raw(official: Official, room_id: str, event_type: str, content: dict) -> str | None:
    """The event id, or None where Synapse refuses the content itself: what it refuses, the
    bot never sees (it refuses a non-string body or msgtype, and `m.mentions` with non-string
    ids makes its push rules fail with a 500)."""
    response = await official.client.room_send(room_id, event_type, content)
    if isinstance(response, RoomSendResponse):
        return response.event_id
    assert getattr(response, "transport_response", None) is not None
    assert response.transport_response.status in {400, 500}, response
    print("refused by Synapse:", str(content)[:100])
    return None


async def _send_all(
    officials: list[Official], room_id: str, plan: list[tuple[int, str, dict, bool]]
) -> list[tuple[str, bool]]:
    """Each official sends its share in order; (event id, must be answered) for each."""

    async def share(index: int) -> list[tuple[str, bool]]:
        mine = [item for item in plan if item[0] == index]
        sent = [
            (await _send_raw(officials[index], room_id, kind, content), answer)
            for _, kind, content, answer in mine
        ]
        return [(event_id, answer) for event_id, answer in sent if event_id is not None]

    results = await asyncio.gather(*(share(i) for i in range(len(officials))))
    return [item for result in results for item in result]


def _plan(rng: random.Random, officials: int) -> list[tuple[int, str, dict, bool]]:
    normal = [
        ("m.room.message", {"msgtype": "m.text", "body": NORMAL_COMMANDS[i % 5]}, True)
        for i in range(NORMAL)
    ]
    mixed = normal + _hostile_contents(rng)
    rng.shuffle(mixed)
    return [(rng.randrange(officials), kind, content, answer) for kind, content, answer in mixed]


async def _wait_answers(reader: Official, room_id: str, bot: str, wanted: list[str]) -> dict:
    deadline = time.monotonic() + 180
    while True:
        replies = replies_by_target(await history(reader.client, room_id, 3_000), bot)
        if all(e in replies for e in wanted) or time.monotonic() > deadline:
            return replies
        await asyncio.sleep(2)


async def test_hostile_events_and_a_restart_never_silence_the_bot(
    synapse: HomeserverConfig,
    officials: dict[str, Official],
    bot_user: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    kim, lee, park = officials["kim"], officials["lee"], officials["park"]
    room_id = await kim.create_room("혼돈 시험", invite=[lee.user_id, park.user_id, bot_user])
    await lee.join(room_id)
    await park.join(room_id)
    port = free_port()
    settings = bot_settings(synapse, tmp_path, FLOOD_RATE="0", WEB_PORT=str(port))
    plan = _plan(random.Random(20261206), 3)
    half = len(plan) // 2
    caplog.set_level(logging.WARNING)
    async with running_bot(settings, tmp_path):
        await kim.wait_membership(room_id, bot_user, "join", timeout=30)
        sent = await _send_all([kim, lee, park], room_id, plan[:half])
        await _wait_answers(kim, room_id, bot_user, [e for e, answer in sent if answer])
    sent += await _send_all([kim, lee, park], room_id, plan[half:])  # while it is down
    async with running_bot(settings, tmp_path, web=True):
        commands = [e for e, answer in sent if answer]
        replies = await _wait_answers(kim, room_id, bot_user, commands)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/metrics") as response:
                metrics = await response.text()
            async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                health = response.status
    missing = [e for e in commands if e not in replies]
    doubled = [e for e in commands if len(replies.get(e, [])) > 1]
    print(f"commands: {len(commands)}, lost: {len(missing)}, answered twice: {len(doubled)}")
    assert len(sent) == NORMAL + HOSTILE  # Synapse delivered every hostile event
    assert len(commands) > NORMAL and missing == [] and doubled == []
    refused = [r.getMessage() for r in caplog.records if "too large" in r.getMessage().lower()]
    assert refused == [] and "M_TOO_LARGE" not in caplog.text
    assert 'sotong_events_malformed_total{field="m.relates_to"}' in metrics
    assert 'sotong_events_malformed_total{field="formatted_body"}' in metrics
    assert health == 200
