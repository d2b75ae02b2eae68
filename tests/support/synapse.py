"""Pytest fixtures for a real, throw-away Synapse homeserver (one per test session)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.dev.synapse import HomeserverConfig, default_synapse_venv, launch_homeserver

PROJECT_ROOT = Path(__file__).resolve().parents[2]

_TIMING = pytest.StashKey[str]()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def synapse(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> AsyncIterator[HomeserverConfig]:
    """A Synapse on a free loopback port with SQLite and rate limits raised; stopped at the end."""
    began = time.monotonic()
    server = await launch_homeserver(
        tmp_path_factory.mktemp("synapse"),
        default_synapse_venv(PROJECT_ROOT),
        reuse_running=False,
    )
    pytestconfig.stash[_TIMING] = (
        f"synapse: ready {server.ready_seconds:.2f}s after launch, "
        f"{time.monotonic() - began:.2f}s in all (venv check, key generation), "
        f"at {server.config.base_url}, data in {server.config.data_dir}"
    )
    try:
        yield server.config
    finally:
        await asyncio.to_thread(server.stop)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Report how long Synapse took to start, if this session started one."""
    timing = terminalreporter.config.stash.get(_TIMING, None)
    if timing is not None:
        terminalreporter.write_line(timing)
