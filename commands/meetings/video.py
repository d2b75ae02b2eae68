"""Video links for meetings: Jitsi conferences (optionally token-protected), Element Call links
and the room widget Element Web shows.

Conference names are unguessable (120 random bits), because on a Jitsi server without tokens the
name is the only lock. Tokens are HS256 JWTs in the form Jitsi's `token` authentication checks
(`iss` = app id, `aud`, `sub` = domain, `room`, `exp`, `nbf`, `context.user`); Prosody compares
the `room` claim case-insensitively. Element X shows no widgets, so the plain link always goes in
the message too. Element Web's Jitsi widget cannot pass our JWT on (its wrapper only knows the
`openidtoken-jwt` Matrix auth), so on a token-only Jitsi the widget needs that module or guests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode, urlsplit

WIDGET_EVENT = "im.vector.modular.widgets"
LAYOUT_EVENT = "io.element.widgets.layout"
ELEMENT_JITSI_WRAPPER = "https://app.element.io/jitsi.html"
CLOCK_SKEW = timedelta(minutes=5)

# The hash Element Web writes (WidgetUtils.getLocalJitsiWrapperUrl); clients fill the `$` values.
_WRAPPER_FRAGMENT = "&".join(
    (
        "conferenceDomain=$domain",
        "conferenceId=$conferenceId",
        "isAudioOnly=$isAudioOnly",
        "startWithAudioMuted=$startWithAudioMuted",
        "startWithVideoMuted=$startWithVideoMuted",
        "isVideoChannel=$isVideoChannel",
        "displayName=$matrix_display_name",
        "avatarUrl=$matrix_avatar_url",
        "userId=$matrix_user_id",
        "roomId=$matrix_room_id",
        "theme=$theme",
        "roomName=$roomName",
        "supportsScreensharing=true",
        "language=$org.matrix.msc2873.client_language",
    )
)


def conference_name(prefix: str = "Sotong") -> str:
    """`Sotong-` and 24 random base32 characters: unguessable, URL-safe, valid in Jitsi."""
    return f"{prefix}-{base64.b32encode(secrets.token_bytes(15)).decode()}"


def domain_of(base_url: str) -> str:
    """The host of an http(s) URL; anything else is a configuration error."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {base_url!r}")
    return parts.hostname


def jitsi_url(base_url: str, room: str, jwt: str | None = None) -> str:
    """`https://meet.example/ROOM`, with `?jwt=…` when the server wants a token."""
    domain_of(base_url)
    link = f"{base_url.rstrip('/')}/{quote(room, safe='')}"
    return f"{link}?{urlencode({'jwt': jwt})}" if jwt else link


def jitsi_jwt(
    app_id: str,
    app_secret: str,
    room: str,
    user_id: str,
    display_name: str,
    expires: datetime,
    audience: str = "jitsi",
    subject: str | None = None,
    *,
    base_url: str | None = None,
    not_before: datetime | None = None,
    moderator: bool = False,
) -> str:
    """A Jitsi token for one room and user, valid from `not_before` (default: now minus a few
    minutes of clock skew) to `expires`. `subject` defaults to the domain of `base_url`."""
    if subject is None:
        if base_url is None:
            raise ValueError("jitsi_jwt needs a subject or the base_url to take it from")
        subject = domain_of(base_url)
    start = not_before or datetime.now(UTC) - CLOCK_SKEW
    if expires.tzinfo is None or start.tzinfo is None:
        raise ValueError("token times must be timezone-aware")
    if expires <= start:
        raise ValueError("a token must expire after it becomes valid")
    user: dict[str, object] = {"id": user_id, "name": display_name}
    if moderator:
        user["moderator"] = True
    claims = {
        "aud": audience,
        "iss": app_id,
        "sub": subject,
        "room": room,
        "iat": int(start.timestamp()),
        "nbf": int(start.timestamp()),
        "exp": int(expires.timestamp()),
        "context": {"user": user},
    }
    return sign_hs256(claims, app_secret)


def sign_hs256(claims: dict[str, object], secret: str) -> str:
    """A compact JWS (RFC 7515) over `claims` with HMAC-SHA256."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    payload = _b64url(json.dumps(claims, separators=(",", ":"), ensure_ascii=False).encode())
    signing_input = f"{header}.{payload}".encode("ascii")
    signature = hmac.new(secret.encode(), signing_input, hashlib.sha256).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def element_call_url(base: str, room: str, *, name: str = "meeting", via: str | None = None) -> str:
    """An Element Call link. A room id gives the shareable form
    `/room/#/NAME?roomId=!id&viaServers=…` (via: the room id's server unless given); an alias
    `#a:server` gives `/room/a:server`; a bare name `/room/#/NAME`."""
    domain_of(base)
    root = f"{base.rstrip('/')}/room"
    if room.startswith("!"):
        params = {"roomId": room}
        server = via or (room.split(":", 1)[1] if ":" in room else None)
        if server:
            params["viaServers"] = server
        return f"{root}/#/{quote(name, safe='')}?{urlencode(params, safe='!:')}"
    if room.startswith("#"):
        return f"{root}/{quote(room[1:], safe=':')}"
    return f"{root}/#/{quote(room, safe='')}"


def jitsi_widget(
    widget_id: str,
    conference: str,
    base_url: str,
    title: str,
    creator_user_id: str,
    *,
    wrapper_url: str = ELEMENT_JITSI_WRAPPER,
    audio_only: bool = False,
) -> dict[str, object]:
    """Content of the `im.vector.modular.widgets` state event (state key: `widget_id`) in the
    form Element Web writes for a Jitsi call; `wrapper_url` may point to a self-hosted page."""
    url = f"{wrapper_url}?{urlencode({'confId': conference})}#{_WRAPPER_FRAGMENT}"
    return {
        "type": "jitsi",
        "url": url,
        "name": title,
        "data": {
            "domain": domain_of(base_url),
            "conferenceId": conference,
            "isAudioOnly": audio_only,
            "roomName": title,
        },
        "creatorUserId": creator_user_id,
        "id": widget_id,
    }


def widget_id_for(meeting_key: str) -> str:
    """A stable widget id (the state key) per meeting, so adding twice replaces, not duplicates."""
    return f"sotong_{hashlib.sha256(meeting_key.encode()).hexdigest()[:24]}"


def widget_layout(
    widget_id: str, current: dict[str, object] | None = None, *, height: int = 50
) -> dict[str, object]:
    """Content of `io.element.widgets.layout` (state key "") pinning the widget first in the
    top container, keeping the other widgets of `current` (the room's present layout)."""
    widgets = _layout_widgets(current)
    widgets[widget_id] = {"container": "top", "index": 0, "width": 100, "height": height}
    return {**(current or {}), "widgets": widgets}


def layout_without(widget_id: str, current: dict[str, object] | None) -> dict[str, object]:
    """The layout with the widget unpinned, for when the meeting is over."""
    widgets = _layout_widgets(current)
    widgets.pop(widget_id, None)
    return {**(current or {}), "widgets": widgets}


def _layout_widgets(current: dict[str, object] | None) -> dict[str, object]:
    found = (current or {}).get("widgets")
    return dict(found) if isinstance(found, dict) else {}


def empty_widget() -> dict[str, object]:
    """Empty content: sent as the widget's state, it removes the widget from the room."""
    return {}
