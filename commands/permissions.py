"""Permission predicates: who may invite the bot, who holds which role."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from commands.framework import Role


def server_of(user_id: str) -> str:
    """The homeserver part of a Matrix user id."""
    return user_id.split(":", 1)[1] if ":" in user_id else ""


def is_allowed_inviter(inviter: str, allowed: Iterable[str]) -> bool:
    """True when the inviter's id, or its server, is on the allow-list. Empty list: nobody."""
    entries = set(allowed)
    return inviter in entries or server_of(inviter) in entries


def role_of(
    user_id: str,
    power_level: int,
    chair_power_level: int,
    admin_users: Iterable[str],
    plan_chairs: Iterable[str] = (),
) -> Role:
    """The highest role the user holds in a room."""
    if user_id in set(admin_users):
        return Role.ADMIN
    if power_level >= chair_power_level or user_id in set(plan_chairs):
        return Role.CHAIR
    return Role.MEMBER


def privileged_creators(create_event: Mapping[str, Any]) -> frozenset[str]:
    """Room version 12+ gives its creators unlimited power outside the power-levels event."""
    content = create_event.get("content", {})
    version = str(content.get("room_version", "1"))
    if not version.isdigit() or int(version) < 12:
        return frozenset()
    return frozenset([create_event.get("sender", ""), *content.get("additional_creators", [])])
