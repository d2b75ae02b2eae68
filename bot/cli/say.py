"""`sotong say`: talk to the bot as a demo official, without a Matrix client."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from nio import AsyncClient, JoinResponse, LoginResponse, RoomResolveAliasResponse

from bot.config import load_settings
from bot.dev.conversation import send_text, wait_for_reply
from bot.dev.setup import credentials_path, dev_dir


def _full_id(user: str, server_name: str) -> str:
    return user if user.startswith("@") else f"@{user}:{server_name}"


def _password_for(project_root: Path, user_id: str) -> str:
    explicit = os.environ.get("SOTONG_SAY_PASSWORD")
    if explicit:
        return explicit
    path = credentials_path(project_root)
    creds = json.loads(path.read_text()) if path.exists() else {}
    localpart = user_id[1:].split(":", 1)[0]
    if localpart not in creds:
        raise SystemExit(f"no password known for {user_id}: set SOTONG_SAY_PASSWORD")
    return str(creds[localpart])


async def _logged_in(homeserver: str, user_id: str, password: str, tokens: Path) -> AsyncClient:
    """Reuse a saved token for the user, so repeated calls do not pile up devices."""
    saved = json.loads(tokens.read_text()) if tokens.exists() else {}
    client = AsyncClient(homeserver, user_id)
    if user_id in saved:
        client.restore_login(user_id, saved[user_id]["device"], saved[user_id]["token"])
        return client
    response = await client.login(password, device_name="sotong say")
    if not isinstance(response, LoginResponse):
        await client.close()
        raise SystemExit(f"login as {user_id} failed: {response}")
    saved[user_id] = {"token": response.access_token, "device": response.device_id}
    tokens.parent.mkdir(parents=True, exist_ok=True)
    tokens.write_text(json.dumps(saved))
    tokens.chmod(0o600)
    return client


async def _room_id(client: AsyncClient, room: str) -> str:
    if room.startswith("!"):
        return room
    resolved = await client.room_resolve_alias(room)
    if not isinstance(resolved, RoomResolveAliasResponse):
        raise SystemExit(f"room {room} not found: {resolved}")
    return resolved.room_id


async def say(project_root: Path, user: str, room: str, text: str, timeout: float) -> int:
    """Send `text` as `user` in `room`, print the bot's reply; exit 1 if none comes."""
    settings = load_settings(project_root / ".env")
    user_id = _full_id(user, settings.server_name)
    password = _password_for(project_root, user_id)
    client = await _logged_in(
        settings.homeserver, user_id, password, dev_dir(project_root) / "say-tokens.json"
    )
    try:
        room_id = await _room_id(client, room)
        joined = await client.join(room_id)
        if not isinstance(joined, JoinResponse):
            print(f"{user_id} cannot join {room}: {joined.message}", file=sys.stderr)
            return 1
        event_id = await send_text(client, room_id, text)
        try:
            reply = await wait_for_reply(client, room_id, event_id, settings.user_id, timeout)
        except TimeoutError as error:
            print(f"{error} — is the bot running (`sotong run`)?", file=sys.stderr)
            return 1
        print(reply["content"].get("body", ""))
        return 0
    finally:
        await client.close()
