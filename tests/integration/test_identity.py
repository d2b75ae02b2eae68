"""The bot's cross-signed identity on a real Synapse, as another user's `/keys/query` shows
it: published once, its device signed, kept across restarts and across a lost database
(same recovery key), and never replaced by a bot holding the wrong recovery key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
import vodozemac
from canonicaljson import encode_canonical_json
from nio import AsyncClient, LoginResponse

from bot.cli.status import show_status
from bot.dev.synapse import HomeserverConfig, register_user
from bot.secret_storage import new_recovery_key
from tests.support.officials import PASSWORD, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def _verified(signed: dict[str, Any], user: str, public: str) -> bool:
    """vodozemac's own check of a signature over the object's canonical JSON."""
    signature = (signed.get("signatures") or {}).get(user, {}).get(f"ed25519:{public}")
    if signature is None:
        return False
    body = {k: v for k, v in signed.items() if k not in ("signatures", "unsigned")}
    try:
        vodozemac.Ed25519PublicKey.from_base64(public).verify_signature(
            encode_canonical_json(body), vodozemac.Ed25519Signature.from_base64(signature)
        )
    except vodozemac.SignatureException:
        return False
    return True


def _public(key_object: dict[str, Any]) -> str:
    (public,) = key_object["keys"].values()
    return str(public)


class Viewer:
    """Another user of the homeserver, reading the bot's keys as any client would."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client

    async def identity(self, user: str) -> dict[str, Any]:
        """master, self_signing and each device, with whether the chain of signatures holds."""
        url = f"{self.client.homeserver}/_matrix/client/v3/keys/query"
        headers = {"Authorization": f"Bearer {self.client.access_token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, json={"device_keys": {user: []}}, headers=headers) as response,
        ):
            answer = await response.json()
        master = answer.get("master_keys", {}).get(user)
        ssk = answer.get("self_signing_keys", {}).get(user)
        devices = answer["device_keys"].get(user, {})
        signed = {
            device_id: bool(ssk) and _verified(keys, user, _public(ssk))
            for device_id, keys in devices.items()
        }
        return {
            "master": _public(master) if master else None,
            "self_signing": _public(ssk) if ssk else None,
            "ssk_signed_by_master": bool(master and ssk and _verified(ssk, user, _public(master))),
            "device_signed": signed,
        }


async def _viewer(synapse: HomeserverConfig) -> Viewer:
    user = await register_user(synapse.base_url, synapse.shared_secret, "ident_viewer", PASSWORD)
    client = AsyncClient(synapse.base_url, user)
    assert isinstance(await client.login(PASSWORD), LoginResponse)
    return Viewer(client)


async def test_the_bot_publishes_one_identity_and_signs_each_of_its_devices(
    synapse: HomeserverConfig, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bot_id = await register_user(synapse.base_url, synapse.shared_secret, "ident_bot", PASSWORD)
    recovery = new_recovery_key()
    settings = bot_settings(
        synapse, tmp_path / "a", MATRIX_USER_ID=bot_id, SOTONG_RECOVERY_KEY=recovery
    )
    viewer = await _viewer(synapse)
    try:
        assert (await viewer.identity(bot_id))["master"] is None
        async with running_bot(settings, tmp_path / "a") as bot:
            first_device = bot.client.device_id
            state = bot.runtime.identity
            assert state is not None and state.problem is None
            assert state.uploaded and state.published and state.device_signed
        seen = await viewer.identity(bot_id)
        assert seen["master"] == state.master_key and seen["ssk_signed_by_master"]
        assert seen["device_signed"] == {first_device: True}
        assert await show_status(settings) == 0  # `sotong status`
        report = capsys.readouterr().out
        assert f"device {first_device}" in report and f"master key {seen['master']}" in report
        assert "this device signed: 예 / yes" in report and "opens the keys" in report

        async with running_bot(settings, tmp_path / "a") as bot:  # same database
            assert bot.client.device_id == first_device
            again = bot.runtime.identity
            assert again is not None and again.device_signed and not again.uploaded
        assert await viewer.identity(bot_id) == seen  # nothing new was uploaded

        fresh = bot_settings(
            synapse, tmp_path / "b", MATRIX_USER_ID=bot_id, SOTONG_RECOVERY_KEY=recovery
        )
        async with running_bot(fresh, tmp_path / "b") as bot:  # the database was lost
            second_device = bot.client.device_id
            restored = bot.runtime.identity
            assert restored is not None and not restored.uploaded and restored.device_signed
        assert second_device != first_device
        now = await viewer.identity(bot_id)
        assert (now["master"], now["self_signing"]) == (seen["master"], seen["self_signing"])
        assert now["device_signed"] == {first_device: True, second_device: True}

        wrong = bot_settings(
            synapse,
            tmp_path / "c",
            MATRIX_USER_ID=bot_id,
            SOTONG_RECOVERY_KEY=new_recovery_key(),
        )
        async with running_bot(wrong, tmp_path / "c") as bot:  # still runs, says why
            third_device = bot.client.device_id
            refused = bot.runtime.identity
            assert refused is not None and not refused.device_signed and not refused.uploaded
            assert "SOTONG_RECOVERY_KEY" in (refused.problem or "")
        last = await viewer.identity(bot_id)
        assert last["master"] == seen["master"]
        assert last["device_signed"][third_device] is False
        assert await show_status(wrong) == 1
        report = capsys.readouterr().out
        assert "this device signed: 아니오 / no" in report
        assert "cannot be opened with SOTONG_RECOVERY_KEY" in report
    finally:
        await viewer.client.close()
