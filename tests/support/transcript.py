"""Transcript testing: the real dispatcher and a real SQLite store, with a recording messenger.

`await t.send("!help")` runs the command and returns the replies it produced.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from bot.config import Settings, settings_from_mapping
from bot.dispatch import Dispatcher, IncomingMessage
from bot.event_fields import pills_in
from bot.matrix import Runtime
from bot.sized_messenger import SizedMessenger
from commands.catalog import build_registry
from commands.event_size import fits
from commands.framework import Registry
from commands.plan.file import Plan
from commands.plan.model import CoreTask
from commands.render import Notice, relate
from storage.db import Database
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories

BASE_ENV = {
    "MATRIX_HOMESERVER": "http://127.0.0.1:1",
    "MATRIX_USER_ID": "@sotong:gov.kr",
    "MATRIX_PASSWORD": "unused",
    "ALLOWED_INVITERS": "gov.kr",
    "ADMIN_USERS": "@admin:gov.kr",
}


@dataclass
class Sent:
    room_id: str
    notice: Notice
    reply_to: str | None
    thread_root: str | None
    txn_id: str | None = None


@dataclass
class SentFile:
    """A file the bot posted, with the `m.relates_to` its event would carry."""

    room_id: str
    filename: str
    data: bytes
    relates_to: dict[str, Any] | None
    txn_id: str | None = None


class TooLarge(RuntimeError):
    """What the homeserver answers to an event over the size limit."""


@dataclass
class RecordingMessenger:
    """Keeps what the bot would have sent, in order; refuses an event the homeserver would
    refuse for its size (measured as if encrypted in `encrypted_rooms`)."""

    sent: list[Sent] = field(default_factory=list)
    reactions: list[tuple[str, str, str]] = field(default_factory=list)
    state: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)
    files: list[tuple[str, str, bytes]] = field(default_factory=list)
    sent_files: list[SentFile] = field(default_factory=list)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    encrypted_rooms: set[str] = field(default_factory=set)

    async def send_notice(
        self,
        room_id: str,
        notice: Notice,
        reply_to: str | None,
        thread_root: str | None,
        txn_id: str | None = None,
    ) -> str:
        content = notice.content()
        relate(content, reply_to, thread_root)
        if not fits(content, "m.room.message", room_id, room_id in self.encrypted_rooms):
            raise TooLarge(f"M_TOO_LARGE: {len(notice.body)} characters to {room_id}")
        self.sent.append(Sent(room_id, notice, reply_to, thread_root, txn_id))
        return f"$sent{next(self.ids)}"

    async def react(self, room_id: str, event_id: str, key: str, txn_id: str | None = None) -> str:
        self.reactions.append((room_id, event_id, key))
        return f"$react{next(self.ids)}"

    async def send_file(
        self,
        room_id: str,
        filename: str,
        data: bytes,
        mimetype: str,
        thread_root: str | None,
        txn_id: str | None = None,
        *,
        reply_to: str | None = None,
    ) -> str:
        content: dict[str, Any] = {"msgtype": "m.file", "body": filename}
        relate(content, reply_to, thread_root)
        relation = content.get("m.relates_to")
        self.files.append((room_id, filename, data))
        self.sent_files.append(SentFile(room_id, filename, data, relation, txn_id))
        return f"$file{next(self.ids)}"

    async def set_room_state(
        self,
        room_id: str,
        event_type: str,
        state_key: str,
        content: dict[str, Any],
        txn_id: str | None = None,
    ) -> str:
        self.state.append((room_id, event_type, state_key, content))
        return f"$state{next(self.ids)}"

    async def send_direct(self, user_id: str, notice: Notice, txn_id: str | None = None) -> str:
        return await self.send_notice(f"!dm-{user_id}", notice, None, None, txn_id)


@dataclass
class RecordingScheduler:
    """Keeps jobs by id like the real scheduler (re-adding replaces), never fires them."""

    jobs: dict[str, tuple[datetime, str, list[Any]]] = field(default_factory=dict)

    async def at(self, job_id: str, when: datetime, func: str, args: list[Any]) -> None:
        self.jobs[job_id] = (when, func, args)

    async def cancel_prefix(self, prefix: str) -> int:
        doomed = [job_id for job_id in self.jobs if job_id.startswith(prefix)]
        for job_id in doomed:
            del self.jobs[job_id]
        return len(doomed)

    async def job_ids(self) -> set[str]:
        return set(self.jobs)


class Transcript:
    """A room with the bot in it; send text as a user, get the bot's replies back."""

    def __init__(
        self,
        repos: Repositories,
        settings: Settings | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.settings = settings or settings_from_mapping(BASE_ENV)
        self.messenger = RecordingMessenger()
        self.now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
        self.runtime = Runtime(started_at=self.now, last_sync_at=self.now)
        self.scheduler = RecordingScheduler()
        self.dispatcher = Dispatcher(
            self.settings,
            registry or build_registry(),
            repos,
            SizedMessenger(self.messenger, self.messenger.encrypted_rooms.__contains__),
            self.runtime,
            lambda: self.now,
            None,
            self.scheduler,
        )
        self.room_id = "!wg:gov.kr"
        self.events = itertools.count(1)

    def with_language(self, lang: str) -> Transcript:
        self.settings = replace(self.settings, language=lang)
        self.dispatcher.settings = self.settings
        return self

    async def send(
        self,
        body: str,
        sender: str = "@kim:gov.kr",
        thread_root: str | None = None,
        event_id: str | None = None,
        formatted: str | None = None,
        mentions: tuple[str, ...] = (),
    ) -> list[Sent]:
        """`formatted` is the `formatted_body` (its pills are read as the sync path reads
        them) and `mentions` the `m.mentions` user ids, as Element sends a picked person."""
        before = len(self.messenger.sent)
        message = IncomingMessage(
            event_id=event_id or f"$in{next(self.events)}",
            room_id=self.room_id,
            sender=sender,
            body=body,
            thread_root=thread_root,
            mentions=mentions,
            pills=pills_in(formatted) if formatted is not None else (),
        )
        await self.dispatcher.on_message(message)
        await self.dispatcher.drain()
        return self.messenger.sent[before:]

    async def say_one(self, body: str, **kwargs: Any) -> str:
        """Send and return the single reply's plain body."""
        replies = await self.send(body, **kwargs)
        assert len(replies) == 1, [r.notice.body for r in replies]
        return replies[0].notice.body


@asynccontextmanager
async def wg_transcript(database_url: str, plan: Plan, core: CoreTask) -> AsyncIterator[Transcript]:
    """A transcript whose room is `core`'s WG room in `plan`, with its members joined."""
    db = Database(database_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = plan
    await seat_wg_room(repos, plan, core, transcript.room_id)
    try:
        yield transcript
    finally:
        await db.close()


def pill(user_id: str, text: str) -> str:
    """An Element pill: a matrix.to link to the user, with `text` shown."""
    return f'<a href="https://matrix.to/#/{user_id}">{text}</a>'


async def seat_wg_room(repos: Repositories, plan: Plan, core: CoreTask, room_id: str) -> None:
    """Make `room_id` the WG room of `core`: its members joined, the plan room recorded."""
    for user in core.wg.everyone():
        await repos.rooms.set_member(room_id, user, "join", None)
    alias = f"#{plan.key}-{core.key}:gov.kr"
    await repos.plan_rooms.save(PlanRoomRecord(plan.key, core.key, room_id, "room", alias))
