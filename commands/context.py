"""What a command handler gets: who asked, where, and ways to answer — never a Matrix client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from commands.framework import Registry
from commands.i18n import Text
from commands.plan import Plan
from commands.render import Notice
from storage.repositories import Repositories


class MatrixRefused(RuntimeError):
    """What a Messenger raises when the homeserver refuses an event; `errcode` is the Matrix
    error code (`M_FORBIDDEN`, …) when it gave one, so a command can tell the room why."""

    def __init__(self, message: str, errcode: str | None = None) -> None:
        super().__init__(message)
        self.errcode = errcode


def directory_names(plan: Plan | None) -> dict[str, str]:
    """People's names (박서준) by Matrix id, from the plan's directory: what a plain body
    shows, the id staying in the pill. Empty without a plan."""
    return {person.user_id: person.name for person in plan.directory} if plan else {}


class Messenger(Protocol):
    """The bot layer's way to speak in Matrix, as commands see it."""

    async def send_notice(
        self, room_id: str, notice: Notice, reply_to: str | None, thread_root: str | None
    ) -> str: ...

    async def react(self, room_id: str, event_id: str, key: str) -> str: ...

    async def send_file(
        self,
        room_id: str,
        filename: str,
        data: bytes,
        mimetype: str,
        thread_root: str | None,
        *,
        reply_to: str | None = None,
    ) -> str:
        """Upload and post a file (in the thread, if any; a reply to `reply_to`, if given)."""
        ...

    async def set_room_state(
        self, room_id: str, event_type: str, state_key: str, content: dict[str, Any]
    ) -> str: ...

    async def send_direct(self, user_id: str, notice: Notice) -> str: ...


class CommandSettings(Protocol):
    """The settings commands read (the bot's Settings satisfies it)."""

    @property
    def language(self) -> str: ...

    @property
    def command_prefix(self) -> str: ...

    @property
    def chair_power_level(self) -> int: ...

    @property
    def admin_users(self) -> tuple[str, ...]: ...

    @property
    def timezone(self) -> str: ...

    @property
    def record_max_chars(self) -> int: ...


class RuntimeInfo(Protocol):
    """Facts about the running bot, for `!status`."""

    @property
    def started_at(self) -> datetime: ...

    @property
    def last_sync_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Context:
    """One command invocation."""

    sender: str
    room_id: str
    event_id: str
    thread_root: str | None
    messenger: Messenger
    repos: Repositories
    settings: CommandSettings
    clock: Callable[[], datetime]
    runtime: RuntimeInfo
    registry: Registry
    plan: Plan | None = None
    reply_to: str | None = None
    jobs: Any = None

    @property
    def lang(self) -> str:
        return self.settings.language

    @property
    def prefix(self) -> str:
        return self.settings.command_prefix

    def t(self, ko: str, en: str) -> str:
        """Pick the text in the deployment's language."""
        return Text(ko, en).pick(self.lang)

    def names(self) -> dict[str, str]:
        return directory_names(self.plan)

    async def reply(self, notice: Notice | str) -> str:
        """Answer the command as a threaded `m.notice` reply."""
        if isinstance(notice, str):
            notice = Notice.plain(notice)
        return await self.messenger.send_notice(
            self.room_id, notice, self.event_id, self.thread_root
        )

    async def react(self, key: str) -> str:
        return await self.messenger.react(self.room_id, self.event_id, key)

    async def send_file(
        self, filename: str, data: bytes, mimetype: str, *, reply: bool = False
    ) -> str:
        """Post a file in the command's room and thread; with `reply`, as a reply to it."""
        return await self.messenger.send_file(
            self.room_id,
            filename,
            data,
            mimetype,
            self.thread_root,
            reply_to=self.event_id if reply else None,
        )

    async def set_room_state(self, event_type: str, state_key: str, content: dict[str, Any]) -> str:
        return await self.messenger.set_room_state(self.room_id, event_type, state_key, content)
