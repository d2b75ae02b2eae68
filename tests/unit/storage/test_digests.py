"""Digest storage on SQLite and PostgreSQL: the exactly-once ledger, subscriptions, quiet
modes, archived mentions and the archive window a digest reads."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from storage.archive import ArchivedMessage
from storage.digests import FEW_ROOMS
from storage.repositories import Repositories

DAY = date(2026, 11, 30)
AT = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
ROOM, OTHER = "!wg:gov.kr", "!other:gov.kr"


async def test_a_digest_is_claimed_once_even_by_racing_runs(repos: Repositories) -> None:
    digests = repos.digests
    claims = await asyncio.gather(
        *(digests.claim("wg", ROOM, DAY, "08:30", False, AT) for _ in range(5))
    )
    assert sorted(claims) == [False, False, False, False, True]
    assert await digests.claim("wg", ROOM, DAY + timedelta(days=1), "08:30", False, AT)
    assert await digests.claim("personal", "@kim:gov.kr", DAY, "07:00", True, AT)
    await digests.finish("wg", ROOM, DAY, "sent", "$ev1")
    sent = await digests.sent(DAY)
    assert [(s.kind, s.target, s.slot, s.outcome, s.late, s.event_id) for s in sent] == [
        ("personal", "@kim:gov.kr", "07:00", "sending", True, None),
        ("wg", ROOM, "08:30", "sent", False, "$ev1"),
    ]
    assert await digests.any_sent(DAY, "08:30") and await digests.any_sent(DAY, "07:00")
    assert not await digests.any_sent(DAY, "09:00")


async def test_subscriptions_change_time_and_end(repos: Repositories) -> None:
    digests = repos.digests
    await digests.subscribe("@lee:gov.kr", None, AT)
    await digests.subscribe("@kim:gov.kr", "07:00", AT)
    await digests.subscribe("@kim:gov.kr", "09:15", AT + timedelta(hours=1))
    found = await digests.subscriptions()
    assert [(s.user_id, s.at, s.since) for s in found] == [
        ("@kim:gov.kr", "09:15", AT + timedelta(hours=1)),
        ("@lee:gov.kr", None, AT),
    ]
    assert await digests.unsubscribe("@kim:gov.kr")
    assert not await digests.unsubscribe("@kim:gov.kr")
    assert await digests.subscription("@kim:gov.kr") is None
    lee = await digests.subscription("@lee:gov.kr")
    assert lee is not None and lee.since == AT


async def test_quiet_modes_per_room(repos: Repositories) -> None:
    digests = repos.digests
    assert await digests.quiet_mode(ROOM) is None
    await digests.set_quiet(ROOM, "none")
    await digests.set_quiet(OTHER, "line")
    await digests.set_quiet(OTHER, None)
    assert await digests.quiet_mode(ROOM) == "none"
    assert await digests.quiet_modes() == {ROOM: "none"}


def _message(n: int, room: str, at: datetime, **extra: object) -> ArchivedMessage:
    return ArchivedMessage(f"$m{n}", room, "@kim:gov.kr", at, f"message {n}", **extra)  # type: ignore[arg-type]


async def test_the_window_reads_live_messages_of_the_rooms_in_order(repos: Repositories) -> None:
    start, end = AT - timedelta(days=1), AT
    await repos.archive.add_many(
        [
            _message(1, ROOM, start - timedelta(microseconds=1)),
            _message(2, ROOM, start, mentions=("@lee:gov.kr", "@park:gov.kr")),
            _message(3, OTHER, start + timedelta(hours=1), thread_root="$m2"),
            _message(4, ROOM, start + timedelta(hours=2), reply_to="$m2"),
            _message(5, "!elsewhere:gov.kr", start + timedelta(hours=3)),
            _message(6, ROOM, end - timedelta(microseconds=1)),
            _message(7, ROOM, end),
            *[_message(10 + n, ROOM, start + timedelta(hours=5)) for n in range(3)],
        ]
    )
    await repos.archive.redact("$m4")
    found = await repos.digests.messages([ROOM, OTHER], start, end)
    assert [m.event_id for m in found] == ["$m2", "$m3", "$m10", "$m11", "$m12", "$m6"]
    assert found[0].mentions == ("@lee:gov.kr", "@park:gov.kr") and found[1].mentions == ()
    assert found[1].thread_root == "$m2" and found[0].sent_at == start
    counts = await repos.digests.message_counts([ROOM, OTHER, "!none:gov.kr"], start, end)
    assert counts == {ROOM: 5, OTHER: 1}
    assert await repos.digests.messages([], start, end) == []
    stored = await repos.archive.get("$m2")
    assert stored is not None and stored.mentions == ("@lee:gov.kr", "@park:gov.kr")


async def test_many_rooms_read_the_same_window(repos: Repositories) -> None:
    """Past FEW_ROOMS the window is one id-range scan instead of per-room probes: same rows."""
    start = AT - timedelta(days=1)
    rooms = [f"!r{n}:gov.kr" for n in range(FEW_ROOMS + 3)]
    await repos.archive.add_many(
        [_message(n, rooms[n % len(rooms)], start + timedelta(minutes=n)) for n in range(40)]
    )
    few = await repos.digests.message_rows(rooms[:2], start, AT)
    many = await repos.digests.message_rows(rooms, start, AT)
    assert [r[0] for r in few] == [r[0] for r in many if r[1] in rooms[:2]]
    assert len(many) == 40 and [r[3] for r in many] == sorted(r[3] for r in many)
    assert many[0][3] == start and many[0][3].tzinfo is not None


async def test_rsvp_counts_per_meeting(repos: Repositories) -> None:
    for user, answer in (("@a:gov.kr", "yes"), ("@b:gov.kr", "yes"), ("@c:gov.kr", "no")):
        await repos.meetings.set_rsvp(1, user, answer, f"$r-{user}")
    await repos.meetings.set_rsvp(2, "@a:gov.kr", "maybe", "$r2")
    assert await repos.digests.rsvp_counts([1, 2, 3]) == {
        1: {"yes": 2, "no": 1},
        2: {"maybe": 1},
    }
    assert await repos.digests.rsvp_counts([]) == {}
