"""The bot as Element's own crypto sees it (matrix-js-sdk with Rust crypto, an independent
implementation), on a real Synapse with `E2EE_TRUST=cross-signed`:

- a device that excludes insecure devices (MSC4153) reads the bot's replies, and the shield
  it shows on them is not red (the bot's device is cross-signed by the bot);
- a device its owner has not cross-signed gets no room key and is told why
  (`m.room_key.withheld`, `m.unverified`), which js-sdk reports as such.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.dev.synapse import HomeserverConfig, register_user
from bot.secret_storage import new_recovery_key
from tests.support.jsclient import JsClient, install_jsclient
from tests.support.officials import PASSWORD, bot_settings, running_bot

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


@pytest.fixture(scope="session")
def jsclient() -> Path:
    return install_jsclient()


@pytest_asyncio.fixture(loop_scope="session")
async def js_users(jsclient: Path, tmp_path: Path) -> AsyncIterator[list[JsClient]]:
    started: list[JsClient] = []
    yield started
    for client in started:
        await client.close()


async def _js_user(
    synapse: HomeserverConfig, started: list[JsClient], localpart: str, device: str, logs: Path
) -> tuple[JsClient, str]:
    user = await register_user(synapse.base_url, synapse.shared_secret, localpart, PASSWORD)
    client = await JsClient.start(logs / f"{localpart}.log")
    started.append(client)
    await client.call(
        "login", homeserver=synapse.base_url, user=user, password=PASSWORD, device_name=device
    )
    return client, user


async def test_element_crypto_reads_the_bot_in_secure_mode_and_is_told_when_it_cannot(
    synapse: HomeserverConfig, js_users: list[JsClient], tmp_path: Path
) -> None:
    bot_id = await register_user(synapse.base_url, synapse.shared_secret, "xs_bot", PASSWORD)
    settings = bot_settings(
        synapse,
        tmp_path / "bot",
        MATRIX_USER_ID=bot_id,
        SOTONG_RECOVERY_KEY=new_recovery_key(),
        E2EE_TRUST="cross-signed",
    )
    kim, _ = await _js_user(synapse, js_users, "xs_kim", "kim laptop (secure)", tmp_path)
    assert (await kim.call("cross_sign"))["signed_by_owner"]
    await kim.call("exclude_insecure_devices")
    lee, lee_id = await _js_user(synapse, js_users, "xs_lee", "lee laptop (unsigned)", tmp_path)
    room = (await kim.call("create_room", name="교차 서명", invite=[bot_id, lee_id]))["room_id"]
    await lee.call("join", room_id=room)

    async with running_bot(settings, tmp_path / "bot") as bot:
        await kim.call("wait_member", room_id=room, user_id=bot_id)
        seen = {d["device_id"]: d for d in (await kim.call("devices", user_id=bot_id))["devices"]}
        assert seen[bot.client.device_id]["signed_by_owner"], seen

        asked = await kim.call("ask", room_id=room, body="!ping", bot=bot_id)
        reply = asked["reply"]
        assert (reply["decrypted"], reply["body"]) == (True, "pong"), reply
        assert reply["shield"] != "RED", reply
        assert reply["shield"] == "NONE", reply  # signed device, identity not yet verified

        unread = await lee.call("unreadable", room_id=room, bot=bot_id, after=asked["asked"])
        assert unread["event"]["event_id"] == reply["event_id"]
        assert not unread["event"]["decrypted"]
        assert [w["code"] for w in unread["withheld"]] == ["m.unverified"]
        assert unread["withheld"][0]["session_id"] == reply["session_id"]
        assert unread["event"]["failure"] == "MEGOLM_KEY_WITHHELD_FOR_UNVERIFIED_DEVICE"


async def test_element_opens_the_bots_secret_storage_with_the_recovery_key(
    synapse: HomeserverConfig, js_users: list[JsClient], tmp_path: Path
) -> None:
    """An administrator logging in as the bot in Element with the recovery key: the keys come
    out of secret storage (js-sdk reads what the bot wrote) and sign that session too."""
    bot_id = await register_user(synapse.base_url, synapse.shared_secret, "xs_bot2", PASSWORD)
    recovery = new_recovery_key()
    settings = bot_settings(
        synapse, tmp_path / "bot", MATRIX_USER_ID=bot_id, SOTONG_RECOVERY_KEY=recovery
    )
    async with running_bot(settings, tmp_path / "bot") as bot:
        state = bot.runtime.identity
        assert state is not None and state.device_signed
    admin = await JsClient.start(tmp_path / "admin.log")
    js_users.append(admin)
    await admin.call(
        "login",
        homeserver=synapse.base_url,
        user=bot_id,
        password=PASSWORD,
        device_name="Element (admin)",
        recovery_key=recovery,
    )
    opened = await admin.call("open_secret_storage")
    assert opened == {
        "ready": True,
        "in_secret_storage": True,
        "master_key": state.master_key,
        "signed_by_owner": True,
    }
