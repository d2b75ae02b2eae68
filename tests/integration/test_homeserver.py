"""The throw-away homeserver works end to end with real nio clients."""

from __future__ import annotations

from nio import (
    AsyncClient,
    JoinResponse,
    LoginResponse,
    RoomCreateResponse,
    RoomMessagesResponse,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

from bot.dev.synapse import HomeserverConfig, login, register_user

PASSWORD = "correct horse battery staple"


async def test_invited_user_sees_message(synapse: HomeserverConfig) -> None:
    """An admin creates a room, invites a colleague, and the colleague reads the message."""
    url, secret = synapse.base_url, synapse.shared_secret
    alice_id = await register_user(url, secret, "alice", PASSWORD, admin=True, displayname="앨리스")
    bob_id = await register_user(url, secret, "bob", PASSWORD)
    assert alice_id == synapse.user_id("alice")
    assert await register_user(url, secret, "alice", PASSWORD, admin=True) == alice_id
    token, device_id = await login(url, bob_id, PASSWORD)
    assert token and device_id

    alice, bob = AsyncClient(url, alice_id), AsyncClient(url, bob_id)
    try:
        assert isinstance(await alice.login(PASSWORD), LoginResponse)
        assert isinstance(await bob.login(PASSWORD), LoginResponse)
        created = await alice.room_create(name="정부3.0 협업", invite=[bob_id])
        assert isinstance(created, RoomCreateResponse)
        room_id = created.room_id

        invited = await bob.sync(timeout=0)
        assert isinstance(invited, SyncResponse)
        assert room_id in invited.rooms.invite
        assert isinstance(await bob.join(room_id), JoinResponse)

        content = {"msgtype": "m.text", "body": "!회의 내일 10시"}
        sent = await alice.room_send(room_id, "m.room.message", content)
        assert isinstance(sent, RoomSendResponse)

        synced = await bob.sync(timeout=5000, since=invited.next_batch)
        assert isinstance(synced, SyncResponse)
        timeline = synced.rooms.join[room_id].timeline.events
        assert sent.event_id in {event.event_id for event in timeline}

        history = await bob.room_messages(room_id, limit=20)
        assert isinstance(history, RoomMessagesResponse)
        bodies = [e.body for e in history.chunk if isinstance(e, RoomMessageText)]
        assert bodies == ["!회의 내일 10시"]
    finally:
        await alice.close()
        await bob.close()
