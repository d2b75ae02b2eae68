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


class Messenger(Protocol):
    """The bot layer's way to speak in Matrix, as commands see it."""

    async def send_notice(
        self, room_id: str, notice: Notice, reply_to: str | None, thread_root: str | None
    ) -> str: ...

    async def react(self, room_id: str, event_id: str, key: str) -> str: ...

    async def send_file(
        self, room_id: str, filename: str, data: bytes, mimetype: str, thread_root: str | None
    ) -> str: ...

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

    async def reply(self, notice: Notice | str) -> str:
        """Answer the command as a threaded `m.notice` reply."""
        if isinstance(notice, str):
            notice = Notice.plain(notice)
        return await self.messenger.send_notice(
            self.room_id, notice, self.event_id, self.thread_root
        )

    async def react(self, key: str) -> str:
        return await self.messenger.react(self.room_id, self.event_id, key)

    async def send_file(self, filename: str, data: bytes, mimetype: str) -> str:
        return await self.messenger.send_file(
            self.room_id, filename, data, mimetype, self.thread_root
        )

    async def set_room_state(self, event_type: str, state_key: str, content: dict[str, Any]) -> str:
        return await self.messenger.set_room_state(self.room_id, event_type, state_key, content)
