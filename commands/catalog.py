"""The command modules the bot serves, gathered into one registry."""

from __future__ import annotations

from commands import core, search, tasks
from commands.framework import Registry


def build_registry() -> Registry:
    """Every command of every family; adding a family means adding its module here."""
    return Registry.collect([core, tasks, search])
