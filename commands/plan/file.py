"""The declarative plan file: TOML in, a validated `Plan` out (the model: `plan.model`).

Shape (every table and field; `?` marks optional ones, `…` free text):

    [plan]            key, name_ko, name_en, description?, description_en?,
                      committee_room? (true), encrypted? (true: rooms are encrypted
                      unless the plan says false), access? ("plan"), illustrative_note?
    [committee]       chairs, members?, name_ko?, name_en?, description?, description_en?
                      (required with chairs when committee_room is true)
    [offices]         office key = "Korean name", e.g. sejong = "정부세종청사"
    [[directory]]     user ("@kim:localhost"), name, ministry, office (an [offices] key),
                      email? (mail from it is theirs, and allowed into task rooms)
    [[goals]]         key, name_ko, name_en, description?, description_en?, core_tasks
      [[goals.core_tasks]]                  … the same names, encrypted?, access?,
                                            wg = { chairs = [...], members? = [...] }
        [[goals.core_tasks.unit_tasks]]     … the same names, room? (false), encrypted?
          [[goals.core_tasks.unit_tasks.detailed]]   … the same names
                                            (or `detailed = [{ key = …, … }, …]`)

`access` says who may enter a WG room and read its history (unit rooms follow their core
task; the plan's value is every core task's default and the committee room's): "plan" (the
default) anyone in the plan, through the goal space (restricted join rule); "invite" only the
WG members provisioning invites, for sensitive tasks. A changed value is reconciled.

Keys are `[a-z0-9]` words joined by single hyphens, unique across the whole tree, since
they become room aliases (`#gov3-core-01:server`); `committee` and the plan key are taken.
Every user a WG or the committee names must be in [[directory]]. Problems are reported all
at once, each as `file:line: key.path: message`, in a `PlanError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from commands.plan.model import (
    ACCESS,
    COMMITTEE_KEY,
    Access,
    Committee,
    CoreTask,
    DetailedTask,
    Goal,
    Node,
    Office,
    Person,
    Plan,
    PlannedRoom,
    UnitTask,
    WorkingGroup,
)
from commands.plan.reader import KeyPath, PlanError, Reader, parse_toml, render_path

__all__ = [
    "Committee",
    "CoreTask",
    "DetailedTask",
    "Goal",
    "Node",
    "Office",
    "Person",
    "Plan",
    "PlanError",
    "PlannedRoom",
    "UnitTask",
    "WorkingGroup",
    "load_plan",
    "parse_plan",
]

KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
USER_RE = re.compile(r"@[a-z0-9._=/+-]+:(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
KEY_MAX = 40

_NAMES = {"key", "name_ko", "name_en", "description", "description_en"}
_TOP = {"plan", "committee", "offices", "directory", "goals"}
_PLAN = _NAMES | {"committee_room", "encrypted", "access", "illustrative_note"}
_COMMITTEE = (_NAMES - {"key"}) | {"chairs", "members"}
_PERSON = {"user", "name", "ministry", "office", "email"}
_GOAL = _NAMES | {"core_tasks"}
_CORE = _NAMES | {"wg", "encrypted", "access", "unit_tasks"}
_UNIT = _NAMES | {"room", "encrypted", "detailed"}
_WG = {"chairs", "members"}


def load_plan(path: Path) -> Plan:
    """Read and validate a plan file; PlanError lists every problem, with file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanError([f"{path}: cannot read the plan: {exc}"]) from None
    return parse_plan(text, str(path))


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """Validate plan text; `source` names it in problems (usually the file's path)."""
    data = parse_toml(text, source)
    reader = Reader(source, text)
    plan = _Builder(reader).plan(data)
    if reader.problems:
        raise PlanError(reader.problems)
    return plan


class _Builder:
    """Builds the model node by node, recording problems and going on with placeholders."""

    def __init__(self, reader: Reader) -> None:
        self.r = reader
        self.plan_key = ""
        self.keys: dict[str, KeyPath] = {}
        self.users: set[str] = set()
        self.office_keys: set[str] | None = None
        self.cores = 0

    def plan(self, data: Mapping[str, Any]) -> Plan:
        self.r.only(data, (), _TOP)
        found = self.r.table(data, (), "plan")
        if found is None and "plan" not in data:
            self.r.problem(("plan",), "required, missing: the [plan] table")
        head = found or {}
        if found is not None:
            self.plan_key = self.key(head, ("plan",), register=False)
        names = self.names(head, ("plan",), _PLAN, required=found is not None)
        committee_room = self.r.flag(head, ("plan",), "committee_room", True) is True
        offices = self.offices(data)
        directory = self.directory(data)
        return Plan(
            **names,
            key=self.plan_key,
            committee_room=committee_room,
            encrypted=self.r.flag(head, ("plan",), "encrypted", True) is not False,
            access=self.access(head, ("plan",)) or "plan",
            illustrative_note=self.r.text(head, ("plan",), "illustrative_note", required=False),
            committee=self.committee(data, committee_room),
            directory=directory,
            offices=offices,
            goals=self.goals(data),
        )

    def names(
        self, table: Mapping[str, Any], path: KeyPath, allowed: set[str], required: bool = True
    ) -> dict[str, str]:
        """The bilingual names (required) and descriptions (optional) of a node."""
        self.r.only(table, path, allowed)
        return {
            field: self.r.text(table, path, field, required and field.startswith("name"))
            for field in ("name_ko", "name_en", "description", "description_en")
        }

    def key(self, table: Mapping[str, Any], path: KeyPath, register: bool = True) -> str:
        """A node's key: well formed, not reserved, and unique across the tree."""
        key = self.r.text(table, path, "key", required=True)
        where = (*path, "key")
        if not key:
            return key
        if not KEY_RE.fullmatch(key) or len(key) > KEY_MAX:
            hint = f"lowercase letters, digits and single hyphens, at most {KEY_MAX}"
            self.r.problem(where, f"{key!r} is not a valid key ({hint}, e.g. 'core-01')", key)
        elif key == COMMITTEE_KEY or (register and key == self.plan_key):
            self.r.problem(where, f"key {key!r} is reserved (committee room or plan)", key)
        elif register and key in self.keys:
            first = render_path(self.keys[key])
            self.r.problem(where, f"duplicate key {key!r}, already used by {first}", key)
        elif register:
            self.keys[key] = path
        return key

    def access(self, table: Mapping[str, Any], path: KeyPath) -> Access | None:
        """`access = "plan" | "invite"`; None when not given (or wrong: a problem)."""
        value = self.r.text(table, path, "access", required=False)
        for known in ACCESS:
            if value == known:
                return known
        if value:
            choices = " or ".join(f'"{a}"' for a in ACCESS)
            self.r.problem((*path, "access"), f"{value!r} is not an access ({choices})", value)
        return None

    def offices(self, data: Mapping[str, Any]) -> tuple[Office, ...]:
        body = self.r.table(data, (), "offices")
        if body is None:
            if "offices" not in data:
                self.r.problem(("offices",), "required, missing: the [offices] table", at=("plan",))
            return ()
        offices = []
        for key, name in body.items():
            if not KEY_RE.fullmatch(key):
                self.r.problem(("offices", key), f"{key!r} is not a valid office key")
            elif not isinstance(name, str) or not name.strip():
                self.r.problem(("offices", key), "expected the office's name, a non-empty string")
            else:
                offices.append(Office(key, name.strip()))
        self.office_keys = {office.key for office in offices}
        return tuple(offices)

    def directory(self, data: Mapping[str, Any]) -> tuple[Person, ...]:
        people = []
        for path, item in self.r.tables(data, (), "directory"):
            self.r.only(item, path, _PERSON)
            user = self.r.text(item, path, "user", required=True)
            if user and not USER_RE.fullmatch(user):
                self.r.problem((*path, "user"), _bad_user(user), user)
            elif user in self.users:
                self.r.problem((*path, "user"), f"{user!r} is listed twice", user)
            elif user:
                self.users.add(user)
            name = self.r.text(item, path, "name", required=True)
            ministry = self.r.text(item, path, "ministry", required=True)
            office = self.r.text(item, path, "office", required=True)
            if office and self.office_keys is not None and office not in self.office_keys:
                known = ", ".join(sorted(self.office_keys))
                self.r.problem((*path, "office"), f"unknown office {office!r} (known: {known})")
            email = self.r.text(item, path, "email", required=False)
            people.append(Person(user, name, ministry, office, email.strip().lower()))
        return tuple(people)

    def committee(self, data: Mapping[str, Any], required: bool) -> Committee:
        body = self.r.table(data, (), "committee")
        if body is None and required and "committee" not in data:
            self.r.problem(
                ("committee",),
                "required when committee_room is true",
                at=("plan", "committee_room"),
            )
        names = self.names(body or {}, ("committee",), _COMMITTEE, required=False)
        return Committee(
            key=COMMITTEE_KEY,
            name_ko=names["name_ko"] or "추진위원회",
            name_en=names["name_en"] or "Committee",
            description=names["description"],
            description_en=names["description_en"],
            wg=self.group(body or {}, ("committee",), need_chair=required and body is not None),
        )

    def group(self, body: Mapping[str, Any], path: KeyPath, need_chair: bool) -> WorkingGroup:
        """Chairs and members, every one a directory user; a WG needs at least one chair."""
        chairs = self.users_in(body, path, "chairs")
        members = self.users_in(body, path, "members")
        if need_chair and not chairs and "chairs" not in body:
            self.r.problem((*path, "chairs"), "the working group has no chair", at=path)
        elif need_chair and not chairs:
            self.r.problem((*path, "chairs"), "the working group has no chair")
        return WorkingGroup(chairs, members)

    def users_in(self, body: Mapping[str, Any], path: KeyPath, name: str) -> tuple[str, ...]:
        seen: list[str] = []
        for item_path, user in self.r.strings(body, path, name):
            if not USER_RE.fullmatch(user):
                self.r.problem(item_path, _bad_user(user), user)
            elif user not in self.users:
                self.r.problem(item_path, f"{user!r} is not in [[directory]]", user)
            elif user in seen:
                self.r.problem(item_path, f"{user!r} is listed twice", user)
            seen.append(user)
        return tuple(dict.fromkeys(seen))

    def goals(self, data: Mapping[str, Any]) -> tuple[Goal, ...]:
        items = self.r.tables(data, (), "goals")
        if not items and isinstance(data.get("goals", []), list):
            self.r.problem(("goals",), "the plan has no goals ([[goals]])", at=("plan",))
        return tuple(
            self.goal(path, item, number) for number, (path, item) in enumerate(items, start=1)
        )

    def goal(self, path: KeyPath, item: Mapping[str, Any], number: int) -> Goal:
        key = self.key(item, path)
        names = self.names(item, path, _GOAL)
        cores = self.r.tables(item, path, "core_tasks")
        tasks = tuple(self.core(core_path, core, key) for core_path, core in cores)
        return Goal(**names, key=key, number=number, core_tasks=tasks)

    def core(self, path: KeyPath, item: Mapping[str, Any], goal_key: str) -> CoreTask:
        self.cores += 1
        number = self.cores
        key = self.key(item, path)
        names = self.names(item, path, _CORE)
        wg_body = self.r.table(item, path, "wg")
        if wg_body is None and "wg" not in item:
            self.r.problem((*path, "wg"), "required, missing: the working group", at=path)
        self.r.only(wg_body or {}, (*path, "wg"), _WG)
        units = self.r.tables(item, path, "unit_tasks")
        return CoreTask(
            **names,
            key=key,
            number=number,
            goal_key=goal_key,
            wg=self.group(wg_body or {}, (*path, "wg"), need_chair=wg_body is not None),
            encrypted=self.r.flag(item, path, "encrypted", None),
            access=self.access(item, path),
            unit_tasks=tuple(
                self.unit(p, unit, f"{number}-{n}") for n, (p, unit) in enumerate(units, start=1)
            ),
        )

    def unit(self, path: KeyPath, item: Mapping[str, Any], number: str) -> UnitTask:
        key = self.key(item, path)
        names = self.names(item, path, _UNIT)
        details = self.r.tables(item, path, "detailed")
        return UnitTask(
            **names,
            key=key,
            number=number,
            room=self.r.flag(item, path, "room", False) is True,
            encrypted=self.r.flag(item, path, "encrypted", None),
            detailed=tuple(
                self.detail(p, d, f"{number}-{n}") for n, (p, d) in enumerate(details, start=1)
            ),
        )

    def detail(self, path: KeyPath, item: Mapping[str, Any], number: str) -> DetailedTask:
        key = self.key(item, path)
        return DetailedTask(**self.names(item, path, _NAMES), key=key, number=number)


def _bad_user(user: str) -> str:
    return f"{user!r} is not a Matrix user id (@localpart:server, lowercase localpart)"
