"""`!회의 feed [revoke]` through the real dispatcher and a real SQLite store: the link comes by
DM with its expiry, a new one replaces the old, and `revoke` ends it at once. The transcript's
clock is a fixed datetime (2026-11-27 10:00 KST)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from bot.config import settings_from_mapping
from commands.plan.file import load_plan
from storage.db import Database
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV, Transcript, seat_wg_room

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
MEMBER = CORE.wg.members[0]


@pytest_asyncio.fixture
async def repos(sqlite_url: str) -> AsyncIterator[Repositories]:
    db = Database(sqlite_url)
    yield Repositories.over(db)
    await db.close()


async def _transcript(repos: Repositories, **env: str) -> Transcript:
    transcript = Transcript(repos, settings=settings_from_mapping({**BASE_ENV, **env}))
    transcript.dispatcher.plan = PLAN
    await seat_wg_room(repos, PLAN, CORE, transcript.room_id)
    return transcript


@pytest_asyncio.fixture
async def t(repos: Repositories) -> Transcript:
    return await _transcript(repos)


async def _feed(t: Transcript, text: str = "!회의 feed") -> tuple[str, str, str]:
    """The DM's body, the room reply's body and the token in the link."""
    replies = await t.send(text, sender=MEMBER)
    [dm] = [r.notice.body for r in replies if r.room_id == f"!dm-{MEMBER}"]
    [reply] = [r.notice.body for r in replies if r.room_id == t.room_id]
    return dm, reply, dm.split("/calendar/")[1].split(".ics")[0]


async def test_the_link_comes_by_dm_and_says_when_it_expires(t: Transcript) -> None:
    dm, reply, token = await _feed(t)
    assert "2027-11-27 (토) 10:00 KST까지 유효" in dm and "이전 주소는 폐기" in dm
    assert "개인 메시지로 보냈습니다" in reply and "2027-11-27 (토) 10:00 KST" in reply
    tokens = t.dispatcher.repos.calendar_tokens
    assert await tokens.user_for(token, t.now + timedelta(days=364)) == MEMBER
    assert await tokens.user_for(token, t.now + timedelta(days=365)) is None


async def test_a_new_link_revokes_the_older_one(t: Transcript) -> None:
    _, _, first = await _feed(t)
    t.now += timedelta(days=30)
    _, _, second = await _feed(t, "!회의 구독")
    tokens = t.dispatcher.repos.calendar_tokens
    assert first != second
    assert await tokens.user_for(first, t.now) is None
    assert await tokens.user_for(second, t.now) == MEMBER


async def test_revoke_ends_the_link_at_once_and_says_when_there_was_none(t: Transcript) -> None:
    _, _, token = await _feed(t)
    body = await t.say_one("!회의 feed revoke", sender=MEMBER)
    assert "캘린더 구독 주소를 폐기했습니다" in body
    assert await t.dispatcher.repos.calendar_tokens.user_for(token, t.now) is None
    body = await t.say_one("!회의 구독 폐기", sender=MEMBER)
    assert body == "유효한 캘린더 구독 주소가 없습니다."


async def test_feed_and_revoke_in_english(t: Transcript) -> None:
    t.with_language("en")
    assert await t.say_one("!meeting feed revoke", sender=MEMBER) == (
        "You have no live calendar feed link."
    )
    dm, reply, _ = await _feed(t, "!meeting feed")
    assert "valid until 2027-11-27 (Sat) 10:00 KST" in dm and "older links revoked" in dm
    assert reply == "Sent to you by direct message (valid until 2027-11-27 (Sat) 10:00 KST)."
    body = await t.say_one("!meeting feed revoke", sender=MEMBER)
    assert body.startswith("Your calendar feed link is revoked")


async def test_an_unknown_action_is_refused_and_no_link_is_sent(t: Transcript) -> None:
    replies = await t.send("!회의 feed 삭제해줘", sender=MEMBER)
    assert [r.room_id for r in replies] == [t.room_id]
    assert "revoke" in replies[0].notice.body


async def test_help_for_meetings_shows_feed_and_revoke(t: Transcript) -> None:
    body = await t.say_one("!도움말 회의")
    [line] = [x for x in body.splitlines() if x.startswith("!meeting feed")]
    assert line.startswith("!meeting feed [ACTION] — ") and "revoke" in line


async def test_the_lifetime_is_a_setting(repos: Repositories) -> None:
    t = await _transcript(repos, CALENDAR_FEED_DAYS="30")
    dm, _, token = await _feed(t)
    assert "2026-12-27 (일) 10:00 KST까지 유효" in dm
    tokens = t.dispatcher.repos.calendar_tokens
    assert await tokens.user_for(token, t.now + timedelta(days=30)) is None
