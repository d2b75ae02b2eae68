"""Keyword arguments are spelled either way: `--due 금요일`, `--기한 금요일`, `기한 금요일`;
the Korean usage line shows the Korean form, the English one the `--name`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from commands.errors import UserInputError
from commands.framework import Arg, bind, tokenize
from commands.meetings.recurrence import Recurrence
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import Transcript

KIM, LEE, CHAIR = "@kim:gov.kr", "@lee:gov.kr", "@chair:gov.kr"
TITLED = (
    Arg("title", rest=True),
    Arg("every", Recurrence.parse, option=True, optional=True, words=("반복",)),
    Arg("due", option=True, rest=True, optional=True, words=("기한", "due"), metavar="WHEN"),
    Arg("room", flag=True, words=("방",)),
)


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    transcript = Transcript(Repositories.over(db))
    rooms = transcript.dispatcher.repos.rooms
    for user in (KIM, LEE, CHAIR):
        await rooms.set_member(transcript.room_id, user, "join", None)
    await rooms.set_power_levels(transcript.room_id, {CHAIR: 50}, 0)
    yield transcript
    await db.close()


@pytest.mark.parametrize(
    "text",
    [
        "점검 --due 다음 주 금요일",
        "점검 --기한 다음 주 금요일",
        "점검 기한 다음 주 금요일",
        "점검 due 다음 주 금요일 --방",
        "--방 점검 --due 다음 주 금요일",
    ],
)
def test_every_spelling_of_a_keyword_binds_the_same(text: str) -> None:
    found = bind(TITLED, tokenize(text))
    assert (found["title"], found["due"]) == ("점검", "다음 주 금요일")


def test_a_bare_word_whose_value_does_not_convert_stays_text() -> None:
    found = bind(TITLED, tokenize("주간 반복 업무 점검 반복 격주"))
    assert found["title"] == "주간 반복 업무 점검" and found["every"] == Recurrence.parse("격주")
    with pytest.raises(UserInputError, match="Unknown repeat interval"):
        bind(TITLED, tokenize("점검 --반복 업무"))


def test_usage_in_korean_shows_the_korean_form() -> None:
    shown = [(a.usage("ko"), a.usage("en")) for a in TITLED[1:]]
    assert shown == [
        ("[반복 EVERY]", "[--every EVERY]"),
        ("[기한 WHEN…]", "[--due WHEN…]"),
        ("[--방]", "[--room]"),
    ]


async def test_action_due_by_option_or_korean_word(t: Transcript) -> None:
    body = await t.say_one('!할일 추가 "보고서 작성" lee --due 12월 4일')
    assert body == "할 일 추가 R-1: 보고서 작성\n담당: @lee:gov.kr\n기한: 2026-12-04 (금)"
    assert "기한: 2026-12-04 (금)" in await t.say_one('!할일 추가 "초안" --기한 12월 4일')
    body = await t.say_one("!할일 추가")
    assert "사용법: !action add TEXT [@OWNER…] [기한 WHEN…]" in body
    assert body.endswith("Usage: !action add TEXT [@OWNER…] [--due WHEN…]")


async def test_meeting_repeat_and_decision_since_by_korean_word(t: Transcript) -> None:
    await t.send("!회의 add 내일 오후 2시 주간 점검 반복 매주", sender=CHAIR)
    [series] = await t.dispatcher.repos.meetings.scheduled()
    assert (series.title, series.recurrence) == ("주간 점검", "week")
    await t.send("!결정 추가 예산 동결")
    assert "예산 동결" in await t.say_one("!결정 목록 부터 어제")
