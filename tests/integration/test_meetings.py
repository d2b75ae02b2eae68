"""Meetings on a real Synapse with the real scheduler: announce, RSVP, remind, widget, restart."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from nio import RoomGetStateResponse

from bot.dev.synapse import HomeserverConfig
from commands.meetings.video import widget_id_for
from tests.support.officials import Official, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
WIDGETS = "im.vector.modular.widgets"


async def _wait(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def _bot_messages(who: Official, room_id: str, bot_user: str) -> list[dict[str, Any]]:
    return [
        e
        for e in await who.history(room_id)
        if e.get("sender") == bot_user and e.get("type") == "m.room.message"
    ]


async def _widget_states(who: Official, room_id: str) -> dict[str, dict[str, Any]]:
    """Widget state events by state key (an empty content is a removed widget)."""
    response = await who.client.room_get_state(room_id)
    assert isinstance(response, RoomGetStateResponse)
    return {e["state_key"]: e["content"] for e in response.events if e["type"] == WIDGETS}


async def test_meeting_lifecycle_with_a_restart_in_between(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim, lee = officials["kim"], officials["lee"]
    settings = bot_settings(synapse, tmp_path, MEETING_REMINDERS="1")
    room_id = await kim.create_room("회의 시험", invite=[lee.user_id, bot_user])
    await lee.join(room_id)
    async with running_bot(settings, tmp_path) as bot:
        await kim.wait_membership(room_id, bot_user, "join")
        power = await kim.client.room_get_state_event(room_id, "m.room.power_levels")
        content = dict(power.content)
        content["users"] = {**content.get("users", {}), bot_user: 50}
        await kim.client.room_put_state(room_id, "m.room.power_levels", content)
        refused = await lee.send(room_id, "!회의 add 내일 오후 2시 점검")
        assert "의장" in (await lee.wait_reply(room_id, refused, bot_user))["body"]
        asked = await kim.send(room_id, f"!회의 add 1분 후 1m 화상 점검 {lee.user_id}")
        card = await kim.wait_reply(room_id, asked, bot_user)
        assert "회의 #1: 화상 점검" in card["body"] and "KST" in card["body"]
        second = await kim.send(room_id, f"!회의 add 3분 후 30m 재시작 점검 {lee.user_id}")
        await kim.wait_reply(room_id, second, bot_user)
        third = await kim.send(room_id, "!회의 add 내일 오후 3시 취소될 회의")
        await kim.wait_reply(room_id, third, bot_user)
        assert any(j.startswith("meeting:3:") for j in await bot.scheduler.job_ids()), (
            await bot.scheduler.job_ids()
        )
        cancel = await kim.send(room_id, "!회의 cancel 3")
        await kim.wait_reply(room_id, cancel, bot_user)
        assert not any(j.startswith("meeting:3:") for j in await bot.scheduler.job_ids())
        announcement = next(
            e
            for e in await _bot_messages(kim, room_id, bot_user)
            if "회의 #1" in e["content"].get("body", "")
        )
        await lee.client.room_send(
            room_id,
            "m.reaction",
            {
                "m.relates_to": {
                    "rel_type": "m.annotation",
                    "event_id": announcement["event_id"],
                    "key": "✅",
                }
            },
        )
        first_widget = widget_id_for(f"{room_id}/1")

        async def widget_added() -> bool:
            return bool((await _widget_states(kim, room_id)).get(first_widget))

        await _wait(widget_added, 20, "the widget")
        shown = await kim.send(room_id, "!회의 show 1")
        assert f"참석 1: {lee.user_id}" in (await kim.wait_reply(room_id, shown, bot_user))["body"]
    await asyncio.sleep(10)
    async with running_bot(settings, tmp_path):
        await _wait(
            lambda: _find(kim, room_id, bot_user, "지금 시작합니다: 화상 점검"), 70, "starting now"
        )
        reminder = await _wait(
            lambda: _find(kim, room_id, bot_user, "회의 알림: 재시작 점검"),
            120,
            "the reminder due after the restart",
        )
        assert lee.user_id in reminder["content"]["m.mentions"]["user_ids"]

        async def widget_gone() -> bool:
            return (await _widget_states(kim, room_id)).get(first_widget) == {}

        await _wait(widget_gone, 70, "the widget removed after the meeting")
    messages = [e["content"].get("body", "") for e in await _bot_messages(kim, room_id, bot_user)]
    assert sum("회의 알림: 화상 점검" in m for m in messages) <= 1
    assert sum("회의 알림: 재시작 점검" in m for m in messages) == 1
    assert sum("지금 시작합니다: 화상 점검" in m for m in messages) == 1
    files = [e for e in await kim.history(room_id) if e["content"].get("msgtype") == "m.file"]
    assert files and files[0]["content"]["info"]["mimetype"] == "text/calendar"


async def _find(who: Official, room_id: str, bot_user: str, text: str) -> dict[str, Any] | None:
    for event in await _bot_messages(who, room_id, bot_user):
        if text in event["content"].get("body", ""):
            return event
    return None


async def test_an_invitee_picked_in_element_is_invited_and_kept_out_of_the_title(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    """Element sends a picked person as a pill: the display name in `body`, the link in
    `formatted_body`, the id in `m.mentions`."""
    kim, lee = officials["kim"], officials["lee"]
    room_id = await kim.create_room("회의 초대 시험", invite=[lee.user_id, bot_user])
    await lee.join(room_id)
    name = (await lee.client.get_displayname()).displayname
    command = "!회의 add 내일 오후 3시 1h 점검 "
    content = {
        "msgtype": "m.text",
        "body": command + name,
        "format": "org.matrix.custom.html",
        "formatted_body": f'{command}<a href="https://matrix.to/#/{lee.user_id}">{name}</a>',
        "m.mentions": {"user_ids": [lee.user_id]},
    }
    async with running_bot(bot_settings(synapse, tmp_path), tmp_path):
        await kim.wait_membership(room_id, bot_user, "join")
        sent = await kim.client.room_send(room_id, "m.room.message", content)
        card = await kim.wait_reply(room_id, sent.event_id, bot_user)
    assert card["body"].startswith("📅 회의 #1: 점검\n"), card["body"]
    assert name not in card["body"]
    assert card["m.mentions"]["user_ids"] == [lee.user_id]


async def _layout_widgets(who: Official, room_id: str) -> dict[str, Any]:
    response = await who.client.room_get_state_event(room_id, "io.element.widgets.layout")
    content = getattr(response, "content", None) or {}
    return dict(content.get("widgets", {}))


async def test_cancel_takes_the_widget_down_and_a_powerless_bot_says_what_it_needs(
    synapse: HomeserverConfig, officials: dict[str, Official], bot_user: str, tmp_path: Path
) -> None:
    kim = officials["kim"]
    settings = bot_settings(synapse, tmp_path, MEETING_REMINDERS="1")
    room_id = await kim.create_room("위젯 취소 시험", invite=[bot_user])
    powerless = await kim.create_room("권한 없는 방", invite=[bot_user])
    async with running_bot(settings, tmp_path):
        await kim.wait_membership(room_id, bot_user, "join")
        await kim.wait_membership(powerless, bot_user, "join")
        power = await kim.client.room_get_state_event(room_id, "m.room.power_levels")
        content = dict(power.content)
        content["users"] = {**content.get("users", {}), bot_user: 50}
        await kim.client.room_put_state(room_id, "m.room.power_levels", content)
        asked = await kim.send(room_id, "!회의 add 3분 후 30m 위젯 점검")
        await kim.wait_reply(room_id, asked, bot_user)
        widget_id = widget_id_for(f"{room_id}/1")

        async def pinned() -> bool:
            widget = (await _widget_states(kim, room_id)).get(widget_id)
            return bool(widget) and widget_id in await _layout_widgets(kim, room_id)

        await _wait(pinned, 20, "the widget pinned")
        cancel = await kim.send(room_id, "!회의 cancel 1")
        assert "취소" in (await kim.wait_reply(room_id, cancel, bot_user))["body"]

        async def taken_down() -> bool:
            widget = (await _widget_states(kim, room_id)).get(widget_id)
            return widget == {} and widget_id not in await _layout_widgets(kim, room_id)

        await _wait(taken_down, 20, "the widget removed on cancel")
        for title in ("첫 회의", "둘째 회의"):
            asked = await kim.send(powerless, f"!회의 add 3분 후 30m {title}")
            await kim.wait_reply(powerless, asked, bot_user)
        notice = await _wait(lambda: _find(kim, powerless, bot_user, "/op"), 30, "the power notice")
        assert f"/op {bot_user} 50" in notice["content"]["body"]
        assert kim.user_id in notice["content"]["m.mentions"]["user_ids"]
        await asyncio.sleep(3)
    messages = [e["content"].get("body", "") for e in await _bot_messages(kim, powerless, bot_user)]
    assert sum("/op" in m for m in messages) == 1
    assert not (await _widget_states(kim, powerless))
