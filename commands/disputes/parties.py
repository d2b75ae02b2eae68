"""The parties of a dispute: ministries named as in the plan's directory, or people whose
ministry the directory gives; and the members of a party ministry present in a room."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import UserInputError
from commands.plan import Plan
from commands.records import user_id
from commands.render import shown
from commands.when import is_working_day
from storage.disputes import DisputeRecord
from storage.repositories import Repositories


def _plan(ctx: Context) -> Plan:
    if ctx.plan is None or not ctx.plan.directory:
        raise UserInputError(
            "계획의 인명부가 없어 부처를 알 수 없습니다.",
            "The plan has no directory, so ministries are unknown.",
        )
    return ctx.plan


def _ministry_of_person(ctx: Context, plan: Plan, raw: str) -> str:
    user = user_id(raw, ctx.sender)
    ministry = plan.ministry_of(user)
    if ministry is None:
        raise UserInputError(
            f"{user}의 부처가 인명부에 없습니다.", f"The directory has no ministry for {user}."
        )
    return ministry


def parse_parties(ctx: Context, raw: str) -> tuple[str, ...]:
    """Two or more ministries from `--between` words: a ministry's name (of one or more
    words, the longest that matches) or a person's id (`@kim:gov.kr`, a pill)."""
    plan = _plan(ctx)
    known = {person.ministry for person in plan.directory}
    words = raw.split()
    found: list[str] = []
    index = 0
    while index < len(words):
        if words[index].startswith("@"):
            found.append(_ministry_of_person(ctx, plan, words[index]))
            index += 1
            continue
        end = next(
            (e for e in range(len(words), index, -1) if " ".join(words[index:e]) in known), None
        )
        if end is None:
            word = shown(words[index], 40)
            raise UserInputError(
                f"'{word}'은(는) 인명부의 부처가 아닙니다.",
                f"'{word}' is not a ministry in the directory.",
            )
        found.append(" ".join(words[index:end]))
        index = end
    parties = tuple(dict.fromkeys(found))
    if len(parties) < 2:
        raise UserInputError(
            "서로 다른 부처를 둘 이상 적어 주세요: --between 행정안전부 기획재정부",
            "Name two or more different ministries: --between MINISTRY MINISTRY",
        )
    return parties


def ministry_of(ctx: Context, user: str) -> str | None:
    return ctx.plan.ministry_of(user) if ctx.plan else None


async def members_here(
    repos: Repositories, plan: Plan | None, room_id: str, ministries: Iterable[str]
) -> tuple[str, ...]:
    """People of these ministries (directory order) who are joined to `room_id`."""
    wanted = set(ministries)
    people = [p.user_id for p in plan.directory if p.ministry in wanted] if plan else []
    here = []
    for user in people:
        member = await repos.rooms.member(room_id, user)
        if member is not None and member.membership == "join":
            here.append(user)
    return tuple(here)


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def days_open(record: DisputeRecord, now: datetime, timezone: str) -> int:
    """Calendar days since the dispute was raised (0 on its first day)."""
    return (local_day(now, timezone) - local_day(record.created_at, timezone)).days


def working_days_between(start: date, end: date) -> int:
    """Korean working days after `start` up to and including `end`."""
    return sum(
        1 for n in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=n))
    )
