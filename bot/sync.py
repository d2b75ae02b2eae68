"""Turns one sync batch into dispatcher calls, filling `limited` timeline gaps first.

A stock Synapse returns at most 100 timeline events per room and sync; under a burst
the rest would be silently skipped. Paging `/messages` back from the timeline's
`prev_batch` to the previous `since` token recovers them, so no command is lost.
"""

from __future__ import annotations

import logging
from typing import Any

from nio import (
    AsyncClient,
    InviteMemberEvent,
    MegolmEvent,
    MessageDirection,
    PowerLevelsEvent,
    ReactionEvent,
    RedactionEvent,
    RoomCreateEvent,
    RoomEncryptionEvent,
    RoomMemberEvent,
    RoomMessagesResponse,
    RoomMessageText,
    RoomNameEvent,
    SyncResponse,
)
from nio.responses import RoomInfo

from bot.crypto import DeviceTrust
from bot.dispatch import Dispatcher, IncomingMessage
from bot.event_fields import (
    edit_of,
    identifier,
    malformed_fields,
    mentions_of,
    pills_of,
    reply_to_of,
    sent_at_of,
    text_body_of,
    thread_root_of,
)
from bot.event_guard import EventGuard
from commands.permissions import privileged_creators
from storage.room_state import RoomState

log = logging.getLogger(__name__)
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 100}}}
"""Only the timeline limit is raised: measured here, adding presence or member-loading
clauses made Synapse deliver each event to the bot ~7 ms later."""
GAP_PAGE = 100
GAP_MAX_PAGES = 50


async def fill_gap(client: AsyncClient, room_id: str, prev_batch: str, since: str) -> list[Any]:
    """Events between the previous sync and the start of a limited timeline, oldest first."""
    events: list[Any] = []
    start = prev_batch
    for _ in range(GAP_MAX_PAGES):
        response = await client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back, limit=GAP_PAGE
        )
        if not isinstance(response, RoomMessagesResponse):
            log.warning("gap fill in %s failed: %s", room_id, response)
            break
        events.extend(response.chunk)
        if not response.chunk or not response.end or response.end == start:
            break
        start = response.end
    log.log(
        logging.INFO if events else logging.DEBUG,
        "filled a gap of %d events in %s",
        len(events),
        room_id,
    )
    return list(reversed(events))


class SyncProcessor:
    """Feeds a sync response to the dispatcher: state first, then the timeline in order.

    Each event is handled under the guard: one whose handling fails on its content is
    recorded and skipped, and the rest of the batch goes on."""

    def __init__(self, client: AsyncClient, dispatcher: Dispatcher, trust: DeviceTrust) -> None:
        self.client = client
        self.dispatcher = dispatcher
        self.trust = trust
        self.guard = EventGuard(dispatcher.repos, dispatcher.metrics, dispatcher.clock)
        self._prefix = dispatcher.settings.command_prefix

    async def process(self, response: SyncResponse, since: str | None) -> None:
        """With `since` None (a fresh install) messages are not answered, only recorded."""
        written = await self._states_at_once(response.rooms.join, since is None)
        for room_id, info in response.rooms.join.items():
            await self._joined_room(room_id, info, since, room_id in written)
        for room_id in response.rooms.leave:
            await self.dispatcher.on_member(
                room_id, self.dispatcher.settings.user_id, "leave", None
            )
        for room_id, invite in response.rooms.invite.items():
            await self.guard.run(room_id, None, self._invite(room_id, invite.invite_state))

    async def _joined_room(
        self, room_id: str, info: RoomInfo, since: str | None, state_written: bool = False
    ) -> None:
        timeline = list(info.timeline.events)
        if since is not None and info.timeline.limited and info.timeline.prev_batch:
            timeline = await fill_gap(self.client, room_id, info.timeline.prev_batch, since) + (
                timeline
            )
        for event in [] if state_written else info.state:
            await self.guard.run(room_id, _event_id(event), self._state(room_id, event))
        if state_written and since is None:
            return  # a fresh install's timeline only carried state, written already
        for event in timeline:
            await self.guard.run(room_id, _event_id(event), self._event(room_id, event, since))

    async def _event(self, room_id: str, event: Any, since: str | None) -> None:
        await self._state(room_id, event)
        if since is not None:
            await self._timeline_event(room_id, event)

    async def _timeline_event(self, room_id: str, event: Any) -> None:
        if isinstance(event, MegolmEvent):
            await self.trust.undecrypted(event)
            return
        if isinstance(event, RedactionEvent) and event.redacts:
            await self.dispatcher.on_redaction(event.redacts)
            return
        if isinstance(event, ReactionEvent):
            await self.dispatcher.on_reaction(
                event.sender, event.reacts_to, event.key, event.event_id
            )
            return
        if _source_type(event) == "m.room.message":
            self.dispatcher.metrics.malformed(malformed_fields(event))
        body = text_body_of(event, isinstance(event, RoomMessageText))
        if body is None or getattr(event, "sender", None) == self.dispatcher.settings.user_id:
            return
        if identifier(event.event_id) is None or identifier(event.sender) is None:
            return
        edit = edit_of(event)
        if edit is not None:
            await self.dispatcher.on_edit(*edit, event.sender)
            return
        await self.dispatcher.on_message(
            IncomingMessage(
                event_id=event.event_id,
                room_id=room_id,
                sender=event.sender,
                body=body,
                thread_root=thread_root_of(event),
                reply_to=reply_to_of(event),
                sent_at=sent_at_of(event, self.dispatcher.clock()),
                mentions=mentions_of(event),
                pills=pills_of(event) if body.startswith(self._prefix) else (),
            )
        )

    async def _states_at_once(self, joined: dict[str, RoomInfo], fresh: bool) -> set[str]:
        """Every room's state section in one write (after a start: each room's full state);
        on a `fresh` install, whose first timelines are not answered, their state events too.
        Returns the rooms written. A room whose state cannot be read, or all rooms if the
        write fails, are left to the event-by-event path under the guard."""
        states = []
        for room_id, info in joined.items():
            events = [*info.state, *(info.timeline.events if fresh else ())]
            try:
                if events:
                    states.append(self._room_state(room_id, events))
            except Exception:
                log.debug("state of %s taken event by event", room_id, exc_info=True)
        if not states:
            return set()
        try:
            await self.dispatcher.on_room_states(states)
        except Exception:
            log.debug("batched state write failed; event by event", exc_info=True)
            return set()
        return {state.room_id for state in states}

    def _room_state(self, room_id: str, events: list[Any]) -> RoomState:
        """What `_state` would write for these events, gathered (later events win)."""
        state = RoomState(room_id)
        for event in events:
            if isinstance(event, RoomMemberEvent):
                membership = str(event.membership)
                state.members.append((event.state_key, membership, _display_name(event)))
                if event.state_key == self.dispatcher.settings.user_id:
                    state.joined = membership == "join"
            elif isinstance(event, RoomCreateEvent):
                state.creators = privileged_creators(event.source) or state.creators
            elif isinstance(event, RoomNameEvent):
                state.name = str(event.name)
            elif isinstance(event, RoomEncryptionEvent):
                state.encrypted = True
            elif isinstance(event, PowerLevelsEvent):
                users = {user: int(level) for user, level in event.power_levels.users.items()}
                state.power = (users, int(event.power_levels.defaults.users_default))
        return state

    async def _state(self, room_id: str, event: Any) -> None:
        if isinstance(event, RoomMemberEvent):
            name = _display_name(event)
            await self.dispatcher.on_member(room_id, event.state_key, event.membership, name)
        elif isinstance(event, RoomCreateEvent):
            creators = privileged_creators(event.source)
            if creators:
                await self.dispatcher.repos.rooms.set_creators(room_id, creators)
        elif isinstance(event, RoomNameEvent):
            await self.dispatcher.repos.rooms.set_name(room_id, str(event.name))
        elif isinstance(event, RoomEncryptionEvent):
            await self.dispatcher.repos.rooms.set_encrypted(room_id)
        elif isinstance(event, PowerLevelsEvent):
            users = dict(event.power_levels.users)
            await self.dispatcher.on_power_levels(
                room_id, users, event.power_levels.defaults.users_default
            )

    async def _invite(self, room_id: str, invite_state: list[Any]) -> None:
        me = self.dispatcher.settings.user_id
        inviter = next(
            (
                e.sender
                for e in invite_state
                if isinstance(e, InviteMemberEvent)
                and e.state_key == me
                and e.membership == "invite"
            ),
            None,
        )
        if inviter is None:
            return
        if self.dispatcher.accepts_invite(inviter):
            response = await self.client.join(room_id)
            log.info("joined %s on invite from %s: %s", room_id, inviter, type(response).__name__)
        else:
            await self.client.room_leave(room_id)


def _display_name(event: RoomMemberEvent) -> str | None:
    name = (event.content if isinstance(event.content, dict) else {}).get("displayname")
    return name[:255] if isinstance(name, str) else None


def _event_id(event: Any) -> str | None:
    return identifier(getattr(event, "event_id", None))


def _source_type(event: Any) -> object:
    source = getattr(event, "source", None)
    return source.get("type") if isinstance(source, dict) else None
