"""Personal digests, gathered from storage: for each person, across the rooms they are in, their
open actions due by today, the mentions of them they have not answered in the period, and
their meetings today. Several people are served from one archive read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from commands.digests.analysis import unanswered_mentions
from commands.digests.executive import personal_digest_sections
from commands.digests.gather import meetings_today, to_action, to_msg
from commands.digests.period import Period
from commands.plan import Plan
from commands.render import Notice
from storage.repositories import Repositories


async def personal_digests(
    repos: Repositories,
    settings: Any,
    plan: Plan | None,
    users: Sequence[str],
    period: Period,
    today: date,
) -> dict[str, list[Notice]]:
    """Each user's personal digest sections (see `personal_digest_sections`)."""
    rooms_of = {user: set(await repos.rooms.rooms_of(user)) for user in users}
    everywhere = sorted(set().union(*rooms_of.values())) if rooms_of else []
    zone = settings.tz
    messages = [to_msg(r, zone) for r in await repos.digests.message_rows(everywhere, *period)]
    names = {p.user_id: p.name for p in plan.directory} if plan else {}
    digests = {}
    for user in users:
        mine = rooms_of[user]
        mentions = unanswered_mentions(user, [m for m in messages if m.room_id in mine])
        due = await repos.records.actions(owner=user, due_before=today + timedelta(days=1))
        actions = [to_action(a) for a in due]
        meetings = await meetings_today(repos, settings, sorted(mine), today, for_user=user)
        shown = {a.room_id for a in actions} | {m.room_id for m in [*mentions, *meetings]}
        room_names = {room: await repos.rooms.name_of(room) or room for room in shown}
        digests[user] = personal_digest_sections(
            user,
            actions,
            mentions,
            meetings,
            settings.language,
            today=today,
            tz=settings.tz,
            room_names=room_names,
            display_names=names,
        )
    return digests
