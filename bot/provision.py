"""`sotong provision PLAN`: make the plan's spaces and rooms exist and match the plan.

Idempotent and resumable: each room id is stored the moment the room exists, a room whose
alias already resolves to a room the bot manages is adopted, and every later run only applies
the difference. An alias held by a room the bot cannot manage stops the run before anything
is created. A room whose task left the plan is reported, and archived with `--prune`. A dry
run reads, never writes. Rate limits are honoured by nio's retry on `M_LIMIT_EXCEEDED`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, RoomCreateResponse, RoomGetStateResponse, RoomResolveAliasResponse

from bot.config import Settings
from bot.provision_steps import ProvisionError, StepWriter, live_room, read_live_room
from commands.plan import (
    Change,
    LiveRoom,
    Plan,
    archive_changes,
    can_manage,
    desired_join_rules,
    room_changes,
)
from storage.plan_rooms import PlanRoomRecord, PlanRoomRepository

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Creation:
    """A room to create: what the operator needs to recognise it."""

    key: str
    alias: str
    name: str
    invite: tuple[str, ...]


@dataclass(frozen=True)
class Retired:
    """A provisioned room whose task is no longer in the plan (not archived yet)."""

    key: str
    alias: str
    name: str


@dataclass(frozen=True)
class Conflict:
    alias: str
    room_id: str
    reason: str


class AliasConflict(ProvisionError):
    """Planned aliases held by rooms the bot cannot manage; nothing was created."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(", ".join(c.alias for c in conflicts))
        self.conflicts = conflicts


@dataclass
class ProvisionReport:
    created: list[Creation] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    retired: list[Retired] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    """Room key → `#alias:server  name`, how the output names a room."""
    pruned: bool = False

    @property
    def unchanged(self) -> bool:
        return not self.created and not self.changes and not self.retired


class Provisioner:
    """Walks the planned rooms parents-first, creating or reconciling each, then the rooms
    whose task left the plan."""

    def __init__(
        self, client: AsyncClient, settings: Settings, plan: Plan, repo: PlanRoomRepository
    ) -> None:
        self.client = client
        self.settings = settings
        self.plan = plan
        self.repo = repo
        self.planned = plan.rooms()
        self.writer = StepWriter(client, settings.server_name)
        self.space_children: dict[str, frozenset[str]] = {}

    async def run(self, dry_run: bool, prune: bool, progress: Progress) -> ProvisionReport:
        report = ProvisionReport(pruned=prune)
        records = await self.repo.all(self.plan.key)
        adopted = await self._adoptable(records)
        if not dry_run:
            for record in adopted.values():
                await self.repo.save(record)
        records.update(adopted)
        total = len(self.planned)
        for index, room in enumerate(self.planned):
            progress(index, total, room.name)
            report.labels[room.key] = f"{self._alias(room)}  {room.name}"
            await self._room(room, records, report, dry_run, prune)
        await self._retire(records, report, dry_run, prune)
        progress(total, total, "done")
        return report

    def _alias(self, room: Any) -> str:
        return f"#{room.alias_localpart}:{self.settings.server_name}"

    def _invites(self, room: Any) -> tuple[str, ...]:
        return tuple(u for u in sorted(set(room.members) | set(room.chairs)) if u != self.me)

    @property
    def me(self) -> str:
        return self.settings.user_id

    async def _room(
        self,
        room: Any,
        records: dict[str, PlanRoomRecord],
        report: ProvisionReport,
        dry_run: bool,
        prune: bool,
    ) -> None:
        record = records.get(room.key)
        if record is None:
            alias = self._alias(room)
            report.created.append(Creation(room.key, alias, room.name, self._invites(room)))
            if not dry_run:
                records[room.key] = await self._create(room, records)
            return
        changes = await self._diff(room, record, records, prune)
        report.changes.extend(changes)
        if not dry_run:
            for change in changes:
                await self.writer.apply(record.room_id, change)

    async def _adoptable(self, records: dict[str, PlanRoomRecord]) -> dict[str, PlanRoomRecord]:
        """Rooms left by an interrupted run (alias taken, id not stored), to take over.
        AliasConflict, before anything is created, for aliases the bot cannot manage."""
        adopted: dict[str, PlanRoomRecord] = {}
        conflicts: list[Conflict] = []
        for room in self.planned:
            alias = self._alias(room)
            resolved = None if room.key in records else await self.client.room_resolve_alias(alias)
            if not isinstance(resolved, RoomResolveAliasResponse):
                continue
            reason = await self._unmanageable(resolved.room_id)
            if reason:
                conflicts.append(Conflict(alias, resolved.room_id, reason))
            else:
                adopted[room.key] = PlanRoomRecord(
                    self.plan.key, room.key, resolved.room_id, room.kind, alias
                )
        if conflicts:
            raise AliasConflict(conflicts)
        return adopted

    async def _unmanageable(self, room_id: str) -> str | None:
        """Why the bot cannot manage the room, or None when it can."""
        response = await self.client.room_get_state(room_id)
        if not isinstance(response, RoomGetStateResponse):
            return "the bot is not in that room"
        if not can_manage(live_room(room_id, response.events), self.me):
            return "the bot lacks the power to manage that room"
        return None

    async def _create(self, room: Any, records: dict[str, PlanRoomRecord]) -> PlanRoomRecord:
        parent = records.get(room.space_key) if room.space_key else None
        response = await self.client.room_create(
            alias=room.alias_localpart,
            name=room.name,
            topic=room.topic,
            invite=list(self._invites(room)),
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
            await self.writer.link_child(parent.room_id, response.room_id)
        return record

    def _initial_state(self, room: Any, parent: PlanRoomRecord | None) -> list[dict[str, Any]]:
        state: list[dict[str, Any]] = [
            _state("m.room.history_visibility", {"history_visibility": "shared"}),
        ]
        if parent is not None:
            via = {"via": [self.settings.server_name], "canonical": True}
            state.append(_state("m.space.parent", via, parent.room_id))
        rules = desired_join_rules(room.access, parent.room_id if parent else None)
        if rules is not None:
            state.append(_state("m.room.join_rules", rules))
        if room.encrypted:
            state.append(_state("m.room.encryption", {"algorithm": "m.megolm.v1.aes-sha2"}))
        return state

    async def _diff(
        self, room: Any, record: PlanRoomRecord, records: dict[str, PlanRoomRecord], prune: bool
    ) -> list[Change]:
        live = await read_live_room(self.client, record.room_id)
        if live.members.get(self.me) != "join":
            raise ProvisionError(f"the bot is no longer in {record.alias} ({record.room_id})")
        if room.kind == "space":
            self.space_children[record.room_id] = live.children
        children = tuple(
            records[child.key].room_id
            for child in self.planned
            if child.space_key == room.key and child.key in records
        )
        space = records.get(room.space_key) if room.space_key else None
        return room_changes(
            room,
            live,
            self.me,
            self.settings.chair_power_level,
            prune,
            children,
            space.room_id if space else None,
        )

    async def _retire(
        self,
        records: dict[str, PlanRoomRecord],
        report: ProvisionReport,
        dry_run: bool,
        prune: bool,
    ) -> None:
        """Rooms provisioned for tasks the plan no longer has: reported, and with `prune`
        archived (see `archive_changes`); never deleted, members kept."""
        planned = {room.key for room in self.planned}
        for key, record in sorted(records.items()):
            if key in planned:
                continue
            try:
                live = await read_live_room(self.client, record.room_id)
            except ProvisionError:
                report.retired.append(Retired(key, record.alias, "(the bot is not in it)"))
                continue
            if live.archived:
                continue
            report.labels[key] = f"{record.alias}  {live.name or key}"
            report.retired.append(Retired(key, record.alias, live.name or key))
            if prune:
                await self._archive(record, live, report, dry_run)

    async def _archive(
        self, record: PlanRoomRecord, live: LiveRoom, report: ProvisionReport, dry_run: bool
    ) -> None:
        listed_in = frozenset(
            space for space, kids in self.space_children.items() if record.room_id in kids
        )
        changes = archive_changes(record.node_key, live, listed_in)
        report.changes.extend(changes)
        if not dry_run:
            for change in changes:
                await self.writer.apply(record.room_id, change)


def _state(kind: str, content: dict[str, Any], state_key: str = "") -> dict[str, Any]:
    return {"type": kind, "state_key": state_key, "content": content}
