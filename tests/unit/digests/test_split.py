"""Splitting digests under Matrix's 65,536-byte event limit: between sections, inside a big
section between items, and inside an item too big for any event; on a 100k-message day."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from commands.digests.build import wg_digest_sections
from commands.digests.model import UNLIMITED, DigestInput, WgInfo
from commands.digests.split import (
    Section,
    content_size,
    item,
    join_sections,
    section,
    split_notice,
)
from commands.render import Notice, esc
from storage.archive import ArchivedMessage

SEOUL = ZoneInfo("Asia/Seoul")
MATRIX_LIMIT = 65_536
ENVELOPE = 2_000  # room id, sender, event id, hashes, signatures, prev/auth events, unsigned


def text_item(text: str, *mentions: str) -> Notice:
    return item(text, f"<b>{esc(text)}</b>", mentions)


def digest_like(items_per_section: int) -> list[Notice]:
    title = section("📋 요약 & <제목>", [text_item("기간: 12-24 → 12-28")], level=3)
    owners = [f"@owner{i}:gov.kr" for i in range(4)]
    return [
        title,
        *(
            section(
                f"섹션 {s}",
                [
                    text_item(f"s{s} 항목 {i:03} " + "가나다 & <b>" * 3, owners[i % 4])
                    for i in range(items_per_section)
                ],
            )
            for s in range(3)
        ),
    ]


def item_lines(part: Notice) -> list[str]:
    return [line for line in part.body.split("\n") if line.startswith("• s")]


def test_a_digest_that_fits_is_one_notice() -> None:
    sections = digest_like(3)
    assert split_notice(sections) == [join_sections(sections)]


def test_long_digest_splits_between_and_inside_sections() -> None:
    sections = digest_like(40)
    parts = split_notice(sections, max_bytes=6_000)
    n = len(parts)
    assert n > 3
    assert all(content_size(p) <= 6_000 for p in parts)
    assert all(len(json.dumps(p.content()).encode()) <= 6_000 for p in parts)
    for k, part in enumerate(parts, start=1):
        assert part.body.startswith(f"📋 요약 & <제목> ({k}/{n})\n")
        assert part.html.startswith(f"<h3>📋 요약 &amp; &lt;제목&gt; ({k}/{n})</h3>")
    assert [("기간" in p.body) for p in parts] == [True] + [False] * (n - 1)
    every_item = [line for s in sections[1:] for line in s.body.split("\n")[1:]]
    assert [line for p in parts for line in item_lines(p)] == every_item


def test_a_continued_section_repeats_its_title_and_mentions_only_its_owners() -> None:
    parts = split_notice(digest_like(40), max_bytes=6_000)
    for part in parts:
        lines = part.body.split("\n")
        for i, line in enumerate(lines):
            if line.startswith("• s"):
                heading = next(h for h in reversed(lines[:i]) if h.startswith("섹션"))
                assert heading == f"섹션 {line[3]}"
        owners = {f"@owner{int(line[8:11]) % 4}:gov.kr" for line in item_lines(part)}
        assert set(part.mentions) == owners
        assert part.content()["m.mentions"] == {"user_ids": list(part.mentions)}


def test_exact_split_of_a_small_case() -> None:
    sections = [
        section("T", []),
        section("A", [item("a" * 300, "a" * 300) for _ in range(3)]),
        section("B", [item("b" * 300, "b" * 300) for _ in range(2)]),
    ]
    parts = split_notice(sections, max_bytes=2_000)
    shapes = [[(s.split("\n")[0], s.count("\n")) for s in p.body.split("\n\n")] for p in parts]
    assert shapes == [
        [("T (1/3)", 0), ("A", 2)],
        [("T (2/3)", 0), ("A", 1), ("B", 1)],
        [("T (3/3)", 0), ("B", 1)],
    ]
    assert all(content_size(p) <= 2_000 for p in parts)


def test_an_item_too_big_for_any_event_is_cut_into_plain_pieces() -> None:
    huge = "장애 <내용> & " * 4_000
    sections = [section("T", []), section("S", [item(huge, f"<i>{esc(huge)}</i>")])]
    parts = split_notice(sections, max_bytes=20_000)
    assert len(parts) > 2
    assert all(content_size(p) <= 20_000 for p in parts)
    pieces = [p.body.split("\n\n", 1)[1].removeprefix("S\n") for p in parts]
    assert "".join(pieces).replace("\n", "") == f"• {huge}"
    assert all("<내용>" not in p.html for p in parts)


def test_plain_notices_are_kept_whole() -> None:
    notes = [Notice.plain("머리말"), *(Notice.plain(f"문단 {i} " + "x" * 500) for i in range(6))]
    parts = split_notice(notes, max_bytes=2_500)
    assert len(parts) > 1
    assert all(content_size(p) <= 2_500 for p in parts)
    assert parts[0].body.startswith("(1/")
    joined = [line for p in parts for line in p.body.split("\n\n")[1:]]
    assert joined == [n.body for n in notes[1:]]


def test_section_is_a_notice() -> None:
    sec = section("제목", [text_item("하나", "@a:x"), text_item("둘")])
    assert isinstance(sec, Section) and isinstance(sec, Notice)
    assert sec.body == "제목\n• 하나\n• 둘"
    assert sec.html == "<h4>제목</h4><ul><li><b>하나</b></li><li><b>둘</b></li></ul>"
    assert sec.mentions == ("@a:x",)


def hundred_thousand_message_day() -> DigestInput:
    """100,000 messages in the period, in threads of 50, by 300 officials of 12 ministries;
    plus 5,000 questions the day before that nobody answered."""
    start = datetime(2026, 12, 23, 8, 30, tzinfo=SEOUL)
    room = "!wg:gov.kr"
    users = [f"@u{i}:gov.kr" for i in range(300)]
    wg = WgInfo(
        "k", "규제 & <혁신>", "Reg", room, {u: f"부처{i % 12}" for i, u in enumerate(users)}
    )
    messages = [
        ArchivedMessage(
            f"$q{i}", room, users[i % 300], start - timedelta(hours=23, seconds=-i), f"질문 {i}?"
        )
        for i in range(5_000)
    ]
    messages += [
        ArchivedMessage(
            f"$m{i}",
            room,
            users[(i * 7) % 300],
            start + timedelta(seconds=i * 0.864),
            f"메시지 {i} <b>확인</b> & 공유드립니다",
            thread_root=f"$m{i - i % 50}" if i % 50 else None,
        )
        for i in range(100_000)
    ]
    return DigestInput(wg, start, start + timedelta(days=1), date(2026, 12, 24), messages)


def test_a_hundred_thousand_message_day() -> None:
    data = hundred_thousand_message_day()
    sections = wg_digest_sections(data)
    assert sections is not None
    [notice] = split_notice(sections)
    assert "• 메시지 100,000건 · 참여 300명 · 부처 12곳" in notice.body
    assert "• 외 4,980건" in notice.body

    everything = wg_digest_sections(data, limits=UNLIMITED)
    assert everything is not None
    parts = split_notice(everything)
    n = len(parts)
    assert n > 5
    for k, part in enumerate(parts, start=1):
        assert len(json.dumps(part.content()).encode()) <= 60_000
        canonical = json.dumps(part.content(), ensure_ascii=False, separators=(",", ":"))
        assert len(canonical.encode()) + ENVELOPE < MATRIX_LIMIT
        assert part.body.startswith(f"📋 규제 & <혁신> 일일 요약 · 2026-12-24 (목) ({k}/{n})\n")
    questions = [line for p in parts for line in p.body.split("\n") if "“질문 " in line]
    assert len(questions) == 5_000
    assert [q.split("“")[1].split("”")[0] for q in questions] == [
        f"질문 {i}?" for i in range(5_000)
    ]
    threads = [
        line for p in parts for line in p.body.split("\n") if "참여 " in line and "외 " in line
    ]
    assert len(threads) == 2_000
