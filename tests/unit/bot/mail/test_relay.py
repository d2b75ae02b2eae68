"""Mail out through a real SMTP relay on loopback: a capturing aiosmtpd server receives what
the bot's relay client sends (logging in when SMTP_URL carries credentials)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from email.message import EmailMessage

import aiosmtplib
import pytest
import pytest_asyncio

from bot.mail.client import SmtpMailer
from commands.mail import digest_mail
from commands.render import Notice
from tests.support.smtp import Relay, capturing_relay


@pytest_asyncio.fixture
async def relay() -> AsyncIterator[Relay]:
    async with capturing_relay() as capture:
        yield capture


def _digest() -> EmailMessage:
    sections = [Notice.plain("📋 개인 요약 · 2026-11-30 (월)\n내 할 일: 예산안 <초안> 작성")]
    return digest_mail(
        "sotong@mail.example.go.kr",
        "lee@moef.go.kr",
        "[소통] 개인 요약",
        sections,
        "https://sotong.example.go.kr/mail/unsubscribe/tok",
        "ko",
    )


async def test_digest_mail_arrives_multipart_through_the_relay_with_login(relay: Relay) -> None:
    mailer = SmtpMailer.from_url(f"smtp://bot%40gov:relay-secret@127.0.0.1:{relay.port}")
    await mailer.send(_digest())
    [(sender, to, mail)] = relay.received
    assert (sender, to, relay.logins) == (
        "sotong@mail.example.go.kr",
        ["lee@moef.go.kr"],
        ["bot@gov"],
    )
    assert mail["Subject"] == "[소통] 개인 요약"
    assert mail["List-Unsubscribe"] == "<https://sotong.example.go.kr/mail/unsubscribe/tok>"
    assert "예산안 <초안> 작성" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "예산안 &lt;초안&gt; 작성" in html and "<초안>" not in html


async def test_a_refused_recipient_raises_and_nothing_is_delivered(relay: Relay) -> None:
    relay.reject_all = True
    mailer = SmtpMailer.from_url(f"smtp://127.0.0.1:{relay.port}")
    with pytest.raises(aiosmtplib.SMTPRecipientsRefused):
        await mailer.send(_digest())
    assert relay.received == []


def test_smtp_urls() -> None:
    starttls = SmtpMailer.from_url("smtp+starttls://u:p%40ss@relay.gov.kr")
    assert (starttls.port, starttls.starttls, starttls.password) == (587, True, "p@ss")
    assert SmtpMailer.from_url("smtps://relay.gov.kr").implicit_tls
    with pytest.raises(ValueError):
        SmtpMailer.from_url("http://relay.gov.kr")
