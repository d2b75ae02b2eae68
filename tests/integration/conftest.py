"""Fixtures for tests against a real Synapse homeserver: officials and the bot's account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.devserver import HomeserverConfig, register_user
from tests.support.officials import PASSWORD, Official, make_official
from tests.support.synapse import pytest_terminal_summary, synapse  # noqa: F401


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def bot_user(synapse: HomeserverConfig) -> str:  # noqa: F811
    return await register_user(synapse.base_url, synapse.shared_secret, "sotong", PASSWORD,
                               displayname="소통봇")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def officials(
    synapse: HomeserverConfig,  # noqa: F811
) -> AsyncIterator[dict[str, Official]]:
    people = {
        "kim": await make_official(synapse, "kim", "김민수 (행정안전부)"),
        "lee": await make_official(synapse, "lee", "이지은 (기획재정부)"),
        "park": await make_official(synapse, "park", "박서준 (과학기술정보통신부)"),
    }
    yield people
    for official in people.values():
        await official.client.close()
