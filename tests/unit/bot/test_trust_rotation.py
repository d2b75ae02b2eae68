"""A member device that loses trust under `E2EE_TRUST=cross-signed` (its owner reset their
identity, so it is no longer cross-signed) makes the bot start a new room key in the rooms it
shares, so it cannot read what the bot sends next with the key it already holds."""

from __future__ import annotations

from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, MatrixRoom
from nio.crypto import OlmDevice, TrustState

from bot.crypto import DeviceTrust
from bot.signing import CrossSigningKeys, SigningKey

KIM = "@kim:gov.kr"
ROOM = "!wg:gov.kr"


def _answer(owner: CrossSigningKeys, device_id: str, ed25519: str, signed: bool) -> dict:
    """`/keys/query` about Kim: her identity and one device, signed by it or not."""
    keys = {"user_id": KIM, "device_id": device_id, "keys": {f"ed25519:{device_id}": ed25519}}
    body = owner.upload_body(KIM)
    return {
        "device_keys": {KIM: {device_id: owner.device_signature(keys, KIM) if signed else keys}},
        "master_keys": {KIM: body["master_key"]},
        "self_signing_keys": {KIM: body["self_signing_key"]},
    }


async def test_a_device_that_loses_its_cross_signing_gets_no_further_room_key(
    tmp_path: Path,
) -> None:
    client = AsyncClient(
        "http://127.0.0.1:1",
        "@sotong:gov.kr",
        store_path=str(tmp_path),
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    client.restore_login("@sotong:gov.kr", "BOTDEVICE", "token")
    assert client.olm is not None
    room = MatrixRoom(ROOM, client.user_id)
    room.add_member(KIM, "김민수", None)
    client.rooms[ROOM] = room
    ed25519 = SigningKey.generate().public
    phone = OlmDevice(KIM, "PHONE", {"ed25519": ed25519, "curve25519": "c"}, TrustState.unset)
    client.olm.device_store.add(phone)
    trust = DeviceTrust(client, ("gov.kr",), "cross-signed")

    trust.signed.learn(_answer(CrossSigningKeys.generate(), "PHONE", ed25519, True), [KIM])
    trust.apply()
    assert phone.verified
    client.olm.create_outbound_group_session(ROOM)
    first = client.olm.outbound_group_sessions[ROOM].id

    trust.apply()  # nothing changed: the room keeps its key
    assert client.olm.outbound_group_sessions[ROOM].id == first

    reset = _answer(CrossSigningKeys.generate(), "PHONE", ed25519, False)  # a new identity
    trust.signed.learn(reset, [KIM])
    trust.apply()
    assert phone.blacklisted and trust.code_for(KIM, "PHONE") == "m.unverified"
    assert ROOM not in client.olm.outbound_group_sessions
    await client.close()
