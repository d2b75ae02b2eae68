"""The identity's settings and the room-key policy: a recovery key is checked before the bot
starts, `check-config` tells whether it is set, and under `E2EE_TRUST=cross-signed` only
devices their owner cross-signed get room keys (the others are told `m.unverified`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from nio import AsyncClient
from nio.crypto import OlmDevice, TrustState

from bot.config import ConfigError, settings_from_mapping
from bot.cross_signed import cross_signed_devices
from bot.crypto import DeviceTrust
from bot.secret_storage import new_recovery_key
from bot.signing import CrossSigningKeys, SigningKey
from bot.withheld import BLACKLISTED, UNVERIFIED, Excluded, excluded_devices

GOOD = {
    "MATRIX_HOMESERVER": "https://matrix.gov.kr",
    "MATRIX_USER_ID": "@sotong:gov.kr",
    "MATRIX_PASSWORD": "hunter2",
}
KIM = "@kim:gov.kr"


def test_the_default_policy_is_the_allowlist_and_the_recovery_key_is_optional() -> None:
    settings = settings_from_mapping(GOOD)
    assert (settings.e2ee_trust, settings.recovery_key) == ("allowlist", None)
    key = new_recovery_key()
    chosen = settings_from_mapping(
        {**GOOD, "SOTONG_RECOVERY_KEY": key, "E2EE_TRUST": "Cross-Signed"}
    )
    assert (chosen.e2ee_trust, chosen.recovery_key) == ("cross-signed", key)
    assert chosen.masked()["recovery_key"] == "***" and key not in str(chosen.masked())


def test_a_mistyped_recovery_key_and_an_unknown_policy_are_reported() -> None:
    key = new_recovery_key()
    typo = key[:-1] + ("A" if key[-1] != "A" else "B")
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({**GOOD, "SOTONG_RECOVERY_KEY": typo, "E2EE_TRUST": "everyone"})
    problems = "\n".join(caught.value.problems)
    assert "SOTONG_RECOVERY_KEY:" in problems and "sotong recovery-key" in problems
    assert "E2EE_TRUST: 'everyone' must be allowlist or cross-signed" in problems


def _check_config(env: dict[str, str], cwd: Path) -> str:
    (cwd / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "check-config"],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_check_config_tells_whether_the_recovery_key_is_set(tmp_path: Path) -> None:
    key = new_recovery_key()
    shown = _check_config({**GOOD, "SOTONG_RECOVERY_KEY": f'"{key}"'}, tmp_path)
    assert "SOTONG_RECOVERY_KEY: 설정됨 / set" in shown and key not in shown
    assert "SOTONG_RECOVERY_KEY: 없음 / not set" in _check_config(GOOD, tmp_path)


def _device(user: str, device_id: str, ed25519: str) -> OlmDevice:
    keys = {"ed25519": ed25519, "curve25519": "curve-" + device_id}
    return OlmDevice(user, device_id, keys, trust_state=TrustState.unset)


def _keys_query(owner: CrossSigningKeys, devices: dict[str, str], signed: set[str]) -> dict:
    """A `/keys/query` answer for KIM: her identity, her devices, those in `signed` signed."""
    published = {}
    for device_id, ed25519 in devices.items():
        keys = {"user_id": KIM, "device_id": device_id, "keys": {f"ed25519:{device_id}": ed25519}}
        published[device_id] = owner.device_signature(keys, KIM) if device_id in signed else keys
    body = owner.upload_body(KIM)
    return {
        "device_keys": {KIM: published},
        "master_keys": {KIM: body["master_key"]},
        "self_signing_keys": {KIM: body["self_signing_key"]},
        "failures": {},
    }


def test_only_devices_their_owner_cross_signed_are_trusted_under_cross_signed() -> None:
    owner = CrossSigningKeys.generate()
    ed = {"PHONE": SigningKey.generate().public, "OLD": SigningKey.generate().public}
    answer = _keys_query(owner, ed, {"PHONE"})
    assert cross_signed_devices(answer, KIM) == {("PHONE", ed["PHONE"])}
    trust = DeviceTrust(
        AsyncClient("http://127.0.0.1:1", "@sotong:gov.kr"), ("gov.kr",), "cross-signed"
    )
    trust.signed.learn(answer, [KIM])
    assert trust.verdict(_device(KIM, "PHONE", ed["PHONE"])) is None
    assert trust.verdict(_device(KIM, "OLD", ed["OLD"])) == UNVERIFIED
    assert trust.verdict(_device(KIM, "PHONE", ed["OLD"])) == UNVERIFIED  # keys swapped
    assert trust.verdict(_device("@eve:evil.example", "X", ed["PHONE"])) == BLACKLISTED
    allowlist = DeviceTrust(AsyncClient("http://127.0.0.1:1", "@sotong:gov.kr"), ("gov.kr",))
    assert allowlist.verdict(_device(KIM, "OLD", ed["OLD"])) is None


def test_an_excluded_device_is_told_the_code_the_policy_gave_it() -> None:
    old = _device(KIM, "OLD", "ed")
    old.trust_state = TrustState.blacklisted
    codes = {(KIM, "OLD"): UNVERIFIED}
    found = excluded_devices([old], set(), set(), lambda u, d: codes.get((u, d), BLACKLISTED))
    assert found == [Excluded(KIM, "OLD", UNVERIFIED)]
