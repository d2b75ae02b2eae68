"""The recovery key and secret storage (SSSS, `m.secret_storage.v1.aes-hmac-sha2`).

The bot's cross-signing private keys are kept in its account data, encrypted with the
recovery key from `SOTONG_RECOVERY_KEY`, exactly as Element keeps a person's: an
administrator who logs in as the bot in Element and enters the same recovery key sees the
session as verified, and a bot whose database was lost finds its identity again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base58
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

AES_HMAC = "m.secret_storage.v1.aes-hmac-sha2"
DEFAULT_KEY = "m.secret_storage.default_key"
KEY_PREFIX = "m.secret_storage.key."
RECOVERY_PREFIX = bytes((0x8B, 0x01))
SECRET_NAMES = {
    "master": "m.cross_signing.master",
    "self_signing": "m.cross_signing.self_signing",
    "user_signing": "m.cross_signing.user_signing",
}


class RecoveryKeyError(ValueError):
    """The configured recovery key is not one (wrong length, prefix or parity)."""


def _parity(data: bytes) -> int:
    parity = 0
    for byte in data:
        parity ^= byte
    return parity


def encode_recovery_key(key: bytes) -> str:
    """The spec's recovery key text: base58 of 0x8B 0x01, the key and a parity byte, shown
    in groups of four (as Element shows it)."""
    raw = RECOVERY_PREFIX + key
    text = base58.b58encode(raw + bytes((_parity(raw),))).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def decode_recovery_key(text: str) -> bytes:
    """The 32-byte secret-storage key a recovery key stands for."""
    compact = "".join(text.split())
    try:
        raw = base58.b58decode(compact)
    except ValueError as error:
        raise RecoveryKeyError("not base58 (a recovery key looks like 'EsT… …')") from error
    if len(raw) != 35 or not raw.startswith(RECOVERY_PREFIX):
        raise RecoveryKeyError("wrong length or prefix: not a Matrix recovery key")
    if _parity(raw) != 0:
        raise RecoveryKeyError("parity check failed: a character is wrong or missing")
    return raw[2:34]


def new_recovery_key() -> str:
    return encode_recovery_key(os.urandom(32))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _keys(key: bytes, name: str) -> tuple[bytes, bytes]:
    """AES and HMAC keys for one secret: HKDF-SHA256, zero salt, the secret's name as info."""
    derived = HKDF(hashes.SHA256(), 64, bytes(32), name.encode()).derive(key)
    return derived[:32], derived[32:]


def encrypt_secret(
    key: bytes, name: str, plaintext: str, iv: bytes | None = None
) -> dict[str, str]:
    """One secret as SSSS stores it: AES-256-CTR with a random IV (bit 63 cleared), then
    HMAC-SHA256 over the ciphertext."""
    aes_key, mac_key = _keys(key, name)
    if iv is None:
        iv = bytearray(os.urandom(16))
        iv[8] &= 0x7F
    encryptor = Cipher(algorithms.AES(aes_key), modes.CTR(bytes(iv))).encryptor()
    ciphertext = encryptor.update(plaintext.encode()) + encryptor.finalize()
    mac = hmac.new(mac_key, ciphertext, hashlib.sha256).digest()
    return {"iv": _b64(bytes(iv)), "ciphertext": _b64(ciphertext), "mac": _b64(mac)}


def decrypt_secret(key: bytes, name: str, encrypted: Mapping[str, Any]) -> str | None:
    """The secret, or None when the MAC does not match (another key, or tampering)."""
    try:
        iv, ciphertext, mac = (_unb64(str(encrypted[k])) for k in ("iv", "ciphertext", "mac"))
    except (KeyError, ValueError):
        return None
    aes_key, mac_key = _keys(key, name)
    if not hmac.compare_digest(hmac.new(mac_key, ciphertext, hashlib.sha256).digest(), mac):
        return None
    decryptor = Cipher(algorithms.AES(aes_key), modes.CTR(iv)).decryptor()
    return (decryptor.update(ciphertext) + decryptor.finalize()).decode(errors="replace")


def key_description(key: bytes, name: str = "Sotong recovery key") -> dict[str, str]:
    """`m.secret_storage.key.<id>`: lets clients check a recovery key before using it."""
    check = encrypt_secret(key, "", "\0" * 32)
    return {"algorithm": AES_HMAC, "name": name, "iv": check["iv"], "mac": check["mac"]}


def key_matches(key: bytes, description: Mapping[str, Any]) -> bool:
    """Whether `key` is the one `description` describes (the spec's zero-string check)."""
    if description.get("algorithm") != AES_HMAC or not isinstance(description.get("iv"), str):
        return False
    check = encrypt_secret(key, "", "\0" * 32, iv=_unb64(description["iv"]))
    return _unb64(check["mac"]) == _unb64(str(description.get("mac", "")))


def new_key_id() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class SecretStore:
    """One secret-storage key: its id and its 32 bytes."""

    key_id: str
    key: bytes

    def wrap(self, name: str, plaintext: str) -> dict[str, Any]:
        """The account data content of secret `name`."""
        return {"encrypted": {self.key_id: encrypt_secret(self.key, name, plaintext)}}

    def unwrap(self, name: str, content: Mapping[str, Any] | None) -> str | None:
        encrypted = (content or {}).get("encrypted")
        entry = encrypted.get(self.key_id) if isinstance(encrypted, dict) else None
        return decrypt_secret(self.key, name, entry) if isinstance(entry, dict) else None
