"""The command modules the bot serves, gathered into one registry."""

from __future__ import annotations

from commands.basics import chat as basics
from commands.collab import chat as collab
from commands.collab import dashboard
from commands.digests import chat as digests
from commands.disputes import chat as disputes
from commands.export import chat as export
from commands.framework import Registry
from commands.mail import chat as mail
from commands.meetings import chat as meetings
from commands.meetings import extras as meeting_extras
from commands.plan import chat as tasks
from commands.records import actions, blockers, decisions
from commands.search import chat as search


def build_registry() -> Registry:
    """Every command of every feature: each package's chat module (and the few others that
    declare commands); adding a feature means adding its module here."""
    return Registry.collect(
        [
            basics,
            tasks,
            collab,
            dashboard,
            search,
            meetings,
            meeting_extras,
            actions,
            decisions,
            blockers,
            disputes,
            digests,
            mail,
            export,
        ]
    )
