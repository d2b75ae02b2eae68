"""Dev mode: a local Synapse on 127.0.0.1 with demo officials, a demo room and a dev `.env`.

Run by the README's first command when no `.env` exists, so a newcomer sees the bot work
without a homeserver of their own. Everything it makes lives under `data/dev/`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, LoginResponse, RoomCreateResponse, RoomResolveAliasResponse

from bot.dev.synapse import default_synapse_venv, free_port, launch_homeserver, register_user
from bot.dev.synapse_config import HomeserverConfig
from bot.secret_storage import new_recovery_key
from commands.plan import load_plan

DEMO_PASSWORD = "sotong-demo"
DEMO_ROOM_ALIAS = "demo"
BOT_LOCALPART = "sotong"


DEMO_PLAN = Path("plans") / "gov3.toml"


@dataclass(frozen=True)
class DemoOfficial:
    localpart: str
    name: str
    ministry: str


def demo_officials(project_root: Path, server_name: str) -> tuple[DemoOfficial, ...]:
    """The demo plan's directory people on the local server; the first is the demo chair."""
    plan = load_plan(project_root / DEMO_PLAN)
    return tuple(
        DemoOfficial(p.user_id[1:].split(":", 1)[0], p.name, p.ministry)
        for p in plan.directory
        if p.user_id.endswith(f":{server_name}")
    )


def dev_dir(project_root: Path) -> Path:
    return project_root / "data" / "dev"


def credentials_path(project_root: Path) -> Path:
    return dev_dir(project_root) / "credentials.json"


def _load_or_make_credentials(
    project_root: Path, officials: tuple[DemoOfficial, ...]
) -> dict[str, str]:
    path = credentials_path(project_root)
    creds = json.loads(path.read_text()) if path.exists() else {}
    creds.setdefault(BOT_LOCALPART, secrets.token_urlsafe(18))
    for official in officials:
        creds.setdefault(official.localpart, DEMO_PASSWORD)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(creds, indent=2))
    path.chmod(0o600)
    return creds


def _env_text(server: HomeserverConfig, bot_password: str, chair_localpart: str) -> str:
    chair = server.user_id(chair_localpart)
    return "\n".join(
        [
            "# Written by `sotong dev`: a local Synapse for trying Sotong. Delete to start over.",
            "SOTONG_DEV=1",
            f"MATRIX_HOMESERVER={server.base_url}",
            f"MATRIX_USER_ID={server.user_id(BOT_LOCALPART)}",
            f"MATRIX_PASSWORD={bot_password}",
            "DATABASE_URL=sqlite:///data/sotong.db",
            f"ALLOWED_INVITERS={server.server_name}",
            f"ADMIN_USERS={chair}",
            f"WEB_PORT={free_port()}",
            f"PLAN_FILE={DEMO_PLAN}",
            "# The bot's cross-signing keys are kept encrypted with this; keep it with the data.",
            f"SOTONG_RECOVERY_KEY={new_recovery_key()}",
            "",
        ]
    )


async def _ensure_demo_room(
    server: HomeserverConfig, bot_user: str, officials: tuple[DemoOfficial, ...]
) -> str:
    """The demo chair owns `#demo`, with every demo official and the bot invited."""
    chair, *others = officials
    client = AsyncClient(server.base_url, server.user_id(chair.localpart))
    try:
        login = await client.login(DEMO_PASSWORD)
        if not isinstance(login, LoginResponse):
            raise RuntimeError(f"demo login failed: {login}")
        alias = f"#{DEMO_ROOM_ALIAS}:{server.server_name}"
        resolved = await client.room_resolve_alias(alias)
        if isinstance(resolved, RoomResolveAliasResponse):
            return resolved.room_id
        invite = [server.user_id(o.localpart) for o in others] + [bot_user]
        created = await client.room_create(
            alias=DEMO_ROOM_ALIAS,
            name="소통 데모방 (Sotong demo)",
            invite=invite,
            topic="소통 봇을 시험해 보는 방입니다. !도움말 을 입력해 보세요.",
        )
        if not isinstance(created, RoomCreateResponse):
            raise RuntimeError(f"creating the demo room failed: {created}")
        await _join_all(server, others, created.room_id)
        return created.room_id
    finally:
        await client.close()


async def _join_all(server: HomeserverConfig, people: list[DemoOfficial], room_id: str) -> None:
    for person in people:
        client = AsyncClient(server.base_url, server.user_id(person.localpart))
        try:
            if isinstance(await client.login(DEMO_PASSWORD), LoginResponse):
                await client.join(room_id)
        finally:
            await client.close()


async def dev_up(project_root: Path, env_file: Path) -> int:
    """Start (or reuse) the local Synapse, register everyone, write `.env` if missing."""
    process = await launch_homeserver(
        dev_dir(project_root) / "synapse", default_synapse_venv(project_root)
    )
    server = process.config
    officials = demo_officials(project_root, server.server_name)
    creds = _load_or_make_credentials(project_root, officials)
    bot_user = await register_user(
        server.base_url,
        server.shared_secret,
        BOT_LOCALPART,
        creds[BOT_LOCALPART],
        displayname="소통봇 (Sotong)",
    )
    for person in officials:
        await register_user(
            server.base_url,
            server.shared_secret,
            person.localpart,
            creds[person.localpart],
            displayname=f"{person.name} ({person.ministry})",
        )
    await _ensure_demo_room(server, bot_user, officials)
    if not env_file.exists():
        env_file.write_text(_env_text(server, creds[BOT_LOCALPART], officials[0].localpart))
        env_file.chmod(0o600)
    print(f"local Synapse: {server.base_url} (pid {process.pid}, data in {server.data_dir})")
    print(f"demo users: {', '.join(o.localpart for o in officials)} / password {DEMO_PASSWORD}")
    print(f"demo room: #{DEMO_ROOM_ALIAS}:{server.server_name}")
    return 0


async def dev_down(project_root: Path) -> int:
    """Stop the local Synapse started by `dev_up`."""
    from bot.dev.synapse import SynapseProcess, read_homeserver_config

    data_dir = dev_dir(project_root) / "synapse"
    if not (data_dir / "homeserver.yaml").exists():
        print("no local Synapse was set up")
        return 0
    running = SynapseProcess.find_running(read_homeserver_config(data_dir))
    if running is not None:
        await asyncio.to_thread(running.stop)
        print("local Synapse stopped")
    return 0
