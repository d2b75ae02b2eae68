"""Whether the sender of a command is a chair in its room — for checks that depend on the
item (an owner may act on their own) rather than on the command alone."""

from __future__ import annotations

from commands.context import Context
from commands.framework import Role
from commands.permissions import role_of
from commands.plan import chairs_for_node


async def plan_chairs(ctx: Context) -> tuple[str, ...]:
    """Chairs the plan names for this room's node; none outside plan rooms."""
    if ctx.plan is None:
        return ()
    record = await ctx.repos.plan_rooms.by_room(ctx.room_id)
    if record is None or record.plan_key != ctx.plan.key:
        return ()
    return chairs_for_node(ctx.plan, record.node_key)


async def role_in_room(ctx: Context, user_id: str | None = None) -> Role:
    """The role `user_id` (default: the sender) holds in the command's room."""
    user = user_id or ctx.sender
    member = await ctx.repos.rooms.member(ctx.room_id, user)
    level = member.power_level if member else 0
    return role_of(
        user,
        level,
        ctx.settings.chair_power_level,
        ctx.settings.admin_users,
        await plan_chairs(ctx),
    )


async def is_chair(ctx: Context, user_id: str | None = None) -> bool:
    return await role_in_room(ctx, user_id) >= Role.CHAIR
