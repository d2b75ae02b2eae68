"""Per-command transaction ids: the n-th event a command sends gets `sotong.<event>.<n>`.

If the bot is killed after replying but before the command was marked done, the command
runs again on restart and sends the same transaction ids; the homeserver recognises them
and returns the events it already has instead of posting duplicates.
"""

from __future__ import annotations

import hashlib
import itertools
from typing import Any

from commands.context import Messenger
from commands.render import Notice


class TxnMessenger:
    """Wraps the bot's messenger for one command invocation."""

    def __init__(self, inner: Messenger, command_event_id: str) -> None:
        self.inner: Any = inner
        self.prefix = "sotong." + hashlib.sha256(command_event_id.encode()).hexdigest()[:24]
        self.counter = itertools.count(1)

    def _next(self) -> str:
        return f"{self.prefix}.{next(self.counter)}"

    async def send_notice(
        self, room_id: str, notice: Notice, reply_to: str | None, thread_root: str | None
    ) -> str:
        return await self.inner.send_notice(room_id, notice, reply_to, thread_root, self._next())

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        return await self.inner.react(room_id, event_id, key, self._next())

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
        return await self.inner.send_file(
            room_id, filename, data, mimetype, thread_root, self._next(), reply_to=reply_to
        )

    async def set_room_state(
        self, room_id: str, event_type: str, state_key: str, content: dict[str, Any]
    ) -> str:
        return await self.inner.set_room_state(room_id, event_type, state_key, content)

    async def send_direct(self, user_id: str, notice: Notice) -> str:
        return await self.inner.send_direct(user_id, notice, self._next())
