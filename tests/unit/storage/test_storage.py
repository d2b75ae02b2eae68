"""Storage on SQLite and PostgreSQL: the same behaviour from the same code."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

from storage.connect import sync_url
from storage.db import Database
from storage.migrate import alembic_config, current_revision, upgrade
from storage.models import AuditEntry
from storage.repositories import Repositories
from storage.search_index import SEARCH_INDEX_TABLES


async def test_login_and_sync_position_survive_a_new_connection(
    repos: Repositories, database_url: str
) -> None:
    await repos.sessions.save_login("@bot:gov.kr", "token-1", "DEVICE1")
    await repos.sessions.save_next_batch("@bot:gov.kr", "s42_1")
    again = Repositories.over(type(repos.db)(database_url))
    stored = await again.sessions.get("@bot:gov.kr")
    await again.db.close()
    assert stored is not None
    assert (stored.access_token, stored.device_id, stored.next_batch) == (
        "token-1",
        "DEVICE1",
        "s42_1",
    )


async def test_relogin_keeps_one_row_and_replaces_the_token(repos: Repositories) -> None:
    await repos.sessions.save_login("@bot:gov.kr", "old", "D1")
    await repos.sessions.save_login("@bot:gov.kr", "new", "D2")
    stored = await repos.sessions.get("@bot:gov.kr")
    assert stored is not None and (stored.access_token, stored.device_id) == ("new", "D2")


async def test_an_event_is_claimed_exactly_once_even_concurrently(repos: Repositories) -> None:
    results = await asyncio.gather(*(repos.events.claim("$e1", "!r:gov.kr") for _ in range(8)))
    assert results.count(True) == 1
    assert await repos.events.seen("$e1")
    assert not await repos.events.seen("$other")


async def test_a_restart_resumes_an_unfinished_claim_once_and_never_a_finished_one(
    database_url: str,
) -> None:
    first = Repositories.over(Database(database_url))
    assert await first.events.claim("$killed-mid-command", "!r:gov.kr")
    assert await first.events.claim("$answered", "!r:gov.kr")
    await first.events.finish("$answered")
    await first.events.db.close()

    second = Repositories.over(Database(database_url))
    try:
        retries = [await second.events.claim("$killed-mid-command", "!r:gov.kr") for _ in range(3)]
        assert retries == [True, False, False]
        assert not await second.events.claim("$answered", "!r:gov.kr")
        assert await second.events.claim("$new", "!r:gov.kr")
    finally:
        await second.events.db.close()


async def test_old_claims_are_pruned(repos: Repositories) -> None:
    claimed = datetime(2026, 12, 31, 14, 59, 59, tzinfo=UTC)
    with time_machine.travel(claimed, tick=False):
        await repos.events.claim("$old", "!r:gov.kr")
    assert await repos.events.prune_before(claimed) == 0
    removed = await repos.events.prune_before(claimed + timedelta(seconds=1))
    assert removed == 1 and not await repos.events.seen("$old")


async def test_membership_and_power_levels_give_effective_levels(repos: Repositories) -> None:
    room = "!wg1:gov.kr"
    await repos.rooms.set_member(room, "@chair:moef.go.kr", "join", "김의장")
    await repos.rooms.set_member(room, "@staff:mois.go.kr", "join", None)
    await repos.rooms.set_power_levels(room, {"@chair:moef.go.kr": 50, "@bot:gov.kr": 100}, 0)
    chair = await repos.rooms.member(room, "@chair:moef.go.kr")
    staff = await repos.rooms.member(room, "@staff:mois.go.kr")
    assert chair is not None and chair.power_level == 50 and chair.display_name == "김의장"
    assert staff is not None and staff.power_level == 0
    await repos.rooms.set_power_levels(room, {"@bot:gov.kr": 100}, 10)
    demoted = await repos.rooms.member(room, "@chair:moef.go.kr")
    assert demoted is not None and demoted.power_level == 10
    await repos.rooms.set_member(room, "@staff:mois.go.kr", "leave", None)
    assert await repos.rooms.rooms_of("@staff:mois.go.kr") == []
    assert await repos.rooms.rooms_of("@chair:moef.go.kr") == [room]


async def test_joined_rooms_are_counted(repos: Repositories) -> None:
    await repos.rooms.set_joined("!a:gov.kr", True, "WG A")
    await repos.rooms.set_joined("!b:gov.kr", True)
    await repos.rooms.set_joined("!b:gov.kr", False)
    assert await repos.rooms.joined_count() == 1


async def test_audit_entries_read_back_newest_first(repos: Repositories) -> None:
    for index, outcome in enumerate(["ok", "denied"]):
        await repos.audit.record(
            AuditEntry(
                user_id="@c:gov.kr",
                room_id="!r:gov.kr",
                command=f"c{index}",
                arguments="x",
                outcome=outcome,
            )
        )
    entries = await repos.audit.recent("!r:gov.kr")
    assert [e.command for e in entries] == ["c1", "c0"]
    assert entries[1].outcome == "ok" and entries[0].at is not None


def _outside_search_index(name: str | None, type_: str, _parents: object) -> bool:
    """The archive's full-text index is raw SQL by design (storage/search_index.py)."""
    return not (type_ == "table" and name in SEARCH_INDEX_TABLES)


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_engine(sync_url(database_url))
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"include_name": _outside_search_index}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent(database_url: str) -> None:
    upgrade(database_url)
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert current_revision(database_url) == head
