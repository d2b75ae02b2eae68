"""`!dashboard` / `!대시보드`: a personal link to the collaboration-map web page, by DM.

The link carries an unguessable token that expires after a week; asking again replaces it and
`!dashboard revoke` ends it at once. The page shows only the rooms its owner is in, so a link
forwarded by mistake shows nothing its owner could not already read.
"""

from __future__ import annotations

from datetime import timedelta

from commands.context import Context
from commands.errors import UserInputError
from commands.framework import Arg, command
from commands.i18n import REVOKE_WORDS
from commands.render import Notice, esc
from commands.when import format_when

LIFETIME = timedelta(days=7)


def dashboard_url(base_url: str, token: str) -> str:
    """Where a token's page is: `{base}/collab/{token}`."""
    return f"{base_url.rstrip('/')}/collab/{token}"


@command(
    "dashboard",
    aliases=("대시보드",),
    args=(Arg("action", optional=True),),
    help_en="Your personal link to the collaboration-map page, by DM (valid 7 days); "
    "`revoke` ends it.",
)
async def dashboard(ctx: Context, action: str | None) -> None:
    """협업지도 웹 페이지 개인 링크를 개인 메시지로 받습니다 (7일 유효, 폐기: revoke)"""
    now = ctx.clock()
    if action is not None and action.strip().lower() in REVOKE_WORDS:
        ended = await ctx.repos.dashboard_tokens.revoke(ctx.sender, now)
        await ctx.reply(
            ctx.t("대시보드 링크를 폐기했습니다.", "Your dashboard link is revoked.")
            if ended
            else ctx.t("유효한 대시보드 링크가 없습니다.", "You have no live dashboard link.")
        )
        return
    if action is not None:
        raise UserInputError(
            f"알 수 없는 동작: '{action}' (revoke만 쓸 수 있습니다)",
            f"Unknown action '{action}' (only revoke).",
        )
    token, expires = await ctx.repos.dashboard_tokens.issue(ctx.sender, now, LIFETIME)
    url = dashboard_url(getattr(ctx.settings, "web_base_url", ""), token)
    until = format_when(expires, ctx.lang, tz=ctx.settings.timezone)
    text = ctx.t(
        f"협업지도 대시보드 (본인 전용, {until}까지 유효, 이전 링크는 폐기됨): {url}",
        f"Your collaboration-map dashboard (personal, valid until {until}; "
        f"older links revoked): {url}",
    )
    html = f'<p>{esc(text.removesuffix(url))}<a href="{esc(url)}">{esc(url)}</a></p>'
    await ctx.messenger.send_direct(ctx.sender, Notice(text, html))
    await ctx.reply(ctx.t("개인 메시지로 보냈습니다.", "Sent to you by direct message."))
