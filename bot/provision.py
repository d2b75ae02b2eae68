"""`sotong provision PLAN`: make the plan's spaces and rooms exist and match the plan.

Idempotent and resumable: each room id is stored the moment the room exists, a room whose
alias already resolves is adopted, and every later run only applies the difference.
Rate limits are honoured by nio's retry on `M_LIMIT_EXCEEDED` (`retry_after_ms`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nio import (
    AsyncClient,
    ErrorResponse,
    RoomCreateResponse,
    RoomGetStateResponse,
    RoomResolveAliasResponse,
)

from bot.config import Settings
from commands.permissions import privileged_creators
from commands.plan import Change, LiveRoom, Plan, room_changes
from storage.plan_rooms import PlanRoomRecord, PlanRoomRepository

Progress = Callable[[int, int, str], None]


class ProvisionError(RuntimeError):
    """The homeserver refused a step; the message says which room and why."""


@dataclass
class ProvisionReport:
    created: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.changes


def progress_bar(done: int, total: int, label: str) -> None:
    """A one-line progress bar with counts, redrawn in place on stderr."""
    width = 30
    filled = width * done // max(total, 1)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(f"\r[{bar}] {done}/{total} {label[:40]:<40}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _check(response: Any, what: str) -> Any:
    if isinstance(response, ErrorResponse):
        raise ProvisionError(f"{what}: {response.status_code} {response.message}")
    return response


class Provisioner:
    """Walks the planned rooms parents-first, creating or reconciling each."""

    def __init__(
        self, client: AsyncClient, settings: Settings, plan: Plan, repo: PlanRoomRepository
    ) -> None:
        self.client = client
        self.settings = settings
        self.plan = plan
        self.repo = repo
        self.planned = plan.rooms()

    async def run(self, dry_run: bool, prune: bool, progress: Progress) -> ProvisionReport:
        report = ProvisionReport()
        planned = self.planned
        records = await self.repo.all(self.plan.key)
        for index, room in enumerate(planned, start=1):
            progress(index - 1, len(planned), room.name)
            record = records.get(room.key) or await self._adopt(room)
            if record is None:
                report.created.append(room.key)
                if not dry_run:
                    records[room.key] = await self._create(room, records)
                continue
            records[room.key] = record
            changes = await self._diff(room, record, records, prune)
            report.changes.extend(changes)
            if not dry_run:
                for change in changes:
                    await self._apply(record.room_id, change)
        progress(len(planned), len(planned), "done")
        return report

    def _alias(self, room: Any) -> str:
        return f"#{room.alias_localpart}:{self.settings.server_name}"

    async def _adopt(self, room: Any) -> PlanRoomRecord | None:
        """A room left by an interrupted run (alias exists, id not stored) is taken over."""
        resolved = await self.client.room_resolve_alias(self._alias(room))
        if not isinstance(resolved, RoomResolveAliasResponse):
            return None
        record = PlanRoomRecord(
            self.plan.key, room.key, resolved.room_id, room.kind, self._alias(room)
        )
        await self.repo.save(record)
        return record

    async def _create(self, room: Any, records: dict[str, PlanRoomRecord]) -> PlanRoomRecord:
        parent = records.get(room.space_key) if room.space_key else None
        response = await self.client.room_create(
            alias=room.alias_localpart,
            name=room.name,
            topic=room.topic,
            invite=[
                u
                for u in sorted(set(room.members) | set(room.chairs))
                if u != self.settings.user_id
            ],
            initial_state=self._initial_state(room, parent),
            power_level_override={
                "users": {c: self.settings.chair_power_level for c in room.chairs}
            },
            space=room.kind == "space",
        )
        if not isinstance(response, RoomCreateResponse):
            raise ProvisionError(f"creating {room.key}: {response}")
        record = PlanRoomRecord(
            self.plan.key, room.key, response.room_id, room.kind, self._alias(room)
        )
        await self.repo.save(record)
        if parent is not None:
            await self._link_child(parent.room_id, response.room_id)
        return record

    def _initial_state(self, room: Any, parent: PlanRoomRecord | None) -> list[dict[str, Any]]:
        state: list[dict[str, Any]] = [
            {
                "type": "m.room.history_visibility",
                "state_key": "",
                "content": {"history_visibility": "shared"},
            },
        ]
        if parent is not None:
            server = self.settings.server_name
            state.append(
                {
                    "type": "m.space.parent",
                    "state_key": parent.room_id,
                    "content": {"via": [server], "canonical": True},
                }
            )
            state.append(
                {
                    "type": "m.room.join_rules",
                    "state_key": "",
                    "content": {
                        "join_rule": "restricted",
                        "allow": [{"type": "m.room_membership", "room_id": parent.room_id}],
                    },
                }
            )
        if room.encrypted:
            state.append(
                {
                    "type": "m.room.encryption",
                    "state_key": "",
                    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
                }
            )
        return state

    async def _link_child(self, space_id: str, child_id: str) -> None:
        content = {"via": [self.settings.server_name]}
        _check(
            await self.client.room_put_state(space_id, "m.space.child", content, child_id),
            f"linking {child_id} into {space_id}",
        )

    async def _diff(
        self, room: Any, record: PlanRoomRecord, records: dict[str, PlanRoomRecord], prune: bool
    ) -> list[Change]:
        live = await read_live_room(self.client, record.room_id)
        children = tuple(
            records[child.key].room_id
            for child in self.planned
            if child.space_key == room.key and child.key in records
        )
        return room_changes(
            room, live, self.settings.user_id, self.settings.chair_power_level, prune, children
        )

    async def _apply(self, room_id: str, change: Change) -> None:
        payload = change.payload
        if change.kind == "name":
            response = await self.client.room_put_state(room_id, "m.room.name", payload)
        elif change.kind == "topic":
            response = await self.client.room_put_state(room_id, "m.room.topic", payload)
        elif change.kind == "power":
            response = await self.client.room_put_state(
                room_id, "m.room.power_levels", payload["content"]
            )
        elif change.kind == "invite":
            response = await self.client.room_invite(room_id, payload["user"])
        elif change.kind == "kick":
            response = await self.client.room_kick(room_id, payload["user"], "removed from plan")
        elif change.kind == "child":
            await self._link_child(room_id, payload["child"])
            return
        else:
            raise ProvisionError(f"unknown change {change.kind}")
        _check(response, f"{change.detail} in {change.room_key}")


async def read_live_room(client: AsyncClient, room_id: str) -> LiveRoom:
    """Name, topic, power levels, memberships and space children from the room state."""
    response = await client.room_get_state(room_id)
    if not isinstance(response, RoomGetStateResponse):
        raise ProvisionError(f"reading the state of {room_id}: {response}")
    by_type: dict[str, dict[str, Any]] = {}
    members: dict[str, str] = {}
    children: set[str] = set()
    creators: frozenset[str] = frozenset()
    for event in response.events:
        kind, content = event.get("type"), event.get("content", {})
        if kind == "m.room.create":
            creators = privileged_creators(event)
        if kind == "m.room.member":
            members[event["state_key"]] = content.get("membership", "leave")
        elif kind == "m.space.child" and content.get("via"):
            children.add(event["state_key"])
        elif event.get("state_key") == "":
            by_type[kind] = content
    return LiveRoom(
        room_id=room_id,
        name=by_type.get("m.room.name", {}).get("name"),
        topic=by_type.get("m.room.topic", {}).get("topic"),
        power_levels=by_type.get("m.room.power_levels", {}),
        members=members,
        children=frozenset(children),
        creators=creators,
    )
