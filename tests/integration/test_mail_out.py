"""Mail out, on a real Synapse: the personal digest reaches a capturing SMTP relay once per
working day, across a restart, until the one-click unsubscribe link is used. (Its own module:
the mail-in module's bot, the same account, must not be running and answer first.)"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot import app
from bot.cli.provision import run_provision
from bot.dev.synapse import HomeserverConfig, free_port
from commands.digests.period import digest_at
from storage.db import Database
from storage.plan_rooms import PlanRoomRepository
from tests.integration.test_mail import PLAN
from tests.support.digests import AT, SEOUL, run_digest_job, settled_digest_day
from tests.support.officials import Official, bot_settings, running_bot
from tests.support.smtp import capturing_relay

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def test_digest_by_mail_once_across_a_restart_then_unsubscribed(
    synapse: HomeserverConfig,
    bot_user: str,
    officials: dict[str, Official],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Lee subscribes in chat with the code mailed to the relay; the digest job mails the
    personal digest once, a restarted bot sends no second copy, the one-click link stops it."""
    plan_file = tmp_path / "plan.toml"
    plan_file.write_text(PLAN.replace('key = "mail"', 'key = "mdig"', 1))
    port = free_port()
    async with capturing_relay() as relay:
        settings = bot_settings(
            synapse,
            tmp_path,
            PLAN_FILE=str(plan_file),
            SMTP_URL=f"smtp://127.0.0.1:{relay.port}",
            MAIL_FROM="sotong@mail.example.go.kr",
            WEB_PORT=str(port),
        )
        assert await run_provision(settings, plan_file, False, False, tmp_path) == 0
        db = Database(settings.database_url)
        wg = (await PlanRoomRepository(db).all("mdig"))["core-01"].room_id
        await db.close()
        kim, lee = officials["kim"], officials["lee"]
        for who in (kim, lee):
            await who.join(wg)
        day = await settled_digest_day()
        clock = digest_at(day, AT, SEOUL) + timedelta(seconds=5)
        async with running_bot(settings, tmp_path, web=True) as bot:
            task = f'!할일 추가 "예산안 작성" {lee.user_id} 기한 오늘'
            assert "예산안 작성" in await _ask(kim, wg, task, bot_user)
            assert "확인 코드" in await _ask(lee, wg, "!요약 email lee@moef.go.kr", bot_user)
            code = re.search(r"confirm (\d{6})", relay.received[-1][2].get_content())
            assert code is not None
            confirmed = await _ask(lee, wg, f"!요약 email confirm {code.group(1)}", bot_user)
            assert "lee@moef.go.kr" in confirmed
            await run_digest_job(bot, clock, day)
        monkeypatch.setattr(app, "utc_now", lambda: clock)
        async with running_bot(settings, tmp_path, web=True) as bot:
            await run_digest_job(bot, clock, day)
            digests = [m for _, _, m in relay.received if "개인 요약" in str(m["Subject"])]
            assert len(digests) == 1
            [mail] = digests
            assert "예산안 작성" in mail.get_body(("plain",)).get_content()
            link = mail["List-Unsubscribe"].strip().strip("<>")
            async with aiohttp.ClientSession() as session, session.post(link) as response:
                assert response.status == 200
            assert await bot.repos.mail_subscriptions.confirmed() == []


async def _ask(who: Official, room_id: str, text: str, bot_user: str) -> str:
    asked = await who.send(room_id, text)
    return str((await who.wait_reply(room_id, asked, bot_user, timeout=20))["body"])
