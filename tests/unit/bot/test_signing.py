"""Known answers for the bot's signed JSON and secret storage: the spec's signing vectors,
its canonical JSON examples, and values produced by matrix-js-sdk (an independent
implementation) for the recovery key and an SSSS item."""

from __future__ import annotations

import json
from typing import Any

import pytest
import vodozemac

from bot.secret_storage import (
    RecoveryKeyError,
    SecretStore,
    decode_recovery_key,
    decrypt_secret,
    encode_recovery_key,
    encrypt_secret,
    key_description,
    key_matches,
)
from bot.signing import (
    CrossSigningKeys,
    SigningKey,
    canonical_json,
    device_cross_signed,
    sign_json,
    verify_json,
)

SPEC_SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1"
KEY_BYTES = bytes(range(32))
JS_SDK_RECOVERY_KEY = "EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1"
JS_SDK_IV = "EBESExQVFhcYGRobHB0eHw=="
USER = "@sotong:gov.kr"


def test_the_specs_signing_vectors() -> None:
    key = SigningKey.from_base64(SPEC_SEED)
    empty = sign_json({}, "domain", "ed25519:1", key)
    signature = (
        "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"
    )
    assert empty == {"signatures": {"domain": {"ed25519:1": signature}}}
    two = sign_json({"one": 1, "two": "Two"}, "domain", "ed25519:1", key)
    assert two["signatures"]["domain"]["ed25519:1"] == (
        "KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"
    )
    assert verify_json(two, "domain", "ed25519:1", key.public)


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ({}, "{}"),
        ({"one": 1, "two": "Two"}, '{"one":1,"two":"Two"}'),
        ({"b": "2", "a": "1"}, '{"a":"1","b":"2"}'),
        ({"a": "日本語"}, '{"a":"日本語"}'),
        ({"本": 2, "日": 1}, '{"日":1,"本":2}'),
        ({"a": "\u65e5"}, '{"a":"日"}'),
        ({"a": None}, '{"a":null}'),
        (
            {"auth": {"success": True, "mxid": "@john.doe:example.com", "profile": {}}},
            '{"auth":{"mxid":"@john.doe:example.com","profile":{},"success":true}}',
        ),
    ],
)
def test_canonical_json_as_the_spec_shows_it(value: dict[str, object], canonical: str) -> None:
    assert canonical_json(value) == canonical.encode()


def test_signatures_and_unsigned_are_not_signed() -> None:
    key = SigningKey.from_base64(SPEC_SEED)
    value = {"one": 1, "two": "Two", "unsigned": {"age": 5}, "signatures": {"x": {"k": "s"}}}
    signed = sign_json(value, "domain", "ed25519:1", key)
    assert signed["signatures"]["x"] == {"k": "s"}  # other signatures are kept
    assert signed["signatures"]["domain"]["ed25519:1"].startswith("KqmLSbO39")


def _device(user: str = USER, device: str = "BOTDEVICE") -> dict[str, Any]:
    return {
        "user_id": user,
        "device_id": device,
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {f"curve25519:{device}": "c" * 43, f"ed25519:{device}": "e" * 43},
        "signatures": {user: {f"ed25519:{device}": "device-self-signature"}},
        "unsigned": {"device_display_name": "Sotong bot"},
    }


def test_the_upload_body_chains_to_the_master_key_as_vodozemac_checks_it() -> None:
    keys = CrossSigningKeys(
        SigningKey(bytes(32)), SigningKey(bytes([1]) * 32), SigningKey(bytes([2]) * 32)
    )
    body = keys.upload_body(USER)
    master = keys.master.public
    assert body["master_key"] == {
        "user_id": USER,
        "usage": ["master"],
        "keys": {f"ed25519:{master}": master},
    }
    for usage in ("self_signing", "user_signing"):
        signed = body[f"{usage}_key"]
        assert signed["usage"] == [usage] and signed["user_id"] == USER
        signature = signed["signatures"][USER][f"ed25519:{master}"]
        text = json.dumps(
            {k: v for k, v in signed.items() if k != "signatures"},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        vodozemac.Ed25519PublicKey.from_base64(master).verify_signature(
            text.encode(), vodozemac.Ed25519Signature.from_base64(signature)
        )


def test_a_device_signed_by_the_self_signing_key_is_cross_signed() -> None:
    keys = CrossSigningKeys.generate()
    device = _device()
    signed = keys.device_signature(device, USER)
    assert "unsigned" not in signed
    assert list(signed["signatures"][USER]) == [keys.self_signing.key_id]
    body = keys.upload_body(USER)
    published = {
        **device,
        "signatures": {USER: {**device["signatures"][USER], **signed["signatures"][USER]}},
    }
    assert keys.signs_device(published, USER)
    assert device_cross_signed(published, body["master_key"], body["self_signing_key"])
    assert not device_cross_signed(device, body["master_key"], body["self_signing_key"])
    other = CrossSigningKeys.generate().upload_body(USER)
    assert not device_cross_signed(published, other["master_key"], body["self_signing_key"])
    assert not device_cross_signed(published, body["master_key"], other["self_signing_key"])
    stranger = {**published, "user_id": "@mallory:evil.example"}
    assert not device_cross_signed(stranger, body["master_key"], body["self_signing_key"])


def test_recovery_keys_read_as_matrix_js_sdk_writes_them() -> None:
    assert encode_recovery_key(KEY_BYTES) == JS_SDK_RECOVERY_KEY
    assert decode_recovery_key(JS_SDK_RECOVERY_KEY) == KEY_BYTES
    assert decode_recovery_key(JS_SDK_RECOVERY_KEY.replace(" ", "")) == KEY_BYTES
    wrong = JS_SDK_RECOVERY_KEY[:-1] + ("2" if JS_SDK_RECOVERY_KEY[-1] != "2" else "3")
    for bad in (wrong, "EsSz ykH7", "hello world!", ""):
        with pytest.raises(RecoveryKeyError):
            decode_recovery_key(bad)


def test_a_secret_storage_item_as_matrix_js_sdk_encrypts_it() -> None:
    seed = "nqOvzeuGWT/sRx3h7+MHoInYj4oy9MK2TxVhOgg28gM"
    from_js = {
        "iv": JS_SDK_IV,
        "ciphertext": "MuA2Ye6+EKdGEMX5CHcvYStyvyJMm1+mH2E95VBNgAahehfQJZ5N+QGTUg==",
        "mac": "PvtAs4G9sVuWT0y44ocq3Zi6taURtnFf9Jb/l6LeS+8=",
    }
    name = "m.cross_signing.master"
    iv = bytes(range(0x10, 0x20))
    assert encrypt_secret(KEY_BYTES, name, seed, iv=iv) == from_js
    assert decrypt_secret(KEY_BYTES, name, from_js) == seed
    assert decrypt_secret(bytes(32), name, from_js) is None  # another key: the MAC fails
    assert decrypt_secret(KEY_BYTES, "m.cross_signing.self_signing", from_js) is None


def test_the_key_check_matches_matrix_js_sdk() -> None:
    from_js = {"iv": JS_SDK_IV, "mac": "nrMWSgMXBpO1lS9nLEL08Saa+XuAn1pdQ0B7gSgsrQQ="}
    description = {"algorithm": "m.secret_storage.v1.aes-hmac-sha2", **from_js}
    assert key_matches(KEY_BYTES, description)
    assert not key_matches(bytes(32), description)
    mine = key_description(KEY_BYTES)
    assert key_matches(KEY_BYTES, mine) and not key_matches(bytes(32), mine)


def test_a_secret_store_round_trip() -> None:
    store = SecretStore("key-id", KEY_BYTES)
    content = store.wrap("m.cross_signing.master", "seed")
    assert list(content["encrypted"]) == ["key-id"]
    assert store.unwrap("m.cross_signing.master", content) == "seed"
    assert SecretStore("other", KEY_BYTES).unwrap("m.cross_signing.master", content) is None
    assert store.unwrap("m.cross_signing.master", None) is None
