"""Which member devices are cross-signed by their owner (MSC4153), read from `/keys/query`.

nio keeps device keys but not cross-signing keys or the signatures on devices, so the
bot asks `/keys/query` itself for the users nio re-queries (their device list changed: a
new device, a device verified, a new identity) and for users it has not judged yet.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from bot.keys_api import KeysApi
from bot.signing import device_cross_signed

log = logging.getLogger(__name__)
QUERY_BATCH = 100


def cross_signed_devices(answer: dict[str, Any], user: str) -> set[tuple[str, str]]:
    """(device id, ed25519 key) of each of `user`'s devices its owner has cross-signed."""
    master = (answer.get("master_keys") or {}).get(user)
    ssk = (answer.get("self_signing_keys") or {}).get(user)
    devices = (answer.get("device_keys") or {}).get(user) or {}
    if not isinstance(master, dict) or not isinstance(ssk, dict) or not isinstance(devices, dict):
        return set()
    signed: set[tuple[str, str]] = set()
    for device_id, keys in devices.items():
        if not isinstance(keys, dict) or keys.get("device_id") != device_id:
            continue
        ed25519 = (keys.get("keys") or {}).get(f"ed25519:{device_id}")
        if isinstance(ed25519, str) and device_cross_signed(keys, master, ssk):
            signed.add((device_id, ed25519))
    return signed


class CrossSignedDevices:
    """The cross-signed devices of each user the bot has asked about."""

    def __init__(self, api: KeysApi) -> None:
        self.api = api
        self._signed: dict[str, set[tuple[str, str]]] = {}

    def known(self, user: str) -> bool:
        return user in self._signed

    def is_cross_signed(self, user: str, device_id: str, ed25519: str) -> bool:
        return (device_id, ed25519) in self._signed.get(user, set())

    def learn(self, answer: dict[str, Any], users: Iterable[str]) -> None:
        """Take in a `/keys/query` answer about `users` (a server that failed: unjudged)."""
        failed = answer.get("failures") or {}
        for user in users:
            if user.split(":", 1)[-1] not in failed:
                self._signed[user] = cross_signed_devices(answer, user)

    def forget(self, users: Iterable[str]) -> None:
        """Judge these users again at the next query."""
        for user in users:
            self._signed.pop(user, None)

    async def refresh(self, users: Iterable[str]) -> None:
        """Ask again about `users`; a user the query fails for stays unjudged (no keys)."""
        wanted = sorted(set(users))
        for start in range(0, len(wanted), QUERY_BATCH):
            batch = wanted[start : start + QUERY_BATCH]
            self.learn(await self.api.query(batch), batch)
        if wanted:
            log.debug("cross-signing read for %d users", len(wanted))
