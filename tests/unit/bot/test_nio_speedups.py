"""nio with one validator per schema: events are judged exactly as before (a malformed one is
still a BadEvent, a good one parses), and a busy sync no longer builds a validator per event."""

from __future__ import annotations

from typing import Any

import nio.schemas
import pytest
from nio import BadEvent, RoomMessageNotice, SyncResponse

from bot import nio_speedups


def notice(number: int, body: Any = "pong") -> dict[str, Any]:
    return {
        "type": "m.room.message",
        "event_id": f"$e{number}:gov.kr",
        "sender": "@bot:gov.kr",
        "origin_server_ts": 1_764_000_000_000,
        "content": {"msgtype": "m.notice", "body": body},
    }


def sync_with(events: list[dict[str, Any]]) -> SyncResponse:
    room = {"timeline": {"events": events, "limited": False, "prev_batch": "p0"}}
    response = SyncResponse.from_dict({"next_batch": "s1", "rooms": {"join": {"!r:gov.kr": room}}})
    assert isinstance(response, SyncResponse), response
    return response


def test_events_are_judged_as_nio_judges_them() -> None:
    nio_speedups.install()
    events = sync_with([notice(1), notice(2, body=7)]).rooms.join["!r:gov.kr"].timeline.events
    assert isinstance(events[0], RoomMessageNotice) and events[0].body == "pong"
    assert isinstance(events[1], BadEvent)


def test_a_validator_is_built_once_per_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    original = nio.schemas.Validator

    def counting(*args: Any, **kwargs: Any) -> Any:
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(nio.schemas, "Validator", counting)
    monkeypatch.setattr(nio_speedups, "_validators", {})
    nio_speedups.install()
    for round_number in range(20):
        sync_with([notice(round_number * 10 + n) for n in range(5)])
    assert 0 < len(built) == len({id(schema) for schema in built}) <= 10
