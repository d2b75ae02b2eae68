"""The web side's last line of defence: no request ends in a traceback or a bare 500.

`guard` is the app's one catch-all middleware. HTTP exceptions (404 and the like) pass through
untouched; a `CommandError` that escapes a handler is the reader's input, answered 400 with its
Korean and English text; anything else is a fault of ours, answered 500 with a short reference
id that the log line carries too (`ref=…`, as the dispatcher does for commands), so a reader's
report finds the traceback. The log names the route, never the path: it holds a token.

aiohttp logs a request it cannot even parse (a bad request line or header, e.g. from a port
scanner) as an error with a traceback, though it is the client's fault and already answered
400; `quiet_malformed_requests` makes that one warning line.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler

from bot.web.collab import PAGE_HEADERS
from commands.collab import message_page
from commands.errors import CommandError

log = logging.getLogger(__name__)
SERVER_LOGGER = "aiohttp.server"
DETAIL_CHARS = 160
FAULT_TITLE = "일시적인 오류가 발생했습니다 (something went wrong)"
BAD_TITLE = "요청을 처리할 수 없습니다 (bad request)"


def _page(title: str, text: str, status: int) -> web.Response:
    return web.Response(
        text=message_page(title, text),
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=PAGE_HEADERS,
    )


def fault_page(reference: str) -> web.Response:
    """The 500 page: what happened and the reference id to quote, in Korean and English."""
    return _page(
        FAULT_TITLE,
        f"요청을 처리하지 못했습니다. 잠시 후 다시 시도하고, 계속되면 참조 번호 {reference} 를 "
        f"관리자에게 알려 주세요. We could not handle this request; try again later, and if "
        f"it keeps failing give the administrator reference {reference}.",
        500,
    )


def _route(request: web.Request) -> str:
    """The matched route's pattern (`/collab/{token}`), which, unlike the path, holds no
    secret."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "?"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Run a handler; turn what it raises into an error page (see the module docstring)."""
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except CommandError as error:
        return _page(BAD_TITLE, f"{error.ko} {error.en}", 400)
    except Exception:
        reference = secrets.token_hex(4)
        log.exception(
            "web request failed [ref %s]: %s %s", reference, request.method, _route(request)
        )
        return fault_page(reference)


class MalformedRequests(logging.Filter):
    """Turns aiohttp's record of an unparseable request into one warning line: the parser's
    complaint on a single line, cut short, and no traceback. Other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, HttpProcessingError):
            detail = " ".join(str(error.message).split())[:DETAIL_CHARS]
            said = record.getMessage()
            record.msg = "%s: malformed HTTP request (%s: %s)"
            record.args = (said, type(error).__name__, detail)
            record.exc_info, record.exc_text = None, None
            record.levelno = min(record.levelno, logging.WARNING)
            record.levelname = logging.getLevelName(record.levelno)
        return True


def quiet_malformed_requests() -> None:
    """Install `MalformedRequests` on aiohttp's server logger, once per process."""
    logger = logging.getLogger(SERVER_LOGGER)
    if not any(isinstance(f, MalformedRequests) for f in logger.filters):
        logger.addFilter(MalformedRequests())
