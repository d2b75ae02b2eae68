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
        for room_id, info in response.rooms.join.items():
            await self._joined_room(room_id, info, since)
        for room_id in response.rooms.leave:
            await self.dispatcher.on_member(
                room_id, self.dispatcher.settings.user_id, "leave", None
            )
        for room_id, invite in response.rooms.invite.items():
            await self.guard.run(room_id, None, self._invite(room_id, invite.invite_state))

    async def _joined_room(self, room_id: str, info: RoomInfo, since: str | None) -> None:
        timeline = list(info.timeline.events)
        if since is not None and info.timeline.limited and info.timeline.prev_batch:
            timeline = await fill_gap(self.client, room_id, info.timeline.prev_batch, since) + (
                timeline
            )
        for event in info.state:
            await self.guard.run(room_id, _event_id(event), self._state(room_id, event))
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

    async def _state(self, room_id: str, event: Any) -> None:
        if isinstance(event, RoomMemberEvent):
            name = (event.content if isinstance(event.content, dict) else {}).get("displayname")
            name = name[:255] if isinstance(name, str) else None
            await self.dispatcher.on_member(room_id, event.state_key, event.membership, name)
        elif isinstance(event, RoomCreateEvent):
            creators = privileged_creators(event.source)
            if creators:
                await self.dispatcher.repos.rooms.set_creators(room_id, creators)
        elif isinstance(event, RoomNameEvent):
            await self.dispatcher.repos.rooms.set_name(room_id, str(event.name))
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


def _event_id(event: Any) -> str | None:
    return identifier(getattr(event, "event_id", None))


def _source_type(event: Any) -> object:
    source = getattr(event, "source", None)
    return source.get("type") if isinstance(source, dict) else None
