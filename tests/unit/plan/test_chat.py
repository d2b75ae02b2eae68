"""`!과제` outside the plan's rooms names the plan that is actually loaded."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from commands.plan.file import parse_plan
from storage.db import Database
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
