"""Bot messages: a plain `body` and an HTML `formatted_body` in which user text is escaped."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from urllib.parse import quote

BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
"""Embedding, override and isolate controls: echoed, they would reverse the rest of a line."""
ECHO_LIMIT = 120


def neutralise_bidi(text: str) -> str:
    """User text without bidi controls, so it cannot turn the bot's own words around."""
    return text.translate(BIDI_CONTROLS)


def shown(text: str, limit: int = ECHO_LIMIT) -> str:
    """User text as the bot echoes it: bidi controls removed, cut to `limit` characters."""
    text = neutralise_bidi(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def esc(text: str) -> str:
    """Escape user text for HTML (quotes too, so it is safe inside attributes)."""
    return html.escape(text, quote=True)


def permalink(room_id: str, event_id: str | None = None) -> str:
    """A matrix.to link to a room or an event in it."""
    link = f"https://matrix.to/#/{quote(room_id, safe='!:@#')}"
    return f"{link}/{quote(event_id, safe='$:')}" if event_id else link


def user_pill(user_id: str, display_name: str | None = None) -> str:
    """HTML mention pill for a user."""
    return f'<a href="{esc(permalink(user_id))}">{esc(display_name or user_id)}</a>'


@dataclass(frozen=True)
class Notice:
    """An `m.notice`: `body` is plain text, `html` is already-safe HTML, `mentions` are ids."""

    body: str
    html: str
    mentions: tuple[str, ...] = field(default=())

    @classmethod
    def plain(cls, text: str) -> Notice:
        """From plain text: every character is escaped, newlines become <br>."""
        return cls(body=text, html=esc(text).replace("\n", "<br>"))

    def content(self) -> dict[str, object]:
        """The event content, without relations."""
        content: dict[str, object] = {
            "msgtype": "m.notice",
            "body": self.body,
            "format": "org.matrix.custom.html",
            "formatted_body": self.html,
        }
        content["m.mentions"] = {"user_ids": list(self.mentions)} if self.mentions else {}
        return content


def relate(content: dict[str, object], reply_to: str | None, thread_root: str | None) -> None:
    """Add `m.relates_to`: a reply, inside the thread when there is one."""
    if thread_root:
        content["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread_root,
            "is_falling_back": reply_to is None,
            "m.in_reply_to": {"event_id": reply_to or thread_root},
        }
    elif reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
