"""Transcripts through the real dispatcher: help, ping, status, errors, roles, audit."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest_asyncio

from bot.config import settings_from_mapping
from bot.dispatch import IncomingMessage
from commands.basics import chat as core
from commands.context import Context
from commands.framework import Registry, command
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import BASE_ENV, Transcript


@pytest_asyncio.fixture
async def t(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    await transcript.dispatcher.on_member(transcript.room_id, "@kim:gov.kr", "join", "김민수")
    yield transcript
    await db.close()


async def test_help_lists_commands_in_korean_with_aliases(t: Transcript) -> None:
    body = await t.say_one("!도움말")
    assert "소통 봇 명령어" in body
    assert "!help (!도움말, !도움)" in body and "!ping" in body and "!status" in body
    assert "봇이 응답하는지 확인합니다." in body


async def test_help_in_english_when_configured(t: Transcript) -> None:
    body = await t.with_language("en").say_one("!help")
    assert "Sotong commands" in body and "Check that the bot answers." in body


async def test_help_for_one_command_shows_its_usage(t: Transcript) -> None:
    body = await t.say_one("!help help")
    assert body.startswith("!help [COMMAND] — ")


async def test_ping_replies_pong_as_threaded_notice(t: Transcript) -> None:
    replies = await t.send("!ping", event_id="$cmd1", thread_root="$root")
    assert [r.notice.body for r in replies] == ["pong"]
    assert replies[0].reply_to == "$cmd1" and replies[0].thread_root == "$root"
    content = replies[0].notice.content()
    assert content["msgtype"] == "m.notice" and content["formatted_body"] == "pong"
    assert t.dispatcher.metrics.value("sotong_command_duration_seconds_count") == 1


async def test_status_shows_version_uptime_sync_and_rooms(t: Transcript) -> None:
    await t.dispatcher.on_member(t.room_id, t.settings.user_id, "join", None)
    body = await t.say_one("!상태")
    assert "버전: " in body and "가동 시간: 0분 0초" in body
    assert "참여한 방: 1" in body


async def test_unknown_command_suggests_the_closest(t: Transcript) -> None:
    body = await t.say_one("!pnig")
    assert "알 수 없는 명령어입니다: !pnig" in body and "!ping" in body
    assert "Unknown command: !pnig. Did you mean !ping?" in body


async def test_leftover_argument_gets_usage_in_both_languages(t: Transcript) -> None:
    body = await t.say_one("!ping now please")
    assert "남는 인자가 있습니다: now please" in body
    assert "Unexpected arguments: now please" in body
    assert body.endswith("사용법 / Usage: !ping")


async def test_unbalanced_quotes_are_a_clear_error(t: Transcript) -> None:
    body = await t.say_one('!help "ping')
    assert "따옴표가 닫히지 않았습니다." in body


async def test_same_event_twice_is_answered_once(t: Transcript) -> None:
    first = await t.send("!ping", event_id="$dup")
    second = await t.send("!ping", event_id="$dup")
    assert len(first) == 1 and second == []


async def test_own_messages_and_plain_chat_are_not_answered(t: Transcript) -> None:
    assert await t.send("!ping", sender=t.settings.user_id) == []
    assert await t.send("회의 자료 공유합니다") == []


async def test_user_text_is_escaped_in_html(t: Transcript) -> None:
    replies = await t.send("!<b>x</b>")
    assert "<b>" not in replies[0].notice.html and "&lt;b&gt;" in replies[0].notice.html


async def test_help_for_a_group_lists_its_subcommands(t: Transcript) -> None:
    body = await t.say_one("!도움말 회의")
    assert body.startswith("!meeting <")
    assert "!meeting add SPEC…" in body and "!meeting cancel ID" in body


async def test_a_flooding_user_is_slowed_politely_and_others_are_not(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    settings = settings_from_mapping({**BASE_ENV, "FLOOD_BURST": "3", "FLOOD_RATE": "20"})
    t = Transcript(Repositories.over(db), settings=settings)
    for index in range(8):
        await t.dispatcher.on_message(
            IncomingMessage(f"$f{index}", t.room_id, "@flood:gov.kr", "!ping")
        )
    await t.dispatcher.on_message(IncomingMessage("$calm", t.room_id, "@calm:gov.kr", "!ping"))
    await asyncio.sleep(0.05)
    answered_early = [s.reply_to for s in t.messenger.sent if s.reply_to]
    assert "$calm" in answered_early and "$f7" not in answered_early
    await t.dispatcher.drain()
    replies = [s.reply_to for s in t.messenger.sent if s.reply_to]
    assert sorted(replies) == sorted([f"$f{i}" for i in range(8)] + ["$calm"])
    warnings = [s for s in t.messenger.sent if s.reply_to is None]
    assert len(warnings) == 1 and warnings[0].notice.mentions == ("@flood:gov.kr",)
    assert "천천히" in warnings[0].notice.body
    await db.close()


async def test_the_next_sync_waits_for_quick_answers_but_not_for_a_slow_command(
    sqlite_url: str,
) -> None:
    release = asyncio.Event()

    @command("slow", help_en="Waits until released.")
    async def slow(ctx: Context) -> None:
        """풀릴 때까지 기다립니다."""
        await release.wait()
        await ctx.reply("done")

    registry = Registry.collect([core, SimpleNamespace(slow=slow)])  # type: ignore[list-item]
    db = Database(sqlite_url)
    t = Transcript(Repositories.over(db), registry=registry)
    try:
        for event_id, body in (("$quick", "!ping"), ("$slow", "!slow")):
            message = IncomingMessage(event_id, t.room_id, "@kim:gov.kr", body)
            await t.dispatcher.on_message(message)
        await t.dispatcher.let_commands_answer(limit=0.2)
        assert [s.notice.body for s in t.messenger.sent] == ["pong"]
        await t.dispatcher.let_commands_answer(limit=0.2)  # nothing new: returns at once
        release.set()
        await t.dispatcher.drain()
        assert [s.notice.body for s in t.messenger.sent] == ["pong", "done"]
    finally:
        await db.close()


async def test_a_replayed_batch_skips_handled_commands_and_resends_read_only_replies_unchanged(
    sqlite_url: str,
) -> None:
    """A batch replayed after a crash: a command that may change state was claimed and is
    skipped; a read-only one starts while its claim is written, so it answers again — with
    the first reply's transaction id, which the homeserver recognises and drops."""
    before = Database(sqlite_url)
    first = Transcript(Repositories.over(before))
    [pong] = await first.send("!ping", event_id="$ping")
    assert len(await first.send("!pnig", event_id="$typo")) == 1
    assert await first.send("!ping", event_id="$ping") == []  # a repeat in the same process
    await before.close()
    after = Database(sqlite_url)
    second = Transcript(Repositories.over(after))
    try:
        assert await second.send("!pnig", event_id="$typo") == []
        [again] = await second.send("!ping", event_id="$ping")
        assert again.txn_id is not None and again.txn_id == pong.txn_id
        assert await second.send("!ping", event_id="$ping") == []
    finally:
        await after.close()
