"""Reading a message event's fields defensively: any member can send any JSON.

A homeserver checks little of an event's content, so every field read here may be missing
or of any JSON type (a string where an object belongs, a list, a number too large for a
date). Each reader returns a well-typed value or a neutral one, never raises: one odd event
must not stop the bot (see SyncProcessor, which also skips an event whose handling fails).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

PILL_RE = re.compile(r'href=["\']https://matrix\.to/#/((?:@|%40)[^"\'/?]+)')
MAX_ID_LENGTH = 255
"""The spec's limit for event, room and user ids; longer values are not ids."""
MAX_MENTIONS = 100
MAX_FORMATTED_SCAN = 100_000
MAX_PILL_SCAN = 50_000
"""A command's formatted body is read this far for pills (a command is at most 20,000
characters; its HTML is a little longer)."""
"""An HTML tag; a match stops at the next `<`, so scanning is linear in the input."""
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_USER_HREF = re.compile(r'href\s*=\s*["\']https://matrix\.to/#/((?:@|%40)[^"\'/?]+)')


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def identifier(value: Any) -> str | None:
    """`value` if it can be a Matrix id (a short string), else None."""
    if isinstance(value, str) and 0 < len(value) <= MAX_ID_LENGTH:
        return value
    return None


def content_of(event: Any) -> dict[str, Any]:
    return _dict(_dict(getattr(event, "source", None)).get("content"))


def text_body_of(event: Any, parsed_as_text: bool) -> str | None:
    """The body of a text message, or None. nio parses a message whose other fields break
    its schema (a null `formatted_body`, say) as a bad event; its text is still a message
    the member sent (a command, too), so it is read from the source here."""
    if parsed_as_text:
        body = getattr(event, "body", None)
        return body if isinstance(body, str) else None
    source = _dict(getattr(event, "source", None))
    content = content_of(event)
    if source.get("type") != "m.room.message" or content.get("msgtype") != "m.text":
        return None
    body = content.get("body")
    return body if isinstance(body, str) else None


def _relation(event: Any) -> dict[str, Any]:
    return _dict(content_of(event).get("m.relates_to"))


def thread_root_of(event: Any) -> str | None:
    relation = _relation(event)
    return identifier(relation.get("event_id")) if relation.get("rel_type") == "m.thread" else None


def reply_to_of(event: Any) -> str | None:
    return identifier(_dict(_relation(event).get("m.in_reply_to")).get("event_id"))


def mentions_of(event: Any) -> tuple[str, ...]:
    """Users the message mentions: `m.mentions` user ids, and pills in the formatted body
    (older clients send only those)."""
    content = content_of(event)
    declared = _dict(content.get("m.mentions")).get("user_ids")
    declared = declared if isinstance(declared, list) else []
    formatted = content.get("formatted_body")
    formatted = formatted[:MAX_FORMATTED_SCAN] if isinstance(formatted, str) else ""
    pills = [unquote(found) for found in PILL_RE.findall(formatted)]
    users = [identifier(u) for u in [*declared, *pills]]
    found = [u for u in users if u is not None and u.startswith("@")]
    return tuple(dict.fromkeys(found))[:MAX_MENTIONS]


@dataclass(frozen=True)
class Pill:
    """A person picked in the client: their id, the text the pill shows (Element puts only
    that text in the plain body) and how often that text occurs before the pill, so the
    pill's place in the plain body can be found even when the text is also an ordinary word
    elsewhere in the message."""

    user_id: str
    text: str
    earlier: int


def pills_in(formatted: str) -> tuple[Pill, ...]:
    """The user pills of a formatted body, in order; a quoted reply (`<mx-reply>`) is left
    out, as its pill names the author replied to, not someone picked.

    A linear scan of tags rather than `html.parser`: that parser is quadratic on unclosed
    tags (60 KB of `<a <a …` took over a minute), and any member can send such a body."""
    plain, start, user, quoted, cursor = "", 0, None, 0, 0
    found: list[Pill] = []
    for tag in _TAG.finditer(formatted[:MAX_PILL_SCAN]):
        if not quoted:
            plain += html.unescape(formatted[cursor : tag.start()])
        cursor = tag.end()
        closing, name = tag.group(1) == "/", tag.group(2).lower()
        if name == "mx-reply":
            quoted = max(0, quoted + (-1 if closing else 1))
        elif quoted or name not in ("a", "br"):
            continue
        elif name == "br":
            plain += "\n"
        elif not closing:
            href = _USER_HREF.search(tag.group(3))
            user, start = (identifier(unquote(href.group(1))) if href else None), len(plain)
        elif user is not None:
            text = plain[start:].strip()
            if text and user.startswith("@") and len(found) < MAX_MENTIONS:
                found.append(Pill(user, text, plain[:start].count(text)))
            user = None
    return tuple(found)


def pills_of(event: Any) -> tuple[Pill, ...]:
    formatted = content_of(event).get("formatted_body")
    return pills_in(formatted) if isinstance(formatted, str) else ()


def with_pill_ids(body: str, pills: tuple[Pill, ...]) -> str:
    """The body with each pill's text replaced by the id it links to, at the pill's place:
    a command then reads a picked person exactly as a typed `@user:server`, and the name
    never ends up in a title. Text a pill cannot be placed in is left as it is."""
    spans: list[tuple[int, int, str]] = []
    for pill in pills:
        at = _occurrence(body, pill.text, pill.earlier)
        end = at + len(pill.text)
        if at >= 0 and all(end <= s or at >= e for s, e, _ in spans):
            spans.append((at, end, pill.user_id))
    for at, end, user in sorted(spans, reverse=True):
        before = " " if at > 0 and body[at - 1].isalnum() else ""
        after = " " if end < len(body) and body[end].isalnum() else ""
        body = f"{body[:at]}{before}{user}{after}{body[end:]}"
    return body


def _occurrence(text: str, part: str, skip: int) -> int:
    """Where the (skip+1)-th occurrence of `part` starts (occurrences do not overlap), or -1."""
    at = text.find(part)
    for _ in range(skip):
        at = text.find(part, at + len(part)) if at >= 0 else -1
    return at


def malformed_fields(event: Any) -> tuple[str, ...]:
    """The fields of a message event that are present but not of the spec's type: each was
    read as absent. Counted in `/metrics`, so an operator sees odd events arrive."""
    content = content_of(event)
    found = [key for key in ("body", "formatted_body") if key in content]
    found = [key for key in found if not isinstance(content[key], str)]
    relation = content.get("m.relates_to")
    if relation is not None and not isinstance(relation, dict):
        found.append("m.relates_to")
    elif isinstance(relation, dict) and "m.in_reply_to" in relation and not reply_to_of(event):
        found.append("m.in_reply_to")
    mentions = content.get("m.mentions")
    if mentions is not None:
        ids = mentions.get("user_ids", []) if isinstance(mentions, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            found.append("m.mentions")
    return tuple(found)


def edit_of(event: Any) -> tuple[str, str] | None:
    """(edited event id, new body) for an `m.replace` edit, else None (also when the edit
    names no valid event or carries no text body)."""
    relation = _relation(event)
    if relation.get("rel_type") != "m.replace":
        return None
    target = identifier(relation.get("event_id"))
    body = _dict(content_of(event).get("m.new_content")).get("body")
    if target is None or not isinstance(body, str):
        return None
    return target, body


def sent_at_of(event: Any, fallback: datetime) -> datetime:
    """The origin server timestamp; `fallback` when it is missing or not a sane time."""
    stamp = getattr(event, "server_timestamp", None)
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return fallback
    try:
        return datetime.fromtimestamp(stamp / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return fallback
