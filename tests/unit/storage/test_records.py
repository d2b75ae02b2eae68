"""WG records on SQLite and PostgreSQL: short ids, filters, one-winner state changes."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.records import NewRecord
from storage.repositories import Repositories

ROOM = "!wg-a:gov.kr"
OTHER = "!wg-b:gov.kr"
AT = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Seoul"))


def _new(text: str, prefix: str = "A", room: str = ROOM, at: datetime = AT) -> NewRecord:
    return NewRecord(prefix, room, text, "@kim:gov.kr", at, f"${text}")


async def test_numbers_count_up_per_prefix_across_kinds(repos: Repositories) -> None:
    records = repos.records
    first = await records.add_action(_new("a"), ["@lee:gov.kr"], None)
    second = await records.add_decision(_new("d"))
    third = await records.add_blocker(_new("b"))
    other = await records.add_action(_new("x", prefix="B", room=OTHER), [], None)
    assert [first.label, second.label, third.label, other.label] == ["A-1", "A-2", "A-3", "B-1"]
    assert await records.action("A", 2) is None
    assert (await records.blocker("A", 3)) == third


async def test_concurrent_adds_get_distinct_numbers(repos: Repositories) -> None:
    adds = [repos.records.add_action(_new(f"a{i}"), [], None) for i in range(12)]
    adds += [repos.records.add_blocker(_new(f"b{i}")) for i in range(4)]
    labels = [record.label for record in await asyncio.gather(*adds)]
    assert sorted(labels) == sorted(f"A-{n}" for n in range(1, 17))


async def test_actions_keep_owners_due_and_aware_times(repos: Repositories) -> None:
    owners = ["@park:gov.kr", "@lee:gov.kr", "@park:gov.kr"]
    added = await repos.records.add_action(_new("보고서"), owners, date(2026, 12, 4))
    found = await repos.records.action("A", 1)
    assert found is not None and found == added
    assert found.owners == ("@lee:gov.kr", "@park:gov.kr")
    assert found.due == date(2026, 12, 4) and found.event_id == "$보고서"
    assert found.created_at == AT and found.created_at.tzinfo is not None
    assert not found.done and found.author == "@kim:gov.kr"


async def test_action_filters(repos: Repositories) -> None:
    records = repos.records
    late = await records.add_action(_new("late"), ["@lee:gov.kr"], date(2026, 11, 20))
    mine = await records.add_action(_new("mine"), ["@kim:gov.kr"], None)
    await records.add_action(_new("elsewhere", room=OTHER), ["@lee:gov.kr"], None)
    assert [a.text for a in await records.actions([ROOM])] == ["late", "mine"]
    assert [a.text for a in await records.actions([ROOM], owner="@kim:gov.kr")] == ["mine"]
    overdue = await records.actions([ROOM], due_before=date(2026, 11, 27))
    assert [a.label for a in overdue] == [late.label]
    assert [a.text for a in await records.actions(owner="@lee:gov.kr")] == ["late", "elsewhere"]
    assert await records.complete_action(mine.id, "@kim:gov.kr", AT + timedelta(hours=1))
    assert [a.text for a in await records.actions([ROOM])] == ["late"]
    everything = await records.actions([ROOM], include_done=True)
    done = next(a for a in everything if a.text == "mine")
    assert done.done and done.done_by == "@kim:gov.kr"
    assert done.done_at == AT + timedelta(hours=1)
    since = [a.text for a in await records.actions([ROOM], done_since=AT + timedelta(hours=1))]
    assert since == ["late", "mine"]
    assert [a.text for a in await records.actions([ROOM], done_since=AT + timedelta(hours=2))] == [
        "late"
    ]


async def test_an_action_is_closed_once_even_concurrently(repos: Repositories) -> None:
    added = await repos.records.add_action(_new("once"), [], None)
    results = await asyncio.gather(
        *(repos.records.complete_action(added.id, f"@u{i}:gov.kr", AT) for i in range(6))
    )
    assert results.count(True) == 1


async def test_reassign_and_move_due(repos: Repositories) -> None:
    added = await repos.records.add_action(_new("move"), ["@lee:gov.kr"], None)
    await repos.records.set_owners(added.id, ["@park:gov.kr", "@choi:gov.kr"])
    await repos.records.set_due(added.id, date(2027, 1, 5))
    found = await repos.records.action("A", 1)
    assert found is not None
    assert found.owners == ("@choi:gov.kr", "@park:gov.kr") and found.due == date(2027, 1, 5)
    assert await repos.records.actions(owner="@lee:gov.kr") == []


async def test_decisions_since_and_from_a_message(repos: Repositories) -> None:
    records = repos.records
    await records.add_decision(_new("old", at=AT - timedelta(days=3)))
    link = "https://matrix.to/#/!wg-a:gov.kr/$said"
    quoted = await records.add_decision(_new("said"), "$said", "@lee:gov.kr", link)
    await records.add_decision(_new("elsewhere", room=OTHER))
    assert [d.text for d in await records.decisions([ROOM])] == ["old", "said"]
    recent = await records.decisions([ROOM], since=AT - timedelta(days=1))
    assert recent == [quoted]
    assert (quoted.source_event_id, quoted.source_sender, quoted.permalink) == (
        "$said",
        "@lee:gov.kr",
        link,
    )


async def test_blockers_resolve_once_and_escalate_once(repos: Repositories) -> None:
    records = repos.records
    first = await records.add_blocker(_new("서버"))
    second = await records.add_blocker(_new("예산"))
    claims = await asyncio.gather(
        *(records.claim_escalation(first.id, "@chair:gov.kr", AT) for _ in range(5))
    )
    assert claims.count(True) == 1
    await records.finish_escalation(first.id, "$notice")
    escalated = await records.blocker("A", 1)
    assert escalated is not None and escalated.escalation_event_id == "$notice"
    assert escalated.escalated_at == AT and escalated.escalated_by == "@chair:gov.kr"
    assert await records.resolve_blocker(second.id, "추경 확보", "@kim:gov.kr", AT)
    assert not await records.resolve_blocker(second.id, "again", "@kim:gov.kr", AT)
    assert not await records.claim_escalation(second.id, "@chair:gov.kr", AT)
    assert [b.label for b in await records.blockers([ROOM])] == ["A-1"]
    everything = await records.blockers([ROOM], include_resolved=True)
    assert [(b.label, b.resolution) for b in everything] == [("A-1", None), ("A-2", "추경 확보")]


async def test_a_failed_escalation_gives_the_claim_back(repos: Repositories) -> None:
    added = await repos.records.add_blocker(_new("retry"))
    assert await repos.records.claim_escalation(added.id, "@chair:gov.kr", AT)
    await repos.records.finish_escalation(added.id, None)
    found = await repos.records.blocker("A", 1)
    assert found is not None and found.escalated_at is None and found.escalated_by is None
    assert await repos.records.claim_escalation(added.id, "@chair:gov.kr", AT + timedelta(hours=1))
