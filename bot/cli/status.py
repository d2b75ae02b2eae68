"""`sotong status`: the bot's cross-signed identity as the homeserver shows it, read only,
with the stored login; exit 0 when its device is signed, 1 when not."""

from __future__ import annotations

from nio import AsyncClient, WhoamiResponse

from bot.config import Settings
from bot.identity import Identity, IdentityState
from storage.db import Database
from storage.repositories import Repositories


def status_lines(state: IdentityState, settings: Settings) -> list[str]:
    """The report, one Korean / English label per line."""
    if state.published:
        published = f"게시됨 / published, master key {state.master_key}"
    else:
        published = "게시 안 됨 / not published"
    if not state.recovery_key_set:
        recovery = "없음 / not set"
    elif state.in_secret_storage:
        recovery = "설정됨, 저장된 키를 엶 / set, opens the keys in secret storage"
    else:
        recovery = "설정됨, 저장된 키를 열지 못함 / set, opens no stored keys"
    backup = f"version {state.backup_version} (the bot does not use it)"
    signed = "예 / yes" if state.device_signed else "아니오 / no"
    lines = [
        f"  교차 서명 / cross-signing: {published}",
        f"  이 기기 서명 / this device signed: {signed}",
        f"  복구 키 / recovery key: {recovery}",
        f"  키 백업 / key backup: {backup if state.backup_version else '꺼짐 / off'}",
        f"  방 키 공유 / room keys for (E2EE_TRUST): {settings.e2ee_trust}",
    ]
    if state.problem:
        lines.append(f"  문제 / problem: {state.problem}")
    return lines


async def show_status(settings: Settings) -> int:
    """Print the identity report for the bot's stored login."""
    db = Database(settings.database_url)
    try:
        stored = await Repositories.over(db).sessions.get(settings.user_id)
    finally:
        await db.close()
    if stored is None:
        print("아직 로그인하지 않았습니다 / not logged in yet: run `sotong run` once")
        return 1
    client = AsyncClient(settings.homeserver, settings.user_id)
    client.restore_login(settings.user_id, stored.device_id, stored.access_token)
    try:
        if not isinstance(await client.whoami(), WhoamiResponse):
            print("저장된 토큰이 거부되었습니다 / the stored access token was refused")
            return 1
        state = await Identity(client, settings).inspect()
    finally:
        await client.close()
    print(f"소통봇 신원 / bot identity: {settings.user_id}, device {stored.device_id}")
    print("\n".join(status_lines(state, settings)))
    return 0 if state.device_signed else 1
