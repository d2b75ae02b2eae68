"""Turns one sync batch into dispatcher calls, filling `limited` timeline gaps first.

A stock Synapse returns at most 100 timeline events per room and sync; under a burst
the rest would be silently skipped. Paging `/messages` back from the timeline's
`prev_batch` to the previous `since` token recovers them, so no command is lost.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

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
from commands.permissions import privileged_creators

log = logging.getLogger(__name__)
SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 100}}}
"""Only the timeline limit is raised: measured here, adding presence or member-loading
clauses made Synapse deliver each event to the bot ~7 ms later."""
GAP_PAGE = 100
PILL_RE = re.compile(r'href=["\']https://matrix\.to/#/((?:@|%40)[^"\'/?]+)')
GAP_MAX_PAGES = 50


def thread_root_of(event: Any) -> str | None:
    relation = _relation(event)
    return relation.get("event_id") if relation.get("rel_type") == "m.thread" else None


def _relation(event: Any) -> dict[str, Any]:
    return event.source.get("content", {}).get("m.relates_to") or {}


def reply_to_of(event: Any) -> str | None:
    return (_relation(event).get("m.in_reply_to") or {}).get("event_id")


def mentions_of(event: Any) -> tuple[str, ...]:
    """Users the message mentions: `m.mentions` user ids, and pills in the formatted body
    (older clients send only those)."""
    content = event.source.get("content", {})
    mentions = content.get("m.mentions")
    declared = mentions.get("user_ids") if isinstance(mentions, dict) else None
    declared = declared if isinstance(declared, list) else []
    pills = [unquote(found) for found in PILL_RE.findall(str(content.get("formatted_body", "")))]
    users = [u for u in [*declared, *pills] if isinstance(u, str) and u.startswith("@")]
    return tuple(dict.fromkeys(users))


def edit_of(event: Any) -> tuple[str, str] | None:
    """(edited event id, new body) for an `m.replace` edit, else None."""
    relation = _relation(event)
    if relation.get("rel_type") != "m.replace":
        return None
    new = event.source.get("content", {}).get("m.new_content") or {}
    return relation.get("event_id"), str(new.get("body", ""))


def sent_at_of(event: Any) -> datetime:
    return datetime.fromtimestamp(event.server_timestamp / 1000, tz=UTC)


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
    """Feeds a sync response to the dispatcher: state first, then the timeline in order."""

    def __init__(self, client: AsyncClient, dispatcher: Dispatcher, trust: DeviceTrust) -> None:
        self.client = client
        self.dispatcher = dispatcher
        self.trust = trust

    async def process(self, response: SyncResponse, since: str | None) -> None:
        """With `since` None (a fresh install) messages are not answered, only recorded."""
        for room_id, info in response.rooms.join.items():
            await self._joined_room(room_id, info, since)
        for room_id in response.rooms.leave:
            await self.dispatcher.on_member(
                room_id, self.dispatcher.settings.user_id, "leave", None
            )
        for room_id, invite in response.rooms.invite.items():
            await self._invite(room_id, invite.invite_state)

    async def _joined_room(self, room_id: str, info: RoomInfo, since: str | None) -> None:
        timeline = list(info.timeline.events)
        if since is not None and info.timeline.limited and info.timeline.prev_batch:
            timeline = await fill_gap(self.client, room_id, info.timeline.prev_batch, since) + (
                timeline
            )
        for event in info.state:
            await self._state(room_id, event)
        for event in timeline:
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
        if (
            not isinstance(event, RoomMessageText)
            or event.sender == self.dispatcher.settings.user_id
        ):
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
                body=event.body,
                thread_root=thread_root_of(event),
                reply_to=reply_to_of(event),
                sent_at=sent_at_of(event),
                mentions=mentions_of(event),
            )
        )

    async def _state(self, room_id: str, event: Any) -> None:
        if isinstance(event, RoomMemberEvent):
            name = (event.content or {}).get("displayname")
            await self.dispatcher.on_member(room_id, event.state_key, event.membership, name)
        elif isinstance(event, RoomCreateEvent):
            creators = privileged_creators(event.source)
            if creators:
                await self.dispatcher.repos.rooms.set_creators(room_id, creators)
        elif isinstance(event, RoomNameEvent):
            await self.dispatcher.repos.rooms.set_name(room_id, event.name)
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
