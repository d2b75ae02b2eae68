"""People picked in Element: the plain body holds only a display name, the formatted body a
pill linking to the id, `m.mentions` the id. Invitees, owners and reassignments take the
person from the pill, and the name never ends up in a title."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.event_fields import Pill, pills_in, with_pill_ids
from commands.plan.file import load_plan
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import Transcript, pill, wg_transcript

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
CORE = PLAN.core_tasks()[0]
CHAIR = CORE.wg.chairs[0]
LEE, HAN = "@lee:localhost", "@han:localhost"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    async with wg_transcript(sqlite_url, PLAN, CORE) as transcript:
        yield transcript


def test_pills_are_read_in_order_with_their_place() -> None:
    formatted = (
        f"lee 면담 {pill(LEE, 'lee')} &amp; {pill('%40han%3Alocalhost', '<b>한지호</b>')}<br>"
        f"<mx-reply><blockquote>{pill('@kim:localhost', 'kim')}</blockquote></mx-reply>"
    )
    assert pills_in(formatted) == (Pill(LEE, "lee", 1), Pill(HAN, "한지호", 0))
    assert pills_in('<a href="https://matrix.to/#/!room:localhost">room</a>') == ()


def test_only_the_pill_is_replaced_not_the_same_word_elsewhere() -> None:
    body = "!회의 add 내일 3시 lee 면담 lee"
    assert with_pill_ids(body, (Pill(LEE, "lee", 1),)) == f"!회의 add 내일 3시 lee 면담 {LEE}"
    assert with_pill_ids("!할일 담당 A-1 이지은님", (Pill(LEE, "이지은", 0),)) == (
        f"!할일 담당 A-1 {LEE} 님"
    )
    assert with_pill_ids("!ping", (Pill(LEE, "lee", 0),)) == "!ping"


def test_hostile_markup_yields_no_pills_and_no_error() -> None:
    """Unclosed tags and stray brackets (the scan is linear: html.parser took over a minute
    on 60 KB of this, measured by hand, so it is not used)."""
    assert pills_in("<a " * 30_000 + "<" * 30_000) == ()
    assert pills_in('<a href="https://matrix.to/#/@x:y">' * 3 + "</a>") == ()
    assert pills_in('<a href="https://matrix.to/#/@x:y">x</a>') == (Pill("@x:y", "x", 0),)


async def test_meeting_invitee_picked_in_element(t: Transcript) -> None:
    body = "!회의 add 내일 오후 3시 1h 점검 이지은"
    replies = await t.send(
        body,
        sender=CHAIR,
        formatted=f"!회의 add 내일 오후 3시 1h 점검 {pill(LEE, '이지은')}",
        mentions=(LEE,),
    )
    [card] = [r for r in replies if "회의 #1" in r.notice.body]
    assert card.notice.body.startswith("📅 회의 #1: 점검\n")
    assert card.notice.mentions == (LEE,)
    [stored] = await t.dispatcher.repos.meetings.scheduled([t.room_id])
    assert stored.title == "점검" and LEE in stored.invitees


async def test_a_name_also_used_as_a_word_stays_in_the_title(t: Transcript) -> None:
    formatted = f"!회의 add 내일 오후 3시 lee 면담 {pill(LEE, 'lee')}"
    await t.send("!회의 add 내일 오후 3시 lee 면담 lee", sender=CHAIR, formatted=formatted)
    [stored] = await t.dispatcher.repos.meetings.scheduled([t.room_id])
    assert stored.title == "lee 면담" and LEE in stored.invitees


async def test_meeting_invite_picked_in_element(t: Transcript) -> None:
    await t.send("!회의 add 내일 오후 3시 점검", sender=CHAIR)
    name = "한지호 (한국지능정보사회진흥원)"
    await t.send(
        f"!회의 invite 1 {name}", sender=CHAIR, formatted=f"!회의 invite 1 {pill(HAN, name)}"
    )
    [stored] = await t.dispatcher.repos.meetings.scheduled([t.room_id])
    assert HAN in stored.invitees and stored.title == "점검"


async def test_action_owner_and_reassignment_picked_in_element(t: Transcript) -> None:
    formatted = f'!할일 추가 "예산 검토" {pill(LEE, "이지은")} 기한 12월 4일'
    [added] = await t.send(
        '!할일 추가 "예산 검토" 이지은 기한 12월 4일', sender=CHAIR, formatted=formatted
    )
    assert added.notice.mentions == (LEE,) and "예산 검토" in added.notice.body
    [handed] = await t.send(
        "!할일 담당 A-1 한지호", sender=CHAIR, formatted=f"!할일 담당 A-1 {pill(HAN, '한지호')}"
    )
    assert handed.notice.mentions == (HAN,)
    [action] = await t.dispatcher.repos.records.actions([t.room_id])
    assert action.owners == (HAN,) and action.text == "예산 검토"
