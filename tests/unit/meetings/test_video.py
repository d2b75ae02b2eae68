"""Video links: conference names, Jitsi URLs and tokens, Element Call links, room widgets."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine

from commands.meetings.video import (
    CLOCK_SKEW,
    conference_name,
    element_call_url,
    empty_widget,
    jitsi_jwt,
    jitsi_url,
    jitsi_widget,
    layout_without,
    widget_id_for,
    widget_layout,
)

BASE = "https://meet.example.go.kr"
SECRET = "s3cret-shared-with-prosody"
NBF = datetime(2027, 1, 26, 4, 55, tzinfo=UTC)
EXP = datetime(2027, 1, 26, 7, 0, tzinfo=UTC)


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def verified_claims(token: str, secret: str) -> dict[str, object]:
    """Check the HS256 signature independently, then return the claims."""
    header, payload, signature = token.split(".")
    expected = hmac.new(secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert hmac.compare_digest(b64url_decode(signature), expected)
    assert json.loads(b64url_decode(header)) == {"alg": "HS256", "typ": "JWT"}
    return json.loads(b64url_decode(payload))


def test_conference_names_are_unguessable_and_url_safe() -> None:
    names = {conference_name() for _ in range(200)}
    assert len(names) == 200
    for name in names:
        assert re.fullmatch(r"Sotong-[A-Z2-7]{24}", name)


def test_jitsi_url_with_and_without_token() -> None:
    assert jitsi_url(BASE + "/", "Sotong-ABC") == f"{BASE}/Sotong-ABC"
    assert jitsi_url(BASE, "Sotong-ABC", "a.b.c") == f"{BASE}/Sotong-ABC?jwt=a.b.c"
    assert jitsi_url(BASE, "회의 실") == f"{BASE}/%ED%9A%8C%EC%9D%98%20%EC%8B%A4"


def test_jitsi_url_refuses_a_non_http_base() -> None:
    with pytest.raises(ValueError, match="http"):
        jitsi_url("meet.example.go.kr", "room")


def test_jitsi_jwt_signature_and_claims() -> None:
    token = jitsi_jwt(
        "sotong", SECRET, "Sotong-ABC", "@kim:gov.kr", "김주무관", EXP,
        base_url=BASE, not_before=NBF,
    )  # fmt: skip
    claims = verified_claims(token, SECRET)
    assert claims == {
        "aud": "jitsi",
        "iss": "sotong",
        "sub": "meet.example.go.kr",
        "room": "Sotong-ABC",
        "iat": int(NBF.timestamp()),
        "nbf": int(NBF.timestamp()),
        "exp": int(EXP.timestamp()),
        "context": {"user": {"id": "@kim:gov.kr", "name": "김주무관"}},
    }
    with pytest.raises(AssertionError):
        verified_claims(token, "wrong secret")


def test_jitsi_jwt_options() -> None:
    token = jitsi_jwt(
        "sotong", SECRET, "r", "@chair:gov.kr", "의장", EXP,
        audience="meet", subject="*", not_before=NBF, moderator=True,
    )  # fmt: skip
    claims = verified_claims(token, SECRET)
    assert (claims["aud"], claims["sub"]) == ("meet", "*")
    assert claims["context"] == {"user": {"id": "@chair:gov.kr", "name": "의장", "moderator": True}}


def test_jitsi_jwt_default_validity_starts_now_less_the_clock_skew() -> None:
    now = datetime(2028, 2, 29, 3, 0, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        token = jitsi_jwt("a", SECRET, "r", "@u:s", "u", now + timedelta(hours=2), subject="d")
    claims = verified_claims(token, SECRET)
    assert claims["nbf"] == int((now - CLOCK_SKEW).timestamp())
    assert claims["exp"] == int((now + timedelta(hours=2)).timestamp())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": None, "subject": None}, "subject"),
        ({"expires": NBF}, "expire"),
        ({"expires": datetime(2027, 1, 26, 7)}, "aware"),
    ],
)
def test_jitsi_jwt_refuses_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "app_id": "a", "app_secret": SECRET, "room": "r", "user_id": "@u:s",
        "display_name": "u", "expires": EXP, "base_url": BASE, "not_before": NBF,
    }  # fmt: skip
    with pytest.raises(ValueError, match=message):
        jitsi_jwt(**{**args, **kwargs})  # type: ignore[arg-type]


def test_element_call_links() -> None:
    call = "https://call.example.go.kr/"
    assert (
        element_call_url(call, "!abc:gov.kr", name="주간회의")
        == "https://call.example.go.kr/room/#/%EC%A3%BC%EA%B0%84%ED%9A%8C%EC%9D%98"
        "?roomId=!abc:gov.kr&viaServers=gov.kr"
    )
    assert element_call_url(call, "!opaque", via="gov.kr").endswith(
        "?roomId=!opaque&viaServers=gov.kr"
    )
    assert (
        element_call_url(call, "#tf-data:gov.kr")
        == "https://call.example.go.kr/room/tf-data:gov.kr"
    )
    assert element_call_url(call, "Sotong-ABC") == "https://call.example.go.kr/room/#/Sotong-ABC"


def test_jitsi_widget_in_element_web_form() -> None:
    content = jitsi_widget("w1", "Sotong-ABC", BASE, "주간 회의", "@sotong:gov.kr")
    assert content["type"] == "jitsi"
    assert content["name"] == "주간 회의"
    assert content["id"] == "w1" and content["creatorUserId"] == "@sotong:gov.kr"
    assert content["data"] == {
        "domain": "meet.example.go.kr",
        "conferenceId": "Sotong-ABC",
        "isAudioOnly": False,
        "roomName": "주간 회의",
    }
    url = urlsplit(str(content["url"]))
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://app.element.io/jitsi.html"
    assert parse_qs(url.query) == {"confId": ["Sotong-ABC"]}
    fragment = url.fragment.split("&")
    for part in (
        "conferenceDomain=$domain",
        "conferenceId=$conferenceId",
        "isAudioOnly=$isAudioOnly",
        "displayName=$matrix_display_name",
        "avatarUrl=$matrix_avatar_url",
        "userId=$matrix_user_id",
        "roomId=$matrix_room_id",
        "theme=$theme",
        "roomName=$roomName",
    ):
        assert part in fragment


def test_jitsi_widget_with_own_wrapper() -> None:
    content = jitsi_widget(
        "w1", "c", BASE, "t", "@b:s", wrapper_url="https://chat.gov.kr/jitsi.html"
    )
    assert str(content["url"]).startswith(
        "https://chat.gov.kr/jitsi.html?confId=c#conferenceDomain="
    )


def test_widget_ids_are_stable_and_distinct() -> None:
    assert widget_id_for("!r:s/m1") == widget_id_for("!r:s/m1") != widget_id_for("!r:s/m2")
    assert re.fullmatch(r"sotong_[0-9a-f]{24}", widget_id_for("x"))


def test_layout_pins_on_top_and_keeps_other_widgets() -> None:
    assert widget_layout("w1") == {
        "widgets": {"w1": {"container": "top", "index": 0, "width": 100, "height": 50}}
    }
    current = {"widgets": {"etherpad": {"container": "right"}}}
    pinned = widget_layout("w1", current)
    assert set(pinned["widgets"]) == {"etherpad", "w1"}  # type: ignore[arg-type]
    assert current == {"widgets": {"etherpad": {"container": "right"}}}
    assert layout_without("w1", pinned) == current
    assert layout_without("w1", None) == {"widgets": {}}


def test_empty_widget_removes() -> None:
    assert empty_widget() == {}
