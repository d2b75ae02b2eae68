"""Any event a homeserver can deliver is survivable (property test on the real sync path).

Raw sync JSON with real envelopes and hostile content of every JSON type is parsed by nio,
taken in by a nio client and fed to the bot's SyncProcessor and dispatcher over a real
SQLite store. Whatever the content: processing never raises, every normal command in the
same batch is answered exactly once, and every chat message is archived.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nio import AsyncClient, AsyncClientConfig, SyncResponse

from bot.crypto import DeviceTrust
from bot.event_guard import EventGuard
from bot.sync import SyncProcessor
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.support.transcript import Transcript

ROOM = "!wg:gov.kr"
OFFICIAL = "@kim:gov.kr"
IDS = itertools.count(1)

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    st.sampled_from(["\u202e역방향", "$event:gov.kr", "@kim:gov.kr", "m.thread", "m.replace"]),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
RELATION_KEYS = ["rel_type", "event_id", "m.in_reply_to", "key", "is_falling_back"]
relation = st.one_of(
    json_value,
    st.fixed_dictionaries({}, optional={k: json_value for k in RELATION_KEYS}),
)
CONTENT_KEYS = {
    "m.relates_to": relation,
    "m.mentions": json_value,
    "formatted_body": json_value,
    "format": json_value,
    "m.new_content": json_value,
    "displayname": json_value,
    "membership": st.sampled_from(["join", "leave", "invite"]) | json_value,
    "name": json_value,
    "users": json_value,
    "redacts": json_value,
}
EVENT_TYPES = [
    "m.room.message",
    "m.reaction",
    "m.room.member",
    "m.room.name",
    "m.room.power_levels",
    "m.room.redaction",
    "m.room.create",
    "m.room.encrypted",
    "org.example.unknown",
]


def envelope(event_type: str, content: dict[str, Any], state_key: str | None = None) -> dict:
    """A real envelope as Synapse delivers it: only the content is the sender's to choose."""
    event = {
        "type": event_type,
        "event_id": f"$e{next(IDS)}:gov.kr",
        "sender": OFFICIAL,
        "origin_server_ts": 1_764_000_000_000,
        "content": content,
        "unsigned": {"age": 10},
    }
    if state_key is not None:
        event["state_key"] = state_key
    return event


@st.composite
def hostile_event(draw: st.DrawFn) -> dict[str, Any]:
    event_type = draw(st.sampled_from(EVENT_TYPES))
    content = draw(st.fixed_dictionaries({}, optional=CONTENT_KEYS))
    content["body"] = draw(json_value | st.text(max_size=200))
    content["msgtype"] = draw(st.sampled_from(["m.text", "m.notice", "m.emote", "x"]) | json_value)
    state = event_type in {"m.room.member", "m.room.name", "m.room.power_levels", "m.room.create"}
    state_key = draw(st.sampled_from(["", OFFICIAL, "@other:gov.kr"])) if state else None
    return envelope(event_type, content, state_key)


@st.composite
def chat_message(draw: st.DrawFn) -> dict[str, Any]:
    """A plain chat line whose other fields are hostile: it must reach the archive."""
    content = draw(st.fixed_dictionaries({}, optional=CONTENT_KEYS))
    content.pop("m.new_content", None)
    content["body"] = "회의록 " + draw(st.text(max_size=100))
    content["msgtype"] = "m.text"
    return envelope("m.room.message", content)


def sync_json(events: list[dict[str, Any]]) -> dict[str, Any]:
    room = {
        "timeline": {"events": events, "limited": False, "prev_batch": "p0"},
        "state": {"events": []},
        "ephemeral": {"events": []},
        "account_data": {"events": []},
    }
    return {"next_batch": f"s{next(IDS)}", "rooms": {"join": {ROOM: room}}}


async def _process(url: str, store: Path, events: list[dict[str, Any]]) -> Transcript:
    db = Database(url)
    transcript = Transcript(Repositories.over(db))
    client = AsyncClient(
        "http://127.0.0.1:1",
        transcript.settings.user_id,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=False, store_sync_tokens=False),
    )
    try:
        response = SyncResponse.from_dict(sync_json(events))
        assert isinstance(response, SyncResponse), response
        await client.receive_response(response)
        trust = DeviceTrust(client, ("gov.kr",))
        await SyncProcessor(client, transcript.dispatcher, trust).process(response, "s0")
        await transcript.dispatcher.drain()
        return transcript
    finally:
        await client.close()
        await db.close()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    hostile=st.lists(hostile_event(), min_size=1, max_size=6),
    chats=st.lists(chat_message(), max_size=3),
    data=st.data(),
)
def test_no_event_content_stops_a_batch(
    tmp_path: Path, hostile: list[dict], chats: list[dict], data: st.DataObject
) -> None:
    url = f"sqlite:///{tmp_path / 'poison.db'}"
    upgrade(url)
    pings = [envelope("m.room.message", {"msgtype": "m.text", "body": "!ping"}) for _ in "ab"]
    events = data.draw(st.permutations([*hostile, *chats, *pings]))
    transcript = asyncio.run(_process(url, tmp_path / "store", events))
    replied_to = [sent.reply_to for sent in transcript.messenger.sent]
    for ping in pings:
        assert replied_to.count(ping["event_id"]) == 1, replied_to
    archived = asyncio.run(_archived(url, [chat["event_id"] for chat in chats]))
    assert archived == [chat["event_id"] for chat in chats]


async def _archived(url: str, event_ids: list[str]) -> list[str]:
    db = Database(url)
    try:
        repos = Repositories.over(db)
        return [e for e in event_ids if await repos.archive.get(e) is not None]
    finally:
        await db.close()


class _Boom(ValueError):
    """A handler failing on an event's content."""


async def test_a_failing_event_is_recorded_once_and_its_batch_goes_on(repos: Repositories) -> None:
    transcript = Transcript(repos)
    guard = EventGuard(repos, transcript.dispatcher.metrics, lambda: transcript.now)

    async def failing() -> None:
        raise _Boom("odd content")

    for _ in range(2):  # the same event again, as in a replayed batch
        await guard.run(ROOM, "$poison:gov.kr", failing())
    assert await repos.skipped.count() == 1
    assert transcript.dispatcher.metrics.value("sotong_events_skipped_total", error="_Boom") == 2
    assert not await repos.events.claim("$poison:gov.kr", ROOM)  # finished: never retried


async def test_an_unreachable_database_fails_the_batch_for_a_retry(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gone' / 'missing.db'}"
    db = Database(url)
    (tmp_path / "gone").rmdir()
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    guard = EventGuard(repos, transcript.dispatcher.metrics, lambda: transcript.now)
    try:
        await guard.run(ROOM, "$x:gov.kr", repos.archive.get("$x:gov.kr"))
    except Exception as error:
        assert type(error).__module__.startswith("sqlalchemy")
    else:
        raise AssertionError("a database outage must fail the batch, not skip the event")
    finally:
        await db.close()
    assert transcript.dispatcher.metrics.value("sotong_events_skipped_total") == 0
