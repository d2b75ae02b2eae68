"""End-to-end encryption upkeep: keys uploaded, queried and claimed, and the device trust
policy applied before any room key is shared.

Trust policy, `E2EE_TRUST`: with `allowlist` (default) devices of users whose homeserver —
or user id — is in `ALLOWED_INVITERS` are trusted (verified); with `cross-signed` only
those of their devices that their owner has cross-signed are (MSC4153, what Element's
"exclude insecure devices" asks of every client). Every other device is blacklisted, so
room keys never reach it. nio refuses to send unless each member device is verified or ignored, so
the policy is applied right before each send to an encrypted room, not only after syncs;
after it, each excluded device is sent `m.room_key.withheld` (see bot/withheld.py).
"""

from __future__ import annotations

import logging
from typing import Any

from nio import AsyncClient, MegolmEvent
from nio.crypto import OlmDevice

from bot.cross_signed import CrossSignedDevices
from bot.keys_api import KeysApi
from bot.withheld import BLACKLISTED, UNVERIFIED, WithheldNotices
from commands.permissions import is_allowed_inviter

log = logging.getLogger(__name__)
CROSS_SIGNED = "cross-signed"


class DeviceTrust:
    """Keeps nio's key bookkeeping current and decides which devices get room keys."""

    def __init__(
        self, client: AsyncClient, trusted: tuple[str, ...], mode: str = "allowlist"
    ) -> None:
        self.client = client
        self.trusted = trusted
        self.mode = mode
        self.undecryptable = 0
        self.signed = CrossSignedDevices(KeysApi(client))
        self.codes: dict[tuple[str, str], str] = {}
        self.withheld = WithheldNotices(client, self.code_for)

    @property
    def enabled(self) -> bool:
        return bool(self.client.olm)

    def verdict(self, device: OlmDevice) -> str | None:
        """None when the device gets room keys, else the withheld code that says why not."""
        if not is_allowed_inviter(device.user_id, self.trusted):
            return BLACKLISTED
        if self.mode == CROSS_SIGNED and not self.signed.is_cross_signed(
            device.user_id, device.id, device.ed25519
        ):
            return UNVERIFIED
        return None

    def code_for(self, user_id: str, device_id: str) -> str:
        return self.codes.get((user_id, device_id), BLACKLISTED)

    def apply(self) -> int:
        """Verify the devices the policy trusts and blacklist the rest; returns devices
        changed."""
        changed = 0
        demoted: set[str] = set()
        own = (self.client.user_id, self.client.device_id)
        for device in list(self.client.device_store):
            if device.deleted or (device.user_id, device.device_id) == own:
                continue
            code = self.verdict(device)
            if code is None:
                self.codes.pop((device.user_id, device.id), None)
                if not device.verified:
                    changed += int(self.client.verify_device(device))
                continue
            self.codes[(device.user_id, device.id)] = code
            if not device.blacklisted:
                if device.verified:
                    demoted.add(device.user_id)
                changed += int(self.client.blacklist_device(device))
        self._rotate(demoted)
        return changed

    def _rotate(self, users: set[str]) -> None:
        """A device that held room keys lost trust (its owner reset their identity, say): the
        rooms it shares get a new room key, which it never receives."""
        olm = self.client.olm
        if not users or olm is None:
            return
        for room_id, room in self.client.rooms.items():
            if users & set(room.users) and olm.outbound_group_sessions.pop(room_id, None):
                log.info("room key of %s replaced: a member device lost trust", room_id)

    async def _query_keys(self) -> None:
        """nio's key query, then (under `cross-signed`) the cross-signing of the same users
        and of allowed users not judged yet."""
        changed = set(self.client.users_for_key_query)
        if self.client.should_query_keys:
            await self.client.keys_query()
        if self.mode != CROSS_SIGNED:
            return
        users = changed | {d.user_id for d in self.client.device_store}
        wanted = {
            user
            for user in users
            if is_allowed_inviter(user, self.trusted)
            and (user in changed or not self.signed.known(user))
        }
        if wanted:
            try:
                await self.signed.refresh(wanted)
            except Exception as error:  # unjudged devices stay without keys; asked again later
                self.signed.forget(wanted)
                log.warning("reading cross-signing of %d users failed: %s", len(wanted), error)

    async def maintain(self) -> None:
        """After each sync: to-device messages out, keys uploaded, queried and claimed."""
        if not self.enabled:
            return
        await self.client.send_to_device_messages()
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        await self._query_keys()
        self.apply()
        if self.client.should_claim_keys:
            await self.client.keys_claim(self.client.get_users_for_key_claiming())

    async def before_send(self, room_id: str) -> None:
        """Make sure every member device has been seen and judged before a room key is shared."""
        room = self.client.rooms.get(room_id)
        if not self.enabled or room is None or not room.encrypted:
            return
        if not room.members_synced:  # a room restored from the database (bot/warm_start.py)
            await self.client.joined_members(room_id)
        await self._query_keys()
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
