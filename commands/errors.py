"""Typed errors a command handler raises; the dispatcher turns each into a short reply."""

from __future__ import annotations


class CommandError(Exception):
    """Base of every error that is the user's to fix; `ko` and `en` are shown to them."""

    def __init__(self, ko: str, en: str | None = None) -> None:
        super().__init__(en or ko)
        self.ko = ko
        self.en = en or ko


class UserInputError(CommandError):
    """The command was malformed: wrong arguments, an unparseable date, a bad value."""


class PermissionDenied(CommandError):
    """The sender lacks the role the command needs."""


class NotFound(CommandError):
    """The thing the command names does not exist (or is not visible to the sender)."""


class Conflict(CommandError):
    """The command clashes with what is already stored (duplicate, wrong state)."""
