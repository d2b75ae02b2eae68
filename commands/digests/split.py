"""Digest sections and splitting them into events that fit Matrix's size limit.

A Matrix event is at most 65,536 bytes of JSON, envelope included, so a long digest is cut
into several notices: between sections, and inside a big section between its items. Sizes are
measured as `json.dumps(content).encode()`, whose `\\uXXXX` escapes make it an upper bound of
the canonical UTF-8 JSON the homeserver counts; the default leaves room for the envelope
and for megolm encryption's growth (see commands/event_size.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from commands.event_size import SAFE_CONTENT_BYTES
from commands.render import Notice, esc

MAX_EVENT_BYTES = SAFE_CONTENT_BYTES
_LABEL_RESERVE = " (9999/9999)"


@dataclass(frozen=True)
class Section(Notice):
    """A titled list of items (each item's `html` already wrapped, e.g. in `<li>`).
    `body` and `html` are rendered from the rest by `section()`; build it with that."""

    title: str = ""
    items: tuple[Notice, ...] = ()
    level: int = 4
    open_tag: str = "<ul>"
    close_tag: str = "</ul>"


def section(
    title: str,
    items: Sequence[Notice],
    *,
    level: int = 4,
    open_tag: str = "<ul>",
    close_tag: str = "</ul>",
) -> Section:
    """A section whose body is the title then one line per item, and whose HTML is the title
    as a heading then the items inside `open_tag … close_tag` (omitted when there are none)."""
    body = "\n".join([title] * bool(title) + [item.body for item in items])
    heading = f"<h{level}>{esc(title)}</h{level}>" if title else ""
    inner = open_tag + "".join(item.html for item in items) + close_tag if items else ""
    return Section(
        body=body,
        html=heading + inner,
        mentions=_union(item.mentions for item in items),
        title=title,
        items=tuple(items),
        level=level,
        open_tag=open_tag,
        close_tag=close_tag,
    )


def item(body: str, html: str, mentions: Sequence[str] = ()) -> Notice:
    """A list item: `• body` in plain text, `<li>html</li>` (html must be safe already)."""
    return Notice(body=f"• {body}", html=f"<li>{html}</li>", mentions=tuple(mentions))


def join_sections(sections: Sequence[Notice]) -> Notice:
    """One notice: bodies separated by a blank line, HTML concatenated, mentions merged."""
    return Notice(
        body="\n\n".join(s.body for s in sections if s.body),
        html="".join(s.html for s in sections),
        mentions=_union(s.mentions for s in sections),
    )


def content_size(notice: Notice) -> int:
    """Bytes of the notice's event content as JSON."""
    return len(json.dumps(notice.content()).encode())


def split_notice(sections: list[Notice], max_bytes: int = MAX_EVENT_BYTES) -> list[Notice]:
    """The sections as one notice if it fits in `max_bytes`, else as several that each fit.

    Cuts fall between sections and, in a `Section`, between items; a section that continues
    repeats its title. The first section is the digest's title: every part starts with its
    title labelled `(k/n)`, and only the first part carries its items. A single item too big
    for any event is cut into plain-text pieces.
    """
    whole = join_sections(sections)
    if content_size(whole) <= max_bytes:
        return [whole]
    head, *rest = [_as_section(s) for s in sections]
    frame = _cost_of(section(head.title + _LABEL_RESERVE, [Notice("", "")], level=head.level))
    budget = max_bytes - content_size(Notice("", "")) - len('{"user_ids": []}') - frame
    packer = _Packer(budget)
    for piece in head.items:
        packer.used += _item_cost(piece, packer.mentions)
        packer.mentions.update(piece.mentions)
    for sec in rest:
        packer.add(sec)
    total = len(packer.parts)
    notices = []
    for k, chunks in enumerate(packer.parts, start=1):
        label = f"{head.title} ({k}/{total})".strip()
        title = section(label, head.items if k == 1 else (), level=head.level)
        notices.append(join_sections([title, *chunks]))
    return notices


class _Packer:
    """Greedy packing of section items into parts whose size bound stays within `budget`."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.parts: list[list[Section]] = [[]]
        self.used = 0
        self.mentions: set[str] = set()

    def add(self, sec: Section) -> None:
        """Place a section's items, continuing it in a new part when the current one is full."""
        frame = _cost_of(_like(sec, [Notice("", "")])) + _json_len("\n\n")
        if not sec.items:
            self._make_room(frame)
            self.parts[-1].append(sec)
            self.used += frame
            return
        pending: list[Notice] = []
        for piece in self._pieces(sec, frame):
            cost = _item_cost(piece, self.mentions) + (0 if pending else frame)
            if self.used + cost > self.budget and self.used:
                if pending:
                    self.parts[-1].append(_like(sec, pending))
                    pending = []
                self._new_part()
                cost = _item_cost(piece, self.mentions) + frame
            pending.append(piece)
            self.used += cost
            self.mentions.update(piece.mentions)
        if pending:
            self.parts[-1].append(_like(sec, pending))

    def _make_room(self, cost: int) -> None:
        """Start a new part unless `cost` more bytes fit in the current, non-empty one."""
        if self.used and self.used + cost > self.budget:
            self._new_part()

    def _new_part(self) -> None:
        self.parts.append([])
        self.used, self.mentions = 0, set()

    def _pieces(self, sec: Section, frame: int) -> list[Notice]:
        """The section's items, any too big for an empty part cut into pieces."""
        room = self.budget - frame
        result: list[Notice] = []
        for piece in sec.items:
            fits = _item_cost(piece, set()) <= room
            result.extend([piece] if fits else _cut(piece, room))
        return result


def _cut(piece: Notice, room: int) -> list[Notice]:
    """An oversized item as plain-text items that each cost at most `room`: a character
    costs at most 12 JSON bytes in the body and 12 in the escaped HTML."""
    mention_cost = sum(_json_len(uid) + 4 for uid in piece.mentions) + 16
    step = max(1, (room - mention_cost - 64) // 24)
    text = piece.body
    return [
        Notice(text[i : i + step], f"<li>{esc(text[i : i + step])}</li>", piece.mentions)
        for i in range(0, len(text), step)
    ]


def _as_section(notice: Notice) -> Section:
    """A Section as is; any other notice as a title-less section with itself as one item."""
    if isinstance(notice, Section):
        return notice
    return section("", [notice], open_tag="", close_tag="")


def _like(sec: Section, items: Sequence[Notice]) -> Section:
    return section(
        sec.title, items, level=sec.level, open_tag=sec.open_tag, close_tag=sec.close_tag
    )


def _item_cost(piece: Notice, known: set[str]) -> int:
    """Upper bound of what an item adds to a part: its line, its HTML and new mention ids."""
    ids = sum(_json_len(uid) + 4 for uid in set(piece.mentions) - known)
    return _json_len(piece.body) + _json_len("\n") + _json_len(piece.html) + ids


def _cost_of(notice: Notice) -> int:
    """Upper bound of what a notice's body and HTML add to an event's JSON."""
    return _json_len(notice.body) + _json_len(notice.html)


def _json_len(text: str) -> int:
    return len(json.dumps(text).encode()) - 2


def _union(groups: Iterable[Sequence[str]]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for group in groups:
        for uid in group:
            seen.setdefault(uid)
    return tuple(seen)
