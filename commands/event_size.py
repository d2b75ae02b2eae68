"""How big an event the bot sends will be on the wire, and how to cut a notice to fit.

Synapse refuses an event whose PDU exceeds 65,536 bytes (`M_TOO_LARGE`). The PDU wraps the
content in an envelope (sender, room, hashes, signatures, prev/auth events), so content is
held to the limit minus `ENVELOPE_MARGIN`. In an encrypted room the content travels as
megolm ciphertext: the plaintext `{"type", "content", "room_id"}` is AES-CBC padded, framed
with the message index, a MAC and an Ed25519 signature, then base64-encoded, and the
relation is copied outside. `encrypted_bytes` follows that format as an upper bound (a
unit test checks it against real libolm ciphertext).
"""

from __future__ import annotations

import json
import math
from typing import Any

from commands.render import Notice, esc

EVENT_LIMIT = 65_536
ENVELOPE_MARGIN = 4_096
CONTENT_LIMIT = EVENT_LIMIT - ENVELOPE_MARGIN
MEGOLM_FRAME = 1 + 1 + 10 + 1 + 4 + 8 + 64
"""Version byte, index tag and varint, ciphertext tag and length, MAC, signature."""
ENCRYPTED_FIELDS = 400
"""algorithm, sender_key, session_id, device_id and their JSON punctuation, rounded up."""
MAX_PARTS = 10
PART_OVERHEAD = 600
"""msgtype, format, mentions, relation and the "(n/m)" marker of a part."""


def json_bytes(value: Any) -> int:
    """Serialized size as a homeserver counts it (UTF-8, no ASCII escaping)."""
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def encrypted_bytes(content: dict[str, Any], event_type: str, room_id: str) -> int:
    """An upper bound of the `m.room.encrypted` content that carries `content`."""
    plaintext = json_bytes({"type": event_type, "content": content, "room_id": room_id})
    padded = (plaintext // 16 + 1) * 16
    ciphertext = math.ceil((padded + MEGOLM_FRAME) * 4 / 3)
    relation = json_bytes(content.get("m.relates_to", {}))
    return ciphertext + ENCRYPTED_FIELDS + relation


def event_bytes(content: dict[str, Any], event_type: str, room_id: str, encrypted: bool) -> int:
    if encrypted:
        return encrypted_bytes(content, event_type, room_id)
    return json_bytes(content)


def fits(content: dict[str, Any], event_type: str, room_id: str, encrypted: bool) -> bool:
    return event_bytes(content, event_type, room_id, encrypted) <= CONTENT_LIMIT


LONGEST_ROOM_ID = "!" + "x" * 254


def content_budget(room_id: str, encrypted: bool) -> int:
    """The largest plain content (in bytes) that still fits once sent to `room_id`."""
    if not encrypted:
        return CONTENT_LIMIT
    room = json_bytes(room_id) + len('{"type":"m.room.message","content":,"room_id":}')
    usable = CONTENT_LIMIT - ENCRYPTED_FIELDS - PART_OVERHEAD
    return math.floor(usable * 3 / 4) - MEGOLM_FRAME - 16 - room


def _cost(text: str) -> int:
    """What a line adds to a plain notice: in `body`, in `formatted_body`, and a line break."""
    return json_bytes(text) + json_bytes(esc(text)) - 4 + len("\\n<br>")


def _slices(line: str, budget: int) -> list[str]:
    """A line too long for one part, cut into pieces that each fit."""
    pieces: list[str] = []
    start, used = 0, 0
    for index, char in enumerate(line):
        cost = _cost(char) - len("\\n<br>")
        if used + cost > budget and index > start:
            pieces.append(line[start:index])
            start, used = index, 0
        used += cost
    pieces.append(line[start:])
    return pieces


def _pack(lines: list[str], budget: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        cost = _cost(line)
        if chunks[-1] and used + cost > budget:
            chunks.append([])
            used = 0
        chunks[-1].append(line)
        used += cost
    return chunks


def split_notice(notice: Notice, budget: int) -> list[Notice]:
    """`notice` itself when it fits `budget` bytes of content, else numbered plain-text parts
    cut at line boundaries (a line longer than a part is cut inside). Past `MAX_PARTS` the
    rest is left out with a note: the full text is for `export`, not for chat."""
    if json_bytes(notice.content()) <= budget:
        return [notice]
    room = budget - PART_OVERHEAD
    lines = [piece for line in notice.body.split("\n") for piece in _slices(line, room)]
    chunks = _pack(lines, room)
    if len(chunks) > MAX_PARTS:
        chunks = [*chunks[: MAX_PARTS - 1], _with_note(chunks[MAX_PARTS - 1], room)]
    total = len(chunks)
    parts = [
        Notice.plain(f"({number}/{total})\n" + "\n".join(chunk))
        for number, chunk in enumerate(chunks, start=1)
    ]
    return [
        Notice(part.body, part.html, notice.mentions if number == 0 else ())
        for number, part in enumerate(parts)
    ]


def _with_note(chunk: list[str], budget: int) -> list[str]:
    kept = list(chunk)
    while kept and sum(map(_cost, kept)) + _cost(OMITTED) > budget:
        kept.pop()
    return [*kept, OMITTED]


OMITTED = "… (이하 생략: 전체 내용은 내보내기로 / the rest is left out: use export for all of it)"


SAFE_CONTENT_BYTES = content_budget(LONGEST_ROOM_ID, encrypted=True)
"""Content that fits any room, encrypted or not: for senders that cannot know which."""
