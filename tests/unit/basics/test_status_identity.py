"""`!상태` for admins shows the bot's cross-signed identity; members see the short status."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest_asyncio

from bot.config import settings_from_mapping
from bot.identity import IdentityState
from storage.db import Database
from storage.repositories import Repositories
from tests.support.transcript import BASE_ENV, Transcript

ADMIN = "@admin:gov.kr"
MASTER = "nqOvzeuGWT/sRx3h7+MHoInYj4oy9MK2TxVhOgg28gM"


@pytest_asyncio.fixture
async def t(sqlite_url: str, tmp_path: Path) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    settings = settings_from_mapping({**BASE_ENV, "E2EE_TRUST": "cross-signed"})
    transcript = Transcript(Repositories.over(db), settings)
    transcript.runtime.identity = IdentityState(
        recovery_key_set=True, published=True, master_key=MASTER, device_signed=True
    )
    yield transcript
    await db.close()


async def test_an_admin_sees_the_identity_published_and_the_device_signed(t: Transcript) -> None:
    body = await t.say_one("!상태", sender=ADMIN)
    assert f"교차 서명: 게시됨 (마스터 키 {MASTER})" in body
    assert "이 기기 서명: 예" in body and "복구 키: 설정됨" in body
    assert "키 백업: 꺼짐" in body and "방 키 공유 대상: cross-signed" in body


async def test_in_english_and_with_a_problem(t: Transcript) -> None:
    t.runtime.identity = replace(
        IdentityState(recovery_key_set=False),
        problem="SOTONG_RECOVERY_KEY is not set",
        backup_version="3",
    )
    body = await t.with_language("en").say_one("!status", sender=ADMIN)
    assert "Cross-signing: not published" in body and "This device signed: no" in body
    assert "Recovery key: not set" in body and "Problem: SOTONG_RECOVERY_KEY is not set" in body
    assert "Key backup: version 3 on the server (the bot does not use it)" in body


async def test_a_member_sees_no_identity_details(t: Transcript) -> None:
    body = await t.say_one("!상태", sender="@kim:gov.kr")
    assert "가동 시간" in body and "교차 서명" not in body and MASTER not in body
