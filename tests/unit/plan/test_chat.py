"""`!과제` outside the plan's rooms names the plan that is actually loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest_asyncio

from commands.plan.file import parse_plan
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.plans import MINI
from tests.support.transcript import Transcript


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    yield Transcript(Repositories.over(db))
    await db.close()


async def test_a_room_outside_the_plan_is_told_which_plan_is_loaded(t: Transcript) -> None:
    t.dispatcher.plan = parse_plan(MINI)
    body = await t.say_one("!과제")
    assert "시험 계획" in body and "Test plan" in body
    assert "정부3.0" not in body


async def test_without_a_plan_the_reply_says_none_is_configured(t: Transcript) -> None:
    t.dispatcher.plan = None
    body = await t.say_one("!구성원")
    assert "PLAN_FILE" in body and "정부3.0" not in body


async def test_task_shows_the_rooms_mail_address_when_mail_is_on(t: Transcript) -> None:
    t.dispatcher.plan = parse_plan(MINI)
    record = PlanRoomRecord("demo", "core-01", t.room_id, "room", "#demo-core-01:localhost")
    await t.dispatcher.repos.plan_rooms.save(record)
    assert "메일 주소" not in await t.say_one("!과제")
    t.settings = replace(t.settings, mail_domain="mail.example.go.kr", mail_listen=":2525")
    t.dispatcher.settings = t.settings
    assert "메일 주소: demo-core-01@mail.example.go.kr" in await t.say_one("!과제")
