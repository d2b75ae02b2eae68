"""The one place where what the bot says is measured: every event fits, no bidi tricks.

Wraps the messenger that talks to the homeserver (or a test's recording one). A notice that
would exceed the event size limit (measured after encryption in encrypted rooms) goes out
as numbered parts cut at line boundaries; each part gets its own transaction id derived
from the command's, so a replay after a crash posts none twice. Bidi controls are removed
from everything sent, so echoed user text cannot reverse the bot's own line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.web.metrics import Metrics
from commands.event_size import LONGEST_ROOM_ID, content_budget, split_notice
from commands.render import Notice, neutralise_bidi


def _part_txn(txn_id: str | None, number: int) -> str | None:
    return txn_id if txn_id is None or number == 0 else f"{txn_id}.p{number + 1}"


def _clean(value: Any) -> Any:
    """Every string inside an event's content, bidi controls removed."""
    if isinstance(value, str):
        return neutralise_bidi(value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


class SizedMessenger:
    """Same interface as the messenger it wraps; notices are cleaned and cut to fit."""

    def __init__(
        self, inner: Any, is_encrypted: Callable[[str], bool], metrics: Metrics | None = None
    ) -> None:
        self.inner = inner
        self.is_encrypted = is_encrypted
        self.metrics = metrics

    def parts(self, notice: Notice, room_id: str, encrypted: bool) -> list[Notice]:
        body, html = neutralise_bidi(notice.body), neutralise_bidi(notice.html)
        cleaned = Notice(body, html, notice.mentions)
        parts = split_notice(cleaned, content_budget(room_id, encrypted))
        if len(parts) > 1 and self.metrics is not None:
            self.metrics.split()
        return parts

    async def send_notice(
        self,
        room_id: str,
        notice: Notice,
        reply_to: str | None,
        thread_root: str | None,
        txn_id: str | None = None,
    ) -> str:
        """Send the notice (in parts if it must be); the first part's event id."""
        event_ids = [
            await self.inner.send_notice(
                room_id, part, reply_to, thread_root, _part_txn(txn_id, number)
            )
            for number, part in enumerate(self.parts(notice, room_id, self.is_encrypted(room_id)))
        ]
        return str(event_ids[0])

    async def send_direct(self, user_id: str, notice: Notice, txn_id: str | None = None) -> str:
        """A direct chat may be encrypted before the bot has seen it: measured as if it were."""
        event_ids = [
            await self.inner.send_direct(user_id, part, _part_txn(txn_id, number))
            for number, part in enumerate(self.parts(notice, LONGEST_ROOM_ID, True))
        ]
        return str(event_ids[0])

    def __getattr__(self, name: str) -> Any:
        """Reactions and files (bot-made names, small events) go straight through."""
        return getattr(self.inner, name)

    async def set_room_state(
        self,
        room_id: str,
        event_type: str,
        state_key: str,
        content: dict[str, Any],
        txn_id: str | None = None,
    ) -> str:
        return str(
            await self.inner.set_room_state(room_id, event_type, state_key, _clean(content), txn_id)
        )
