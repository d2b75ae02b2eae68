"""Provisioning's Matrix side: reading a room's live state, applying one change, and a client
that gives up on an unreachable homeserver instead of retrying forever."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from aiohttp import ClientConnectionError, ClientResponse
from nio import AsyncClient, ErrorResponse, RoomGetStateResponse

from commands.permissions import privileged_creators
from commands.plan import Change, LiveRoom

GIVE_UP_AFTER = 60.0
"""Seconds an unreachable homeserver is retried before provisioning stops."""


class ProvisionError(RuntimeError):
    """The homeserver refused a step; the message says which room and why."""


class HomeserverUnreachable(ProvisionError):
    """No answer from the homeserver for `GIVE_UP_AFTER` seconds (or the configured bound)."""


class PatientClient(AsyncClient):
    """nio retries a connection failure forever; this client stops after `give_up_after`
    seconds without an answer and raises `HomeserverUnreachable` (rate limits still wait)."""

    give_up_after: float = GIVE_UP_AFTER
    failing_since: float | None = None

    async def send(self, *args: Any, **kwargs: Any) -> ClientResponse:
        started = time.monotonic()
        try:
            response = await super().send(*args, **kwargs)
        except (ClientConnectionError, TimeoutError) as error:
            if self.failing_since is None:
                self.failing_since = started
            if time.monotonic() - self.failing_since >= self.give_up_after:
                raise HomeserverUnreachable(
                    f"the homeserver {self.homeserver} did not answer for "
                    f"{self.give_up_after:g} s ({type(error).__name__}: {error})"
                ) from None
            raise
        self.failing_since = None
        return response


def check(response: Any, what: str) -> Any:
    if isinstance(response, ErrorResponse):
        raise ProvisionError(f"{what}: {response.status_code} {response.message}")
    return response


def live_room(room_id: str, events: Iterable[dict[str, Any]]) -> LiveRoom:
    """Name, topic, power levels, join rules, memberships, space parents and children."""
    by_type: dict[str, dict[str, Any]] = {}
    members: dict[str, str] = {}
    links: dict[str, set[str]] = {"m.space.child": set(), "m.space.parent": set()}
    creators: frozenset[str] = frozenset()
    for event in events:
        kind, content = event.get("type"), event.get("content", {})
        if kind == "m.room.create":
            creators = privileged_creators(event)
        if kind == "m.room.member":
            members[event["state_key"]] = content.get("membership", "leave")
        elif kind in links and content.get("via"):
            links[kind].add(event["state_key"])
        elif event.get("state_key") == "":
            by_type[str(kind)] = content
    return LiveRoom(
        room_id=room_id,
        name=by_type.get("m.room.name", {}).get("name"),
        topic=by_type.get("m.room.topic", {}).get("topic"),
        power_levels=by_type.get("m.room.power_levels", {}),
        members=members,
        children=frozenset(links["m.space.child"]),
        creators=creators,
        join_rules=by_type.get("m.room.join_rules", {}),
        parents=frozenset(links["m.space.parent"]),
    )


async def read_live_room(client: AsyncClient, room_id: str) -> LiveRoom:
    """The room's live state; ProvisionError when the bot may not read it."""
    response = await client.room_get_state(room_id)
    if not isinstance(response, RoomGetStateResponse):
        raise ProvisionError(f"reading the state of {room_id}: {response}")
    return live_room(room_id, response.events)


class StepWriter:
    """Applies one `Change` to a room; each kind is one small method."""

    def __init__(self, client: AsyncClient, server_name: str) -> None:
        self.client = client
        self.server_name = server_name
        self.steps: dict[str, Callable[[str, Change], Awaitable[Any]]] = {
            "name": lambda room, c: self._state(room, "m.room.name", c.payload),
            "topic": lambda room, c: self._state(room, "m.room.topic", c.payload),
            "power": lambda room, c: self._state(room, "m.room.power_levels", c.payload["content"]),
            "join_rules": lambda room, c: self._state(
                room, "m.room.join_rules", c.payload["content"]
            ),
            "invite": lambda room, c: self.client.room_invite(room, c.payload["user"]),
            "kick": lambda room, c: self.client.room_kick(
                room, c.payload["user"], "removed from plan"
            ),
            "child": lambda room, c: self.link_child(room, c.payload["child"]),
            "unparent": lambda room, c: self._unparent(room, c.payload["space"]),
            "notice": lambda room, c: self.client.room_send(
                room, "m.room.message", {"msgtype": "m.notice", "body": c.payload["body"]}
            ),
        }

    async def apply(self, room_id: str, change: Change) -> None:
        step = self.steps.get(change.kind)
        if step is None:
            raise ProvisionError(f"unknown change {change.kind}")
        check(await step(room_id, change), f"{change.detail} in {change.room_key}")

    async def _state(self, room_id: str, kind: str, content: Any) -> Any:
        return await self.client.room_put_state(room_id, kind, dict(content))

    async def link_child(self, space_id: str, child_id: str) -> None:
        content = {"via": [self.server_name]}
        check(
            await self.client.room_put_state(space_id, "m.space.child", content, child_id),
            f"linking {child_id} into {space_id}",
        )

    async def _unparent(self, room_id: str, space_id: str) -> Any:
        """Take the room out of the space, on both sides (empty content removes a link)."""
        check(
            await self.client.room_put_state(space_id, "m.space.child", {}, room_id),
            f"detaching {room_id} from {space_id}",
        )
        return await self.client.room_put_state(room_id, "m.space.parent", {}, space_id)
