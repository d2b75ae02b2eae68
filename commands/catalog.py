"""The command modules the bot serves, gathered into one registry."""

from __future__ import annotations

from commands import (
    collab,
    core,
    dashboard,
    digests,
    export,
    meeting_extras,
    meetings,
    records_actions,
    records_blockers,
    records_decisions,
    search,
    tasks,
)
from commands.framework import Registry


def build_registry() -> Registry:
    """Every command of every family; adding a family means adding its module here."""
    return Registry.collect(
        [
            core,
            tasks,
            collab,
            dashboard,
            search,
            meetings,
            meeting_extras,
            records_actions,
            records_decisions,
            records_blockers,
            digests,
            export,
        ]
    )
