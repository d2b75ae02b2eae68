"""Reading a message event's fields defensively: any member can send any JSON.

A homeserver checks little of an event's content, so every field read here may be missing
or of any JSON type (a string where an object belongs, a list, a number too large for a
date). Each reader returns a well-typed value or a neutral one, never raises: one odd event
must not stop the bot (see SyncProcessor, which also skips an event whose handling fails).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

PILL_RE = re.compile(r'href=["\']https://matrix\.to/#/((?:@|%40)[^"\'/?]+)')
MAX_ID_LENGTH = 255
"""The spec's limit for event, room and user ids; longer values are not ids."""
MAX_MENTIONS = 100
MAX_FORMATTED_SCAN = 100_000


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
