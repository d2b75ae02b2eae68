"""Event sizes: the megolm estimate bounds real ciphertext, and long notices split to fit."""

from __future__ import annotations

import json

import vodozemac

from commands.event_size import (
    CONTENT_LIMIT,
    MAX_PARTS,
    OMITTED,
    content_budget,
    encrypted_bytes,
    fits,
    json_bytes,
    split_notice,
)
from commands.render import Notice, relate, shown

ROOM = "!abcdefghijklmnop:ministry.go.kr"


def _real_encrypted_content(content: dict, session: vodozemac.GroupSession) -> dict:
    """What nio puts in an `m.room.encrypted` event, with vodozemac's real ciphertext."""
    plaintext = {"type": "m.room.message", "content": content, "room_id": ROOM}
    message = session.encrypt(json_bytes_text(plaintext).encode("utf-8"))
    encrypted = {
        "algorithm": "m.megolm.v1.aes-sha2",
        "sender_key": "x" * 43,
        "ciphertext": message.to_base64(),
        "session_id": session.session_id,
        "device_id": "ABCDEFGHIJ",
    }
    if "m.relates_to" in content:
        encrypted["m.relates_to"] = content["m.relates_to"]
    return encrypted


def json_bytes_text(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def test_the_estimate_bounds_real_megolm_ciphertext() -> None:
    session = vodozemac.GroupSession()
    for _ in range(300):  # a late message index makes the frame a little longer
        session.encrypt(b"warm-up")
    for size in (0, 15, 16, 1_000, 20_000, 44_000):
        notice = Notice.plain("가" * (size // 6) + "a" * (size % 6))
        content = notice.content()
        relate(content, "$reply:gov.kr", "$thread:gov.kr")
        real = json_bytes(_real_encrypted_content(content, session))
        estimate = encrypted_bytes(content, "m.room.message", ROOM)
        assert real <= estimate <= real + 600, (size, real, estimate)


def test_a_notice_at_the_encrypted_budget_still_fits_once_encrypted() -> None:
    budget = content_budget(ROOM, encrypted=True)
    notice = split_notice(Notice.plain("감" * 40_000), budget)
    assert len(notice) > 1
    for part in notice:
        content = part.content()
        relate(content, "$reply:gov.kr", "$thread:gov.kr")
        assert json_bytes(content) <= budget
        assert fits(content, "m.room.message", ROOM, encrypted=True)


def test_a_long_reply_is_cut_at_lines_into_numbered_parts_that_keep_every_line() -> None:
    lines = [f"{n}. 회의록 항목 {n} — 검토 의견 '따옴표' <태그> & 기호" * 3 for n in range(600)]
    whole = Notice.plain("\n".join(lines))
    parts = split_notice(whole, CONTENT_LIMIT)
    assert 1 < len(parts) <= MAX_PARTS
    assert [p.body.split("\n", 1)[0] for p in parts] == [
        f"({n}/{len(parts)})" for n in range(1, len(parts) + 1)
    ]
    assert [line for p in parts for line in p.body.split("\n")[1:]] == lines
    assert all(json_bytes(p.content()) <= CONTENT_LIMIT for p in parts)


def test_one_line_longer_than_a_part_is_cut_inside_and_nothing_is_lost() -> None:
    line = '"<>&' * 15_000
    parts = split_notice(Notice.plain(line), CONTENT_LIMIT)
    assert "".join(p.body.split("\n", 1)[1] for p in parts) == line
    assert all(json_bytes(p.content()) <= CONTENT_LIMIT for p in parts)


def test_past_the_last_part_the_rest_is_left_out_with_a_note() -> None:
    parts = split_notice(Notice.plain("\n".join(["가" * 1000] * 1000)), CONTENT_LIMIT)
    assert len(parts) == MAX_PARTS
    assert parts[-1].body.endswith(OMITTED)
    assert all(json_bytes(p.content()) <= CONTENT_LIMIT for p in parts)


def test_mentions_stay_on_the_first_part_only() -> None:
    notice = Notice("가" * 70_000, "가" * 70_000, ("@lee:gov.kr",))
    parts = split_notice(notice, CONTENT_LIMIT)
    assert [p.mentions for p in parts] == [("@lee:gov.kr",)] + [()] * (len(parts) - 1)


def test_a_notice_that_fits_is_sent_as_it_is() -> None:
    notice = Notice("짧은 답", "<b>짧은 답</b>", ("@lee:gov.kr",))
    assert split_notice(notice, CONTENT_LIMIT) == [notice]


def test_echoed_text_is_cut_and_loses_its_bidi_controls() -> None:
    assert shown("abc\u202edef\u2066g") == "abcdefg"
    assert shown("가" * 500) == "가" * 119 + "…"
    assert len(shown("x" * 50, 40)) == 40
