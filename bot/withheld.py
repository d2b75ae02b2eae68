"""`m.room_key.withheld` notices: a device the trust policy leaves out of a room key is told
so, once per megolm session, and its user's client can say why instead of "waiting for key".

Before each send the policy verifies or blacklists every member device (bot/crypto.py),
and messages go out with `ignore_unverified_devices`; the policy tells which code a left-out
device gets: `m.blacklisted` (its user is not allowed) or `m.unverified` (under
`E2EE_TRUST=cross-signed`, a device of an allowed user that its owner has not cross-signed).
What was sent is remembered in memory: outbound sessions are not persisted by nio, so a
restart starts a new session anyway.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from nio import AsyncClient, ToDeviceError, ToDeviceMessage
from nio.crypto import OlmDevice

log = logging.getLogger(__name__)
WITHHELD = "m.room_key.withheld"
MEGOLM = "m.megolm.v1.aes-sha2"
BLACKLISTED = "m.blacklisted"
UNVERIFIED = "m.unverified"
REASON = (
    "이 기기는 소통봇의 신뢰 정책(ALLOWED_INVITERS)에 없어 대화방 키를 받지 못합니다. / "
    "This device is not trusted by the Sotong bot's policy (ALLOWED_INVITERS), "
    "so it gets no room keys."
)
REASONS = {
    BLACKLISTED: REASON,
    UNVERIFIED: (
        "이 기기는 소유자가 교차 서명(검증)하지 않아 소통봇이 대화방 키를 보내지 않습니다. "
        "다른 기기에서 이 기기를 검증하세요. / This device is not cross-signed (verified) by "
        "its owner, so the Sotong bot sends it no room keys (MSC4153). Verify it from "
        "another of your sessions."
    ),
}


@dataclass(frozen=True)
class Excluded:
    """A device left out of a session, and the withheld code that says why."""

    user_id: str
    device_id: str
    code: str


def excluded_devices(
    devices: Iterable[OlmDevice],
    shared_with: set[tuple[str, str]],
    notified: set[tuple[str, str]],
    code_for: Callable[[str, str], str] = lambda user, device: BLACKLISTED,
) -> list[Excluded]:
    """Blacklisted member devices without the session's key and not yet told about it, each
    with the code the policy gives it."""
    return [
        Excluded(device.user_id, device.id, code_for(device.user_id, device.id))
        for device in devices
        if device.blacklisted
        and (device.user_id, device.id) not in shared_with
        and (device.user_id, device.id) not in notified
    ]


class WithheldNotices:
    """Sends each excluded device one withheld notice per outbound session of a room."""

    def __init__(
        self,
        client: AsyncClient,
        code_for: Callable[[str, str], str] = lambda user, device: BLACKLISTED,
    ) -> None:
        self.client = client
        self.code_for = code_for
        self._notified: dict[str, tuple[str, set[tuple[str, str]]]] = {}

    async def send(self, room_id: str) -> int:
        """Notify the devices left out of the room's current session; returns notices sent."""
        olm = self.client.olm
        room = self.client.rooms.get(room_id)
        session = olm.outbound_group_sessions.get(room_id) if olm else None
        if olm is None or room is None or session is None:
            return 0
        known, notified = self._notified.get(room_id, ("", set()))
        if known != session.id:
            notified = set()
            self._notified[room_id] = (session.id, notified)
        devices = [
            device for user in room.users for device in olm.device_store.active_user_devices(user)
        ]
        targets = excluded_devices(devices, session.users_shared_with, notified, self.code_for)
        content = {
            "algorithm": MEGOLM,
            "room_id": room_id,
            "session_id": session.id,
            "sender_key": olm.account.identity_keys["curve25519"],
        }
        notified.update((t.user_id, t.device_id) for t in targets)  # a concurrent send skips them
        sent = await asyncio.gather(*(self._notify(t, content, notified) for t in targets))
        return sum(sent)

    async def _notify(
        self, target: Excluded, content: dict[str, str], notified: set[tuple[str, str]]
    ) -> bool:
        message = ToDeviceMessage(
            WITHHELD,
            target.user_id,
            target.device_id,
            {**content, "code": target.code, "reason": REASONS.get(target.code, REASON)},
        )
        try:
            response: object = await self.client.to_device(message)
        except Exception as error:  # the connection dropped: the reply itself already went out
            response = error
        if isinstance(response, ToDeviceError | Exception):
            log.warning(
                "withheld notice to %s %s not sent: %s", target.user_id, target.device_id, response
            )
            notified.discard((target.user_id, target.device_id))  # tried again on the next send
            return False
        return True
