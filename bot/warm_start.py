"""A restart without a full-state sync: the rooms nio must know, taken from the database.

nio keeps rooms only in memory, and sends only to rooms it knows (it must know whether they
are encrypted). A full-state sync after every start re-reads every room the bot is in:
measured with bench/scale.py, that made a restart's first answer grow with the number of
rooms, about five times a bare client's sync. The bot's own tables already follow every
room's membership and encryption (each sync writes them), so a restart rebuilds nio's rooms
from them and asks only for what changed. Members are not loaded: before the first message
to an encrypted room the bot fetches them (`DeviceTrust.before_send`), as nio would.
"""

from __future__ import annotations

import logging

from nio import AsyncClient, MatrixRoom

from storage.repositories import RoomRepository

log = logging.getLogger(__name__)

ROOM_STATE_VERSION = 1
"""What a database must have been kept with for a start from it (see BotSession): 1 = every
joined room's membership and encryption flag."""


async def restore_rooms(client: AsyncClient, rooms: RoomRepository) -> int:
    """Give nio every room the database says the bot is in; returns how many."""
    joined = await rooms.joined_rooms()
    for room_id, encrypted in joined:
        if room_id in client.rooms:
            continue
        encrypted = encrypted or room_id in client.encrypted_rooms
        client.rooms[room_id] = MatrixRoom(room_id, client.user_id, encrypted)
        if encrypted:
            client.encrypted_rooms.add(room_id)
    log.info("restarting from the database: %d rooms, no full-state sync", len(joined))
    return len(joined)
