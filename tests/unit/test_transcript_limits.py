"""Long input and long output: clear refusals, nothing stored, nothing lost to the size limit.

The recording messenger refuses an event over the size limit as Synapse does (M_TOO_LARGE),
so a reply that would vanish on a real homeserver fails these tests too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from commands.event_size import CONTENT_LIMIT, json_bytes
from commands.render import Notice, relate
from storage.db import Database
from storage.records import NewRecord
from storage.repositories import Repositories
from tests.support.transcript import RecordingMessenger, Sent, Transcript

KIM = "@kim:gov.kr"
BIDI = "\u202e"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    await transcript.dispatcher.on_member(transcript.room_id, KIM, "join", "김민수")
    yield transcript
    await db.close()


def _size(sent: Sent) -> int:
    content = sent.notice.content()
    relate(content, sent.reply_to, sent.thread_root)
    return json_bytes(content)


async def test_a_60000_character_search_is_refused_with_the_usage(t: Transcript) -> None:
    body = await t.say_one("!검색 " + "가" * 60_000)
    assert "4,000자 이내" in body and "under 4,000 characters" in body
    assert "Usage: !search" in body
    assert len(body) < 1_000


async def test_a_search_with_nothing_found_echoes_a_cut_query(t: Transcript) -> None:
    body = await t.say_one("!검색 " + "없는말" * 1_000)
    assert "결과가 없습니다" in body and "Nothing found" in body
    assert "…" in body and len(body) < 800


async def test_an_unknown_long_command_word_is_cut_in_the_reply(t: Transcript) -> None:
    body = await t.say_one("!" + "x" * 3_000)
    assert "Unknown command" in body and len(body) < 400


async def test_an_action_over_the_record_limit_is_refused_and_not_stored(t: Transcript) -> None:
    body = await t.say_one(f'!할일 add "{"예산" * 1_500}"')
    assert "2,000자 이내" in body and "Keep it under 2,000" in body
    assert await t.dispatcher.repos.records.actions([t.room_id], include_done=True) == []
    body = await t.say_one('!할일 add "예산 초안 검토"')
    assert "예산 초안 검토" in body


async def test_one_very_long_stored_item_does_not_break_the_list(t: Transcript) -> None:
    """An item stored before the limits existed (20,000 characters) is cut in the list."""
    records = t.dispatcher.repos.records
    new = NewRecord("", t.room_id, "긴 항목 " + "가" * 20_000, KIM, t.now)
    await records.add_action(new, [], None)
    await records.add_action(NewRecord("", t.room_id, "짧은 항목", KIM, t.now), [], None)
    [reply] = await t.send("!할일 list")
    assert "짧은 항목" in reply.notice.body and "긴 항목 " in reply.notice.body
    assert "…" in reply.notice.body and len(reply.notice.body) < 1_000


async def test_bidi_controls_never_reach_the_room(t: Transcript) -> None:
    replies = await t.send(f"!검색 abc{BIDI}def")
    replies += await t.send(f"!{BIDI}도움말")
    assert replies and all(BIDI not in r.notice.body + r.notice.html for r in replies)
    assert any("abcdef" in r.notice.body for r in replies)


async def test_a_reply_too_large_for_one_event_arrives_in_numbered_parts(t: Transcript) -> None:
    """Straight through the messenger the dispatcher uses: parts fit, with their own txn ids."""
    lines = [f"{n}행: " + "보고서 내용 " * 40 for n in range(250)]
    messenger = t.dispatcher.messenger
    counts = []
    for encrypted in (False, True):
        if encrypted:
            t.messenger.encrypted_rooms.add(t.room_id)
        before = len(t.messenger.sent)
        await messenger.send_notice(t.room_id, Notice.plain("\n".join(lines)), "$cmd", None, "tx")
        parts = t.messenger.sent[before:]
        assert len(parts) > 1 and all(_size(p) <= CONTENT_LIMIT for p in parts)
        assert [p.txn_id for p in parts] == ["tx", *(f"tx.p{n}" for n in range(2, len(parts) + 1))]
        assert [line for p in parts for line in p.notice.body.split("\n")[1:]] == lines
        counts.append(len(parts))
    assert counts[1] > counts[0]  # megolm's base64 leaves less room per event


class _RefusingOnce(RecordingMessenger):
    """A homeserver that refuses the first event it is sent (as with M_TOO_LARGE)."""

    async def send_notice(self, *args: object, **kwargs: object) -> str:
        if not getattr(self, "refused", False):
            self.refused = True
            raise RuntimeError("M_UNKNOWN: refused")
        return await super().send_notice(*args, **kwargs)  # type: ignore[arg-type]


async def test_a_reply_the_homeserver_refuses_ends_in_a_short_error_not_silence(
    sqlite_url: str,
) -> None:
    db = Database(sqlite_url)
    try:
        t = Transcript(Repositories.over(db))
        refusing = _RefusingOnce()
        t.messenger = refusing
        t.dispatcher.messenger.inner = refusing
        [reply] = await t.send("!핑")
        assert "참조 번호" in reply.notice.body and "Reference" in reply.notice.body
    finally:
        await db.close()


async def test_a_meeting_title_over_the_limit_is_refused_not_cut(t: Transcript) -> None:
    await t.dispatcher.repos.rooms.set_power_levels(t.room_id, {KIM: 100}, 0)
    body = await t.say_one("!회의 add 내일 오후 3시 1h " + "점검" * 200)
    assert "255자 이내" in body and "Usage: !meeting add" in body
    assert await t.dispatcher.repos.meetings.in_rooms([t.room_id]) == []
