"""Roles are checked by the dispatcher; chair and admin commands are audited."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from bot.dispatch import IncomingMessage
from commands.basics import chat as core
from commands.basics import chat as core_module
from commands.errors import UserInputError
from commands.framework import Arg, Registry, Role, command, group
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import Transcript


def _number(raw: str) -> int:
    value = int(raw)
    if value <= 0:
        raise UserInputError("양수를 입력하세요.", "Give a positive number.")
    return value


@command("close", role=Role.CHAIR, args=(Arg("count", _number),), help_en="Chair only.")
async def close_cmd(ctx, count: int) -> None:  # type: ignore[no-untyped-def]
    """의장 전용."""
    await ctx.reply(f"closed {count}")


@command("purge", role=Role.ADMIN, help_en="Admin only.")
async def purge_cmd(ctx) -> None:  # type: ignore[no-untyped-def]
    """관리자 전용."""
    await ctx.reply("purged")


@command("boom", help_en="Fails.")
async def boom_cmd(ctx) -> None:  # type: ignore[no-untyped-def]
    """실패합니다."""
    raise RuntimeError("secret database password in exception text")


topic = group("topic", aliases=("주제",), help_ko="주제", help_en="Topics")


@topic.command(
    "add",
    aliases=("추가",),
    args=(Arg("title", rest=True), Arg("when", option=True, optional=True)),
)
async def topic_add(ctx, title: str, when: str | None) -> None:  # type: ignore[no-untyped-def]
    """주제를 추가합니다."""
    await ctx.reply(f"added {title!r} when={when}")


@pytest_asyncio.fixture
async def t(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    registry = Registry.collect([core, sys.modules[__name__]])
    transcript = Transcript(Repositories.over(db), registry=registry)
    rooms = transcript.dispatcher.repos.rooms
    for user in ("@kim:gov.kr", "@chair:gov.kr", "@admin:gov.kr"):
        await rooms.set_member(transcript.room_id, user, "join", None)
    await rooms.set_power_levels(transcript.room_id, {"@chair:gov.kr": 50}, 0)
    yield transcript
    await db.close()


async def test_member_is_refused_a_chair_command_and_it_is_audited(t: Transcript) -> None:
    body = await t.say_one("!close 3", sender="@kim:gov.kr")
    assert "의장(WG 의장) 권한이 필요합니다" in body and "needs the chair role" in body
    entries = await t.dispatcher.repos.audit.recent(t.room_id)
    assert [(e.user_id, e.command, e.outcome) for e in entries] == [
        ("@kim:gov.kr", "close", "denied")
    ]


async def test_chair_by_power_level_runs_it_and_it_is_audited(t: Transcript) -> None:
    assert await t.say_one("!close 3", sender="@chair:gov.kr") == "closed 3"
    entries = await t.dispatcher.repos.audit.recent(t.room_id)
    assert [(e.command, e.arguments, e.outcome) for e in entries] == [("close", "close 3", "ok")]


async def test_converter_error_shows_usage(t: Transcript) -> None:
    body = await t.say_one("!close -1", sender="@chair:gov.kr")
    assert "양수를 입력하세요." in body and body.endswith("Usage: !close COUNT")
    body = await t.say_one("!close many", sender="@chair:gov.kr")
    assert "'many' is not a valid count." in body


async def test_admin_role_comes_from_settings_not_power(t: Transcript) -> None:
    assert "관리자 권한이 필요합니다" in await t.say_one("!purge", sender="@chair:gov.kr")
    assert await t.say_one("!purge", sender="@admin:gov.kr") == "purged"
    assert await t.say_one("!close 1", sender="@admin:gov.kr") == "closed 1"


async def test_unexpected_error_gives_reference_not_exception_text(t: Transcript) -> None:
    body = await t.say_one("!boom")
    assert "참조 번호:" in body and "secret" not in body


async def test_subcommands_options_and_quoted_titles(t: Transcript) -> None:
    body = await t.say_one('!주제 추가 "예산 협의" 안건 --when 내일')
    assert body == "added '예산 협의 안건' when=내일"
    body = await t.say_one("!topic")
    assert "하위 명령을 골라 주세요." in body and body.endswith("Usage: !topic <add>")
    body = await t.say_one("!topic add")
    assert "TITLE 인자가 필요합니다." in body


async def test_unknown_option_is_rejected(t: Transcript) -> None:
    body = await t.say_one("!topic add x --colour red")
    assert "알 수 없는 옵션: --colour" in body


@command("slow", help_en="Waits.")
async def slow_cmd(ctx) -> None:  # type: ignore[no-untyped-def]
    """기다립니다."""
    await asyncio.sleep(30)


async def test_a_slow_command_does_not_hold_up_the_next_one(t: Transcript) -> None:
    dispatcher = t.dispatcher
    await dispatcher.on_message(IncomingMessage("$slow", t.room_id, "@kim:gov.kr", "!slow"))
    await dispatcher.on_message(IncomingMessage("$ping", t.room_id, "@kim:gov.kr", "!ping"))
    for _ in range(50):
        if t.messenger.sent:
            break
        await asyncio.sleep(0.01)
    assert [(s.reply_to, s.notice.body) for s in t.messenger.sent] == [("$ping", "pong")]
    await dispatcher.drain(timeout=0.1)


async def test_the_plans_chair_list_grants_the_chair_role(sqlite_url: str) -> None:
    from commands.plan.file import load_plan
    from storage.plan_rooms import PlanRoomRecord
    from tests.support.synapse import PROJECT_ROOT

    plan = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
    core = plan.core_tasks()[0]
    chair, member = core.wg.chairs[0], core.wg.members[0]
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    registry = Registry.collect([core_module, sys.modules[__name__]])
    transcript = Transcript(repos, registry=registry)
    transcript.dispatcher.plan = plan
    for user in (chair, member):
        await repos.rooms.set_member(transcript.room_id, user, "join", None)
    await repos.plan_rooms.save(
        PlanRoomRecord(plan.key, core.key, transcript.room_id, "room", "#gov3-x:gov.kr")
    )
    assert await transcript.say_one("!close 2", sender=chair) == "closed 2"
    assert "권한이 필요합니다" in await transcript.say_one("!close 2", sender=member)
    await db.close()
