"""`/mail/unsubscribe/{token}`: the link in every digest mail. GET shows a button (mail
scanners follow links, so a GET alone changes nothing); POST stops the digest by mail, which is
also what a mail client's one-click unsubscribe sends (RFC 8058)."""

from __future__ import annotations

from aiohttp import web

from storage.repositories import Repositories

PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8">
<title>소통 · Sotong</title></head><body><p>{text}</p>{form}</body></html>"""
FORM = """<form method="post"><button type="submit">메일 요약 받지 않기 · Stop these mails</button>
</form>"""


def _page(text: str, form: str = "", status: int = 200) -> web.Response:
    body = PAGE.format(text=text, form=form)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def add_unsubscribe(app: web.Application, repos: Repositories) -> None:
    async def ask(_request: web.Request) -> web.Response:
        return _page("메일 요약을 그만 받으시겠습니까? · Stop the digest by mail?", FORM)

    async def stop(request: web.Request) -> web.Response:
        if not await repos.mail_subscriptions.unsubscribe(request.match_info["token"]):
            return _page(
                "이미 해지되었거나 없는 링크입니다. · Already stopped, or unknown.", status=404
            )
        return _page("메일 요약을 해지했습니다. · The digest by mail is stopped.")

    app.router.add_get("/mail/unsubscribe/{token}", ask)
    app.router.add_post("/mail/unsubscribe/{token}", stop)
