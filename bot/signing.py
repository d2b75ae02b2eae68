"""Signed JSON and the bot's cross-signing keys: the only module that touches ed25519.

Signatures follow the spec's "Signing JSON": the object without `signatures` and
`unsigned`, encoded as canonical JSON (matrix-org's `canonicaljson`), signed with ed25519
(`cryptography`), the signature in unpadded base64 under `signatures[entity][key_id]`.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from canonicaljson import encode_canonical_json
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from unpaddedbase64 import decode_base64, encode_base64

MASTER, SELF_SIGNING, USER_SIGNING = "master", "self_signing", "user_signing"
USAGES = (MASTER, SELF_SIGNING, USER_SIGNING)
JsonObject = dict[str, Any]


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """The bytes a signature covers: canonical JSON without `signatures` and `unsigned`."""
    return bytes(
        encode_canonical_json(
            {k: v for k, v in value.items() if k not in ("signatures", "unsigned")}
        )
    )


@dataclass(frozen=True)
class SigningKey:
    """An ed25519 key pair kept as its 32-byte seed (what secret storage holds)."""

    seed: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(os.urandom(32))

    @classmethod
    def from_base64(cls, seed: str) -> SigningKey:
        return cls(decode_base64(seed))

    @property
    def seed_base64(self) -> str:
        return encode_base64(self.seed)

    @property
    def public(self) -> str:
        """The public key, unpadded base64 (a cross-signing key's id is `ed25519:<public>`)."""
        raw = self._private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return encode_base64(raw)

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.public}"

    def signature(self, value: Mapping[str, Any]) -> str:
        return encode_base64(self._private().sign(canonical_json(value)))

    def _private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)


def sign_json(value: Mapping[str, Any], entity: str, key_id: str, key: SigningKey) -> JsonObject:
    """A copy of `value` with this key's signature added beside any it already has."""
    signed = copy.deepcopy(dict(value))
    signed.setdefault("signatures", {}).setdefault(entity, {})[key_id] = key.signature(value)
    return signed


def verify_json(value: Mapping[str, Any], entity: str, key_id: str, public: str) -> bool:
    """Whether `value` carries a valid signature of `entity`'s key `key_id` (= `public`)."""
    signatures = value.get("signatures")
    entity_signatures = signatures.get(entity) if isinstance(signatures, dict) else None
    signature = entity_signatures.get(key_id) if isinstance(entity_signatures, dict) else None
    if not isinstance(signature, str):
        return False
    try:
        key = Ed25519PublicKey.from_public_bytes(decode_base64(public))
        key.verify(decode_base64(signature), canonical_json(value))
    except (InvalidSignature, ValueError):
        return False
    return True


def cross_signing_key(user_id: str, usage: str, public: str) -> JsonObject:
    """A cross-signing key object as `/keys/device_signing/upload` takes it (unsigned)."""
    return {"user_id": user_id, "usage": [usage], "keys": {f"ed25519:{public}": public}}


def key_public(key_object: Mapping[str, Any]) -> str | None:
    """The ed25519 public key a cross-signing key object publishes, if it has one."""
    keys = key_object.get("keys")
    if not isinstance(keys, dict):
        return None
    found = [v for k, v in keys.items() if str(k).startswith("ed25519:") and isinstance(v, str)]
    return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class CrossSigningKeys:
    """The bot's identity: a master key, and the self- and user-signing keys it signs."""

    master: SigningKey
    self_signing: SigningKey
    user_signing: SigningKey

    @classmethod
    def generate(cls) -> CrossSigningKeys:
        return cls(SigningKey.generate(), SigningKey.generate(), SigningKey.generate())

    def by_usage(self) -> dict[str, SigningKey]:
        return {
            MASTER: self.master,
            SELF_SIGNING: self.self_signing,
            USER_SIGNING: self.user_signing,
        }

    def public_keys(self) -> dict[str, str]:
        return {usage: key.public for usage, key in self.by_usage().items()}

    def upload_body(self, user_id: str) -> JsonObject:
        """`/keys/device_signing/upload`: the master key, and the other two signed by it."""
        master = cross_signing_key(user_id, MASTER, self.master.public)
        body: JsonObject = {"master_key": master}
        for usage, key in ((SELF_SIGNING, self.self_signing), (USER_SIGNING, self.user_signing)):
            unsigned = cross_signing_key(user_id, usage, key.public)
            body[f"{usage}_key"] = sign_json(unsigned, user_id, self.master.key_id, self.master)
        return body

    def device_signature(self, device_keys: Mapping[str, Any], user_id: str) -> JsonObject:
        """A device's published keys signed by the self-signing key, as
        `/keys/signatures/upload` takes it (only the new signature is sent)."""
        bare = {k: v for k, v in device_keys.items() if k not in ("signatures", "unsigned")}
        key = self.self_signing
        return {**bare, "signatures": {user_id: {key.key_id: key.signature(bare)}}}

    def signs_device(self, device_keys: Mapping[str, Any], user_id: str) -> bool:
        """Whether a device's published keys carry this identity's self-signing signature."""
        key = self.self_signing
        return verify_json(device_keys, user_id, key.key_id, key.public)


def device_cross_signed(
    device_keys: Mapping[str, Any],
    master_key: Mapping[str, Any],
    self_signing_key: Mapping[str, Any],
) -> bool:
    """MSC4153's test, from `/keys/query` objects: the device is signed by its owner's
    self-signing key, which is signed by the owner's master key."""
    user_id = device_keys.get("user_id")
    master = key_public(master_key)
    ssk = key_public(self_signing_key)
    if not isinstance(user_id, str) or master is None or ssk is None:
        return False
    if master_key.get("user_id") != user_id or self_signing_key.get("user_id") != user_id:
        return False
    if SELF_SIGNING not in (self_signing_key.get("usage") or []):
        return False
    return verify_json(self_signing_key, user_id, f"ed25519:{master}", master) and verify_json(
        device_keys, user_id, f"ed25519:{ssk}", ssk
    )
