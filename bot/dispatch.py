"""Routes events: each once, never the bot's own; commands run in their own guarded tasks."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.command_tasks import CommandTasks, RecentEvents
from bot.config import Settings
from bot.event_fields import Pill, with_pill_ids
from bot.txn_messenger import TxnMessenger
from bot.web.metrics import Metrics
from commands.context import Context, Messenger, RuntimeInfo
from commands.error_text import command_too_long, explain, failure_notice, unknown_command
from commands.errors import CommandError, PermissionDenied
from commands.framework import Command, Registry, Role, bind, tokenize
from commands.i18n import Text
from commands.jobs import Scheduling
from commands.meetings import record_rsvp
from commands.permissions import is_allowed_inviter
from commands.plan import Plan
from commands.ratelimit import FloodControl
from commands.render import Notice, esc, user_pill
from commands.roles import role_in_room
from storage.archive import ArchivedMessage
from storage.models import AuditEntry
from storage.repositories import Repositories
from storage.room_state import RoomState

log = logging.getLogger(__name__)
OUTCOME_OK, OUTCOME_INVALID, OUTCOME_DENIED, OUTCOME_ERROR = "ok", "invalid", "denied", "error"


@dataclass(frozen=True)
class IncomingMessage:
    """A text message as the dispatcher sees it, free of nio types."""

    event_id: str
    room_id: str
    sender: str
    body: str
    thread_root: str | None = None
    reply_to: str | None = None
    sent_at: datetime | None = None
    mentions: tuple[str, ...] = ()
    pills: tuple[Pill, ...] = ()
    """People picked in the client (pills of the formatted body), for commands."""

    @property
    def command_body(self) -> str:
        """The body as a command reads it: a picked person is their id, as if typed."""
        return with_pill_ids(self.body, self.pills)


class Dispatcher:
    """Claims events, keeps membership current and runs commands."""

    def __init__(
        self,
        settings: Settings,
        registry: Registry,
        repos: Repositories,
        messenger: Messenger,
        runtime: RuntimeInfo,
        clock: Callable[[], datetime],
        plan: Plan | None = None,
        jobs: Scheduling | None = None,
    ) -> None:
        self.plan = plan
        self.jobs = jobs
        self.flood = FloodControl(settings.flood_burst, settings.flood_rate)
        self.settings = settings
        self.registry = registry
        self.repos = repos
        self.messenger = messenger
        self.runtime = runtime
        self.clock = clock
        self.metrics = Metrics()
        self.commands = CommandTasks()
        self.started = RecentEvents()

    async def on_message(self, message: IncomingMessage) -> None:
        """Handle a message once: commands are started in their own task.

        The event is claimed in the database first, so that a restart never handles it
        again; a read-only command starts while its claim is being written. Either way the
        claim is durable before this returns (before the sync position moves past it)."""
        if message.sender == self.settings.user_id:
            return
        arrived = asyncio.get_running_loop().time()
        claim = asyncio.ensure_future(self.repos.events.claim(message.event_id, message.room_id))
        if message.event_id in self.started:  # a repeat: only make sure the claim is kept
            await claim
            return
        if self._read_only_command(message.body):
            self._start_command(message, arrived, claim)
            await claim
            return
        if not await claim:
            return
        if message.body.startswith(self.settings.command_prefix):
            self._start_command(message, arrived, claim)
        else:
            self.started.add(message.event_id)
            self.metrics.event()
            await self.archive_message(message)

    def _read_only_command(self, body: str) -> bool:
        prefix = self.settings.command_prefix
        if not body.startswith(prefix) or len(body) > self.settings.command_max_chars:
            return False
        try:
            tokens = tokenize(body[len(prefix) :])
            command = self.registry.lookup(tokens[0]) if tokens else None
            return command is not None and command.resolve(tokens[1:])[0].read_only
        except (ValueError, CommandError):
            return False

    def _start_command(
        self, message: IncomingMessage, arrived: float, claim: asyncio.Future[bool]
    ) -> None:
        self.started.add(message.event_id)
        self.metrics.event()
        self.commands.start(
            f"cmd:{message.event_id}",
            lambda answered: self._guarded(message, arrived, answered, claim),
        )

    async def archive_message(self, message: IncomingMessage) -> None:
        """Keep a chat message for search, digests and the map (idempotent by event id)."""
        await self.repos.archive.add(
            ArchivedMessage(
                event_id=message.event_id,
                room_id=message.room_id,
                sender=message.sender,
                sent_at=message.sent_at or self.clock(),
                body=message.body,
                thread_root=message.thread_root,
                reply_to=message.reply_to,
                mentions=message.mentions,
            )
        )
        await self.repos.events.finish(message.event_id)

    async def on_edit(self, target_event_id: str, new_body: str, sender: str) -> None:
        """An `m.replace` edit by the original author: archive and index follow it."""
        original = await self.repos.archive.get(target_event_id)
        if original is not None and original.sender == sender:
            await self.repos.archive.edit(target_event_id, new_body)

    async def on_redaction(self, redacted_event_id: str) -> None:
        """A redaction removes a message from the archive and index, or withdraws an RSVP."""
        if not await self.repos.meetings.drop_rsvp_reaction(redacted_event_id):
            await self.repos.archive.redact(redacted_event_id)

    async def on_reaction(self, sender: str, target_event_id: str, key: str, event_id: str) -> None:
        """Reactions on a meeting announcement are RSVPs."""
        if sender != self.settings.user_id:
            await record_rsvp(self.repos, sender, target_event_id, key, event_id)

    async def on_member(
        self, room_id: str, user_id: str, membership: str, display_name: str | None
    ) -> None:
        await self.repos.rooms.set_member(room_id, user_id, membership, display_name)
        if user_id == self.settings.user_id:
            await self.repos.rooms.set_joined(room_id, membership == "join")

    async def on_room_states(self, states: list[RoomState]) -> None:
        """Many rooms' state at once (the full state after a start): one write."""
        await self.repos.rooms.apply_states(states)

    async def on_power_levels(self, room_id: str, users: dict[str, int], default: int) -> None:
        await self.repos.rooms.set_power_levels(room_id, users, default)

    def accepts_invite(self, inviter: str) -> bool:
        allowed = is_allowed_inviter(inviter, self.settings.allowed_inviters)
        if not allowed:
            log.warning("refusing invite from %s: not in ALLOWED_INVITERS", inviter)
        return allowed

    async def let_commands_answer(self, limit: float) -> None:
        """Wait up to `limit` seconds for the commands started since the last call to have
        answered.

        The sync loop calls this before its next long-poll, as nio's own callbacks do: a
        reply then reaches the homeserver before the bot's next /sync instead of with it.
        Measured with bench/latency.py, a /sync arriving together with the reply slowed the
        reply by ~5 ms. A slow command holds the next sync back by `limit` at most."""
        await self.commands.let_answer(limit)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for running commands (on shutdown), cancelling any that outlive `timeout`."""
        await self.commands.drain(timeout)

    async def _guarded(
        self,
        message: IncomingMessage,
        arrived: float,
        answered: asyncio.Future[None],
        claim: asyncio.Future[bool],
    ) -> None:
        """Run a command; only once it has run is its event marked done (a kill before that
        lets the next start run it again, its replies deduplicated by transaction id). A
        claim that turns out taken (a read-only command handled before a restart) is left
        as it is: the repeated reply had the earlier one's transaction ids."""
        try:
            await self._slow_down(message)
            await self.run_command(message)
            self.metrics.command_took(asyncio.get_running_loop().time() - arrived)
            answered.set_result(None)
            if await claim:
                await self.repos.events.finish(message.event_id)
        except Exception:
            log.exception("command task for %s failed outside the error sink", message.event_id)

    async def _slow_down(self, message: IncomingMessage) -> None:
        """Flood control: a sender past their burst waits (told once, politely); nobody
        else is held up and nothing is dropped. FLOOD_RATE=0 turns it off."""
        if self.settings.flood_rate <= 0:
            return
        delay = self.flood.delay_for(message.sender, asyncio.get_running_loop().time())
        if delay <= 0:
            return
        if self.flood.should_warn(message.sender):
            text = Text(
                "명령이 너무 빠르게 이어지고 있어 잠시 천천히 처리합니다.",
                "Commands are coming in fast; yours will be answered a little slower.",
            ).both(self.settings.language)
            notice = Notice(
                f"{message.sender}: {text}",
                f"{user_pill(message.sender)}: {esc(text).replace(chr(10), '<br>')}",
                (message.sender,),
            )
            await self.messenger.send_notice(message.room_id, notice, None, message.thread_root)
        await asyncio.sleep(delay)

    async def run_command(self, message: IncomingMessage) -> None:
        """Parse, check the role, run, and turn every error into a short reply."""
        ctx = self._context(message)
        text = message.command_body[len(self.settings.command_prefix) :]
        command: Command | None = None
        try:
            if len(text) > self.settings.command_max_chars:
                command = self.registry.lookup(text.split(maxsplit=1)[0]) if text.split() else None
                raise command_too_long(self.settings.command_max_chars)
            tokens = tokenize(text)
            if not tokens:
                return
            command = self.registry.lookup(tokens[0])
            if command is None:
                await self._answer(ctx, unknown_command(self.registry, tokens[0], self.settings))
                return
            command, rest = command.resolve(tokens[1:])
            await self._check_role(ctx, command)
            arguments = bind(command.args, rest)
            assert command.handler is not None
            await command.handler(ctx, **arguments)
            await self._audit(ctx, command, text, OUTCOME_OK)
        except CommandError as error:
            await self._audit(ctx, command, text, _outcome(error))
            await self._answer(ctx, Notice.plain(explain(error, command, self.settings)))
        except Exception:
            reference = secrets.token_hex(4)
            log.exception(
                "command failed [ref %s] in %s: %r", reference, message.room_id, text[:200]
            )
            await self._audit(ctx, command, text, OUTCOME_ERROR, reference)
            await self._answer(ctx, failure_notice(reference, self.settings), reference)

    async def _answer(self, ctx: Context, notice: Notice, reference: str | None = None) -> None:
        """Reply; if even that fails (the homeserver refused it), a short error with a
        reference id the log also carries: no command ends in silence."""
        try:
            await ctx.reply(notice)
        except Exception:
            reference = reference or secrets.token_hex(4)
            log.exception("reply failed [ref %s] in %s", reference, ctx.room_id)
            try:
                await ctx.reply(failure_notice(reference, self.settings))
            except Exception:
                log.exception("fallback reply failed [ref %s] in %s", reference, ctx.room_id)

    def _context(self, message: IncomingMessage) -> Context:
        return Context(
            sender=message.sender,
            room_id=message.room_id,
            event_id=message.event_id,
            thread_root=message.thread_root,
            messenger=TxnMessenger(self.messenger, message.event_id),
            repos=self.repos,
            settings=self.settings,
            clock=self.clock,
            runtime=self.runtime,
            registry=self.registry,
            plan=self.plan,
            reply_to=message.reply_to,
            jobs=self.jobs,
        )

    async def _check_role(self, ctx: Context, command: Command) -> None:
        if command.role == Role.MEMBER:
            return
        held = await role_in_room(ctx)
        if held < command.role:
            needed = {Role.CHAIR: ("의장(WG 의장)", "chair"), Role.ADMIN: ("관리자", "admin")}
            ko, en = needed[command.role]
            raise PermissionDenied(
                f"이 명령은 {ko} 권한이 필요합니다.", f"This command needs the {en} role."
            )

    async def _audit(
        self,
        ctx: Context,
        command: Command | None,
        text: str,
        outcome: str,
        reference: str | None = None,
    ) -> None:
        self.metrics.command(command.path if command else "unknown", outcome)
        if command is None or command.role == Role.MEMBER:
            return
        entry = AuditEntry(
            user_id=ctx.sender,
            room_id=ctx.room_id,
            command=command.path[:64],
            arguments=text[: self.settings.command_max_chars],
            outcome=outcome,
            reference=reference,
            at=ctx.clock(),
        )
        await self.repos.audit.record(entry)


def _outcome(error: CommandError) -> str:
    return OUTCOME_DENIED if isinstance(error, PermissionDenied) else OUTCOME_INVALID
