"""`!요약 email ADDRESS` / `email confirm CODE` / `email off`: the personal digest by mail.

The address is used only after the code mailed to it comes back in chat, so nobody can have
digests sent to a mailbox they do not read."""

from __future__ import annotations

import re
import secrets

from commands.context import Context
from commands.digests import digest
from commands.errors import NotFound, UserInputError
from commands.framework import Arg
from commands.mail.outbound import MAILER, confirmation_mail, sender_address

ADDRESS_RE = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
CONFIRM_WORDS = ("confirm", "확인")
OFF_WORDS = ("off", "stop", "해지", "끄기")


@digest.command(
    "email",
    aliases=("메일",),
    args=(Arg("what"), Arg("code", optional=True)),
    help_en="Your digest by mail: email ADDRESS (a code is mailed), email confirm CODE, email off.",
)
async def email(ctx: Context, what: str, code: str | None) -> None:
    """개인 요약을 메일로: email 주소(확인 코드 발송) · email confirm 코드 · email off."""
    word = what.strip().lower()
    if word in CONFIRM_WORDS:
        await _confirm(ctx, code or "")
    elif word in OFF_WORDS:
        await _off(ctx)
    else:
        await _request(ctx, what.strip())


async def _request(ctx: Context, address: str) -> None:
    if not ADDRESS_RE.fullmatch(address):
        raise UserInputError(
            f"'{address}'은(는) 메일 주소가 아닙니다.", f"'{address}' is not a mail address."
        )
    mailer = MAILER.get()
    if mailer is None:
        raise NotFound(
            "메일 발송(SMTP_URL)이 설정되지 않았습니다.", "Mail out (SMTP_URL) is not configured."
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    token = secrets.token_urlsafe(24)
    await ctx.repos.mail_subscriptions.request(ctx.sender, address, code, token, ctx.clock())
    message = confirmation_mail(
        sender_address(ctx.settings), address, ctx.sender, code, ctx.prefix, ctx.lang
    )
    await mailer.send(message)
    await ctx.reply(
        ctx.t(
            f"{address}(으)로 확인 코드를 보냈습니다. {ctx.prefix}요약 email confirm 코드",
            f"A code was mailed to {address}. Then: {ctx.prefix}digest email confirm CODE",
        )
    )


async def _confirm(ctx: Context, code: str) -> None:
    address = await ctx.repos.mail_subscriptions.confirm(ctx.sender, code)
    if address is None:
        raise UserInputError(
            "확인 코드가 맞지 않습니다. 메일로 받은 코드를 적어 주세요.",
            "That code does not match; use the one mailed to you.",
        )
    await ctx.reply(
        ctx.t(
            f"근무일마다 {ctx.settings.digest_time}에 {address}(으)로 개인 요약을 보냅니다.",
            f"Your digest will be mailed to {address} at {ctx.settings.digest_time}"
            " each working day.",
        )
    )


async def _off(ctx: Context) -> None:
    if not await ctx.repos.mail_subscriptions.off(ctx.sender):
        raise NotFound("메일 요약을 받고 있지 않습니다.", "You get no digest by mail.")
    await ctx.reply(ctx.t("메일 요약을 끊었습니다.", "Digest by mail stopped."))
