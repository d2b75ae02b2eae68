"""End-to-end encryption upkeep: keys uploaded, queried and claimed, and the device trust
policy applied before any room key is shared.

Trust policy (default): devices of users whose homeserver — or user id — is in
`ALLOWED_INVITERS` are trusted (verified); every other device is blacklisted, so room keys
never reach it. nio refuses to send unless each member device is verified or ignored, so
the policy is applied right before each send to an encrypted room, not only after syncs;
after it, each excluded device is sent `m.room_key.withheld` (see bot/withheld.py).
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, MegolmEvent

from bot.withheld import WithheldNotices
from commands.permissions import is_allowed_inviter

log = logging.getLogger(__name__)


class DeviceTrust:
    """Keeps nio's key bookkeeping current and decides which devices get room keys."""

    def __init__(self, client: AsyncClient, trusted: tuple[str, ...]) -> None:
        self.client = client
        self.trusted = trusted
        self.undecryptable = 0
        self.withheld = WithheldNotices(client)

    @property
    def enabled(self) -> bool:
        return bool(self.client.olm)

    def apply(self) -> int:
        """Verify trusted users' devices and blacklist the rest; returns devices changed."""
        changed = 0
        own = (self.client.user_id, self.client.device_id)
        for device in list(self.client.device_store):
            if device.deleted or (device.user_id, device.device_id) == own:
                continue
            if is_allowed_inviter(device.user_id, self.trusted):
                if not device.verified:
                    changed += int(self.client.verify_device(device))
            elif not device.blacklisted:
                changed += int(self.client.blacklist_device(device))
        return changed

    async def maintain(self) -> None:
        """After each sync: to-device messages out, keys uploaded, queried and claimed."""
        if not self.enabled:
            return
        await self.client.send_to_device_messages()
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        if self.client.should_query_keys:
            await self.client.keys_query()
        self.apply()
        if self.client.should_claim_keys:
            await self.client.keys_claim(self.client.get_users_for_key_claiming())

    async def before_send(self, room_id: str) -> None:
        """Make sure every member device has been seen and judged before a room key is shared."""
        room = self.client.rooms.get(room_id)
        if not self.enabled or room is None or not room.encrypted:
            return
        if self.client.should_query_keys:
            await self.client.keys_query()
        self.apply()

    async def after_send(self, room_id: str) -> None:
        """Tell the devices the policy left out of the room key why (never fails the send)."""
        if not self.is_encrypted(room_id) or not self.enabled:
            return
        try:
            await self.withheld.send(room_id)
        except Exception:  # the message itself went out; a notice is best effort
            log.exception("withheld notices for %s not sent", room_id)

    async def undecrypted(self, event: MegolmEvent) -> None:
        """An event we cannot decrypt: counted, logged, and its room key requested."""
        self.undecryptable += 1
        log.warning(
            "cannot decrypt %s in %s from %s (session %s); requesting the key",
            event.event_id,
            event.room_id,
            event.sender,
            event.session_id,
        )
        try:
            await self.client.request_room_key(event)
        except Exception as error:  # a key already requested, or the request refused
            log.info("room key request for %s not sent: %s", event.session_id, error)

    def is_encrypted(self, room_id: str) -> bool:
        room: Any = self.client.rooms.get(room_id)
        return bool(room is not None and room.encrypted)
