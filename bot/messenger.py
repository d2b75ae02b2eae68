"""The Messenger that commands speak through, implemented over a nio client."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

from nio import AsyncClient, ErrorResponse, RoomCreateResponse, RoomPreset, UploadResponse

from bot.crypto import DeviceTrust
from commands.context import MatrixRefused
from commands.event_size import event_bytes, fits
from commands.render import Notice, relate
from storage.meetings import DirectRooms

log = logging.getLogger(__name__)
NEW_ROOM_SYNC_SECONDS = 15.0
NEW_ROOM_POLL_SECONDS = 0.05


class MatrixSendError(MatrixRefused):
    """The homeserver refused an event even after nio's own retries (429 is retried there)."""


def _event_id(response: Any, what: str) -> str:
    if isinstance(response, ErrorResponse) or not hasattr(response, "event_id"):
        errcode = getattr(response, "status_code", None)
        raise MatrixSendError(
            f"{what} failed: {errcode or response}", errcode if isinstance(errcode, str) else None
        )
    return str(response.event_id)


class NioMessenger:
    """Sends notices, reactions, files and state; rate limits are honoured by nio's retry."""

    def __init__(self, client: AsyncClient, direct_rooms: DirectRooms, trust: DeviceTrust) -> None:
        self.client = client
        self.direct_rooms = direct_rooms
        self.trust = trust

    async def send_notice(
        self,
        room_id: str,
        notice: Notice,
        reply_to: str | None,
        thread_root: str | None,
        txn_id: str | None = None,
    ) -> str:
        content = notice.content()
        relate(content, reply_to, thread_root)
        return await self.send_event(room_id, "m.room.message", content, txn_id)

    async def send_event(
        self, room_id: str, event_type: str, content: dict[str, Any], txn_id: str | None = None
    ) -> str:
        """Send an event; a given `txn_id` makes a repeat after a crash a no-op on the server.
        An event over the size limit is refused here, before the homeserver would."""
        encrypted = self.trust.is_encrypted(room_id)
        if not fits(content, event_type, room_id, encrypted):
            size = event_bytes(content, event_type, room_id, encrypted)
            raise MatrixSendError(f"{event_type} to {room_id} is too large ({size} bytes)")
        await self.trust.before_send(room_id)
        response = await self.client.room_send(
            room_id, event_type, content, tx_id=txn_id, ignore_unverified_devices=True
        )
        await self.trust.after_send(room_id)
        return _event_id(response, f"sending {event_type} to {room_id}")

    async def react(self, room_id: str, event_id: str, key: str, txn_id: str | None = None) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}}
        return await self.send_event(room_id, "m.reaction", content, txn_id)

    async def send_file(
        self,
        room_id: str,
        filename: str,
        data: bytes,
        mimetype: str,
        thread_root: str | None,
        txn_id: str | None = None,
        *,
        reply_to: str | None = None,
    ) -> str:
        """Upload (encrypted in an encrypted room) and post the file, in the thread if any and
        as a reply (`m.in_reply_to`) to `reply_to` if given."""
        encrypted = self.trust.is_encrypted(room_id)
        response, keys = await self.client.upload(
            io.BytesIO(data),
            content_type=mimetype,
            filename=filename,
            filesize=len(data),
            encrypt=encrypted,
        )
        if not isinstance(response, UploadResponse):
            raise MatrixSendError(f"upload of {filename} failed: {response}")
        content: dict[str, Any] = {
            "msgtype": "m.image" if mimetype.startswith("image/") else "m.file",
            "body": filename,
            "filename": filename,
            "info": {"mimetype": mimetype, "size": len(data)},
        }
        if encrypted and keys:
            content["file"] = {**keys, "url": response.content_uri}
        else:
            content["url"] = response.content_uri
        relate(content, reply_to, thread_root)
        return await self.send_event(room_id, "m.room.message", content, txn_id)

    async def set_room_state(
        self,
        room_id: str,
        event_type: str,
        state_key: str,
        content: dict[str, Any],
        txn_id: str | None = None,
    ) -> str:
        if not fits(content, event_type, room_id, encrypted=False):
            raise MatrixSendError(f"{event_type} state in {room_id} is too large")
        response = await self.client.room_put_state(room_id, event_type, content, state_key)
        return _event_id(response, f"setting {event_type} in {room_id}")

    async def room_state(
        self, room_id: str, event_type: str, state_key: str = ""
    ) -> dict[str, Any] | None:
        """A state event's content, or None when the room has none or the bot cannot read it."""
        response = await self.client.room_get_state_event(room_id, event_type, state_key)
        content = getattr(response, "content", None)
        return dict(content) if isinstance(content, dict) else None

    async def send_direct(self, user_id: str, notice: Notice, txn_id: str | None = None) -> str:
        """Send to the user's direct-message room with the bot, creating it the first time."""
        room_id = await self.direct_rooms.get(user_id)
        if room_id is None:
            response = await self.client.room_create(
                is_direct=True,
                invite=[user_id],
                preset=RoomPreset.trusted_private_chat,
                name="소통봇 (Sotong)",
            )
            if not isinstance(response, RoomCreateResponse):
                raise MatrixSendError(f"opening a direct chat with {user_id} failed: {response}")
            room_id = response.room_id
            await self.direct_rooms.set(user_id, room_id)
        await self._until_synced(room_id)
        return await self.send_notice(room_id, notice, None, None, txn_id)

    async def _until_synced(self, room_id: str) -> None:
        """nio sends only to rooms a sync has brought (it must know whether they are
        encrypted); a room the bot has just created arrives with the next sync."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + NEW_ROOM_SYNC_SECONDS
        while room_id not in self.client.rooms:
            if loop.time() > deadline:
                raise MatrixSendError(f"{room_id} never arrived in a sync")
            await asyncio.sleep(NEW_ROOM_POLL_SECONDS)
