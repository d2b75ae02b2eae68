"""The bot's cross-signed identity: made once, kept in secret storage under the recovery
key, and used at every start to sign the bot's current device.

First start: master, self-signing and user-signing keys are made, stored encrypted in the
bot account's secret storage, published (`/keys/device_signing/upload`) and the device is
signed (`/keys/signatures/upload`). Later starts find the published master key, open the
stored keys with the recovery key, and sign the device only if it is not signed yet; a new
device (the database was lost) gets the same identity. Nothing here ever stops the bot: a
problem is logged and shown by `!status` and `sotong status`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from nio import AsyncClient

from bot.config import Settings
from bot.keys_api import JsonObject, KeysApi, KeysApiError
from bot.secret_storage import (
    DEFAULT_KEY,
    KEY_PREFIX,
    SECRET_NAMES,
    SecretStore,
    decode_recovery_key,
    key_description,
    key_matches,
    new_key_id,
)
from bot.signing import MASTER, SELF_SIGNING, CrossSigningKeys, SigningKey, key_public

log = logging.getLogger(__name__)
REPLACE_STEPS = (
    "the homeserver wants the bot's password to publish cross-signing keys, and only "
    "MATRIX_ACCESS_TOKEN is set: set MATRIX_PASSWORD once, or let the bot replace its keys "
    "without it for 10 minutes (Synapse admin API: POST /_synapse/admin/v1/users/"
    "<bot user id>/_allow_cross_signing_replacement_without_uia) and restart it"
)


@dataclass(frozen=True)
class IdentityState:
    """What `!status` and `sotong status` say about the bot's identity."""

    recovery_key_set: bool
    published: bool = False
    master_key: str | None = None
    device_signed: bool = False
    in_secret_storage: bool = False
    backup_version: str | None = None
    uploaded: bool = False
    problem: str | None = None


@dataclass(frozen=True)
class Observed:
    """The account as the homeserver shows it, and what the recovery key opens."""

    published: dict[str, str]
    device_keys: JsonObject | None
    store: SecretStore | None
    keys: CrossSigningKeys | None
    backup_version: str | None = None


class IdentityProblem(RuntimeError):
    """A state the bot cannot fix by itself; the message says what the operator can do."""


class Identity:
    """Bootstraps and reports the bot's cross-signing identity."""

    def __init__(self, client: AsyncClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.api = KeysApi(client)
        self.state = IdentityState(recovery_key_set=bool(settings.recovery_key))

    async def ensure(self) -> IdentityState:
        """Make, publish or reuse the identity and sign this device; never raises."""
        if not self.settings.recovery_key:
            self.state = replace(self.state, problem="SOTONG_RECOVERY_KEY is not set")
            log.warning("SOTONG_RECOVERY_KEY is not set: the bot's device is not cross-signed")
            return self.state
        try:
            self.state = await self._ensure()
        except (IdentityProblem, KeysApiError) as error:
            self.state = replace(self.state, problem=str(error))
            log.error("cross-signing not set up: %s", error)
        except Exception as error:  # the bot still runs, unsigned, and says why
            self.state = replace(self.state, problem=f"{type(error).__name__}: {error}")
            log.exception("cross-signing not set up")
        return self.state

    async def inspect(self) -> IdentityState:
        """The identity's state, read only (for `sotong status`)."""
        observed = await self._observe()
        state = self._state(observed, uploaded=False)
        return replace(state, problem=None if state.device_signed else self._problem(observed))

    def _problem(self, observed: Observed) -> str:
        if not self.settings.recovery_key:
            return "SOTONG_RECOVERY_KEY is not set"
        if MASTER not in observed.published:
            return "no cross-signing keys are published yet (the bot makes them when it starts)"
        if observed.keys is None or observed.keys.master.public != observed.published[MASTER]:
            return "the published identity cannot be opened with SOTONG_RECOVERY_KEY"
        return f"device {self.client.device_id} is not signed yet (the bot signs it when it starts)"

    async def _ensure(self) -> IdentityState:
        observed = await self._observe()
        uploaded = False
        if MASTER not in observed.published:
            observed = await self._bootstrap(observed)
            uploaded = True
        keys = observed.keys
        if keys is None or keys.public_keys().get(MASTER) != observed.published.get(MASTER):
            raise IdentityProblem(
                "the published cross-signing identity cannot be opened with "
                "SOTONG_RECOVERY_KEY (another recovery key made it)"
            )
        if keys.self_signing.public != observed.published.get(SELF_SIGNING):
            raise IdentityProblem("the published self-signing key is not the stored one")
        if observed.device_keys is None:
            raise IdentityProblem(f"device {self.client.device_id} has no published keys")
        if not keys.signs_device(observed.device_keys, self.client.user_id):
            await self._sign_device(keys, observed.device_keys)
            observed = replace(observed, device_keys=await self._own_device())
            log.info("device %s signed by the bot's self-signing key", self.client.device_id)
        return self._state(observed, uploaded=uploaded)

    def _state(self, observed: Observed, uploaded: bool) -> IdentityState:
        keys = observed.keys
        signed = bool(
            keys is not None
            and observed.device_keys is not None
            and keys.self_signing.public == observed.published.get(SELF_SIGNING)
            and keys.signs_device(observed.device_keys, self.client.user_id)
        )
        return IdentityState(
            recovery_key_set=bool(self.settings.recovery_key),
            published=MASTER in observed.published,
            master_key=observed.published.get(MASTER),
            device_signed=signed,
            in_secret_storage=keys is not None,
            backup_version=observed.backup_version,
            uploaded=uploaded,
        )

    async def _observe(self) -> Observed:
        user = self.client.user_id
        answer = await self.api.query([user])
        published: dict[str, str] = {}
        for usage in (MASTER, SELF_SIGNING):
            found = key_public((answer.get(f"{usage}_keys") or {}).get(user) or {})
            if found:
                published[usage] = found
        device = ((answer.get("device_keys") or {}).get(user) or {}).get(self.client.device_id)
        store = await self._find_store()
        keys = await self._load(store) if store is not None else None
        return Observed(published, device, store, keys, await self.api.backup_version())

    async def _own_device(self) -> JsonObject | None:
        user = self.client.user_id
        answer = await self.api.query([user])
        device: Any = ((answer.get("device_keys") or {}).get(user) or {}).get(self.client.device_id)
        return device if isinstance(device, dict) else None

    def _recovery(self) -> bytes:
        return decode_recovery_key(self.settings.recovery_key or "")

    async def _find_store(self) -> SecretStore | None:
        """The secret-storage key that is the recovery key, if the account has it."""
        if not self.settings.recovery_key:
            return None
        default = await self.api.account_data(DEFAULT_KEY)
        key_id = (default or {}).get("key")
        if not isinstance(key_id, str):
            return None
        description = await self.api.account_data(KEY_PREFIX + key_id)
        key = self._recovery()
        return SecretStore(key_id, key) if key_matches(key, description or {}) else None

    async def _load(self, store: SecretStore) -> CrossSigningKeys | None:
        seeds: dict[str, SigningKey] = {}
        for usage, name in SECRET_NAMES.items():
            seed = store.unwrap(name, await self.api.account_data(name))
            if seed is None:
                return None
            try:
                seeds[usage] = SigningKey.from_base64(seed)
            except ValueError:
                return None
        return CrossSigningKeys(**seeds)

    async def _bootstrap(self, observed: Observed) -> Observed:
        """Nothing published yet: store (or reuse stored) keys first, then publish them, so
        a crash in between never leaves published keys that nobody can open."""
        store = observed.store
        if store is None:
            store = SecretStore(new_key_id(), self._recovery())
            await self.api.set_account_data(KEY_PREFIX + store.key_id, key_description(store.key))
            await self.api.set_account_data(DEFAULT_KEY, {"key": store.key_id})
        keys = observed.keys or CrossSigningKeys.generate()
        if observed.keys is None:
            for usage, key in keys.by_usage().items():
                name = SECRET_NAMES[usage]
                await self.api.set_account_data(name, store.wrap(name, key.seed_base64))
        await self._upload(keys.upload_body(self.client.user_id))
        log.info("cross-signing keys published; master key %s", keys.master.public)
        return replace(observed, published=keys.public_keys(), store=store, keys=keys)

    async def _upload(self, body: JsonObject) -> None:
        """`/keys/device_signing/upload`, answering user-interactive auth with the password."""
        path = "/keys/device_signing/upload"
        status, answer = await self.api.call("POST", path, body)
        if status == 401 and "flows" in answer:
            if not self.settings.password:
                raise IdentityProblem(REPLACE_STEPS)
            auth = {
                "type": "m.login.password",
                "identifier": {"type": "m.id.user", "user": self.client.user_id},
                "password": self.settings.password,
                "session": answer.get("session"),
            }
            status, answer = await self.api.call("POST", path, {**body, "auth": auth})
        if status != 200:
            raise KeysApiError("cross-signing upload", status, answer)

    async def _sign_device(self, keys: CrossSigningKeys, device_keys: JsonObject) -> None:
        user, device = self.client.user_id, self.client.device_id
        signed = keys.device_signature(device_keys, user)
        answer = await self.api.ok(
            "signature upload", "POST", "/keys/signatures/upload", {user: {device: signed}}
        )
        if answer.get("failures"):
            raise IdentityProblem(f"the homeserver refused the device signature: {answer}")
