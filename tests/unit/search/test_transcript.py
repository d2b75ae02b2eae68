"""`!검색` through the real dispatcher and a real SQLite archive: paging, filters, escaping."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from bot.dispatch import IncomingMessage
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import Transcript

OTHER_ROOM = "!other:gov.kr"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    rooms = transcript.dispatcher.repos.rooms
    for room in (transcript.room_id, OTHER_ROOM):
        await rooms.set_member(room, "@kim:gov.kr", "join", None)
        await rooms.set_name(room, "예산 작업그룹" if room == transcript.room_id else "다른 방")
    await rooms.set_member("!secret:gov.kr", "@lee:gov.kr", "join", None)
    yield transcript
    await db.close()


async def _say(t: Transcript, room: str, sender: str, body: str, minutes_ago: int) -> None:
    sent = t.now - timedelta(minutes=minutes_ago)
    message = IncomingMessage(f"${room}{minutes_ago}{sender}", room, sender, body, sent_at=sent)
    await t.dispatcher.on_message(message)


async def test_search_pages_with_more(t: Transcript) -> None:
    for index in range(12):
        await _say(t, t.room_id, "@lee:gov.kr", f"예산 회의 메모 {index}", 100 - index)
    first = await t.say_one("!검색 예산")
    assert "예산 회의 메모 11" in first and "예산 회의 메모 2" in first
    assert "예산 회의 메모 1\n" not in first and "더 보기: !검색 더" in first
    second = await t.say_one("!검색 더")
    assert "예산 회의 메모 1" in second and "예산 회의 메모 0" in second
    assert "11." in second and "더 보기" not in second
    assert "더 이상 결과가 없습니다" in await t.say_one("!검색 더")


async def test_search_never_shows_rooms_the_asker_is_not_in(t: Transcript) -> None:
    await _say(t, "!secret:gov.kr", "@lee:gov.kr", "기밀 예산 보고", 5)
    await _say(t, OTHER_ROOM, "@lee:gov.kr", "공개 예산 보고", 6)
    body = await t.say_one("!검색 예산 보고")
    assert "공개 예산 보고" in body and "기밀" not in body
    assert "다른 방" in body


async def test_room_and_sender_filters(t: Transcript) -> None:
    await _say(t, OTHER_ROOM, "@lee:gov.kr", "안전 점검 결과", 5)
    await _say(t, t.room_id, "@park:gov.kr", "안전 점검 일정", 6)
    body = await t.say_one("!search 안전 --room")
    assert "안전 점검 일정" in body and "안전 점검 결과" not in body
    body = await t.say_one("!검색 안전 --by lee")
    assert "안전 점검 결과" in body and "안전 점검 일정" not in body


async def test_from_date_filter_and_html_escaping(t: Transcript) -> None:
    await _say(t, t.room_id, "@lee:gov.kr", "<b>회의</b> 오래전", 60 * 24 * 10)
    await _say(t, t.room_id, "@lee:gov.kr", "<b>회의</b> 최근", 5)
    replies = await t.send("!검색 회의 --from 어제")
    assert "최근" in replies[0].notice.body and "오래전" not in replies[0].notice.body
    html = replies[0].notice.html
    assert (
        "<b>회의</b>" in html
        and "&lt;b&gt;" in html
        and "<b>&lt;" not in html.replace("<b>회의</b>", "")
    )


async def test_nothing_found_is_a_clear_reply(t: Transcript) -> None:
    body = await t.say_one("!검색 없는단어")
    assert "'없는단어'에 대한 결과가 없습니다." in body


async def test_commands_are_not_archived(t: Transcript) -> None:
    await t.send("!검색 검색")
    assert await t.dispatcher.repos.archive.count() == 0


async def test_a_query_without_a_two_letter_word_gets_usage(t: Transcript) -> None:
    body = await t.say_one("!검색 회")
    assert body.startswith("⚠️") and "Usage: !search" in body
