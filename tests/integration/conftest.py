"""Fixtures for tests against a real Synapse homeserver: officials and the bot's account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.dev.synapse import HomeserverConfig, register_user
from commands.plan.file import load_plan
from tests.support.officials import PASSWORD, Official, make_official
from tests.support.synapse import PROJECT_ROOT, pytest_terminal_summary, synapse  # noqa: F401

SHIPPED_PLAN = PROJECT_ROOT / "plans" / "gov3.toml"


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def bot_user(synapse: HomeserverConfig) -> str:  # noqa: F811
    return await register_user(
        synapse.base_url, synapse.shared_secret, "sotong", PASSWORD, displayname="소통봇"
    )


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def officials(
    synapse: HomeserverConfig,  # noqa: F811
) -> AsyncIterator[dict[str, Official]]:
    plan = load_plan(SHIPPED_PLAN)
    people = {}
    for person in plan.directory:
        localpart = person.user_id[1:].split(":", 1)[0]
        people[localpart] = await make_official(
            synapse, localpart, f"{person.name} ({person.ministry})"
        )
    yield people
    for official in people.values():
        await official.client.close()
