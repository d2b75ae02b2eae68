"""The message archive and its search, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from storage.archive import (
    ArchivedMessage,
    MessageArchive,
    SearchPage,
    SearchQuery,
    SearchQueryError,
)
from storage.db import Database
from storage.migrate import upgrade
from storage.search_text import fold

MOEF = "!budget:moef.go.kr"
MOIS = "!safety:mois.go.kr"
MSIT = "!ai:msit.go.kr"
ALL = (MOEF, MOIS, MSIT)
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def msg(
    event: str, body: str, hours_ago: float = 1, room: str = MOEF, sender: str = "@kim:moef.go.kr"
) -> ArchivedMessage:
    return ArchivedMessage(f"${event}", room, sender, NOW - timedelta(hours=hours_ago), body)


@pytest_asyncio.fixture
async def archive(database_url: str) -> AsyncIterator[MessageArchive]:
    db = Database(database_url)
    yield MessageArchive(db, clock=lambda: NOW)
    await db.close()


async def ids(
    archive: MessageArchive, text: str, rooms: Sequence[str] = ALL, **options: object
) -> list[str]:
    page = await archive.search(SearchQuery(text, tuple(rooms), **options))  # type: ignore[arg-type]
    return [hit.event_id for hit in page.hits]


async def test_a_message_is_archived_once_by_event_id(archive: MessageArchive) -> None:
    kst = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Seoul"))
    first = ArchivedMessage("$a", MOEF, "@kim:moef.go.kr", kst, "예산 회의", "$root", "$prev")
    assert await archive.add(first) is True
    assert await archive.add(first) is False
    assert await archive.add_many([first, msg("b", "둘"), msg("b", "둘")]) == 1
    assert await archive.count() == 2 and await archive.count(MOEF) == 2
    assert await archive.count(MOIS) == 0
    stored = await archive.get("$a")
    assert stored == first and stored.sent_at == kst
    assert await archive.get("$missing") is None


async def test_korean_words_are_found_inside_longer_words(archive: MessageArchive) -> None:
    await archive.add_many(
        [
            msg("particle", "오늘 협업지도를 공유합니다", 1),
            msg("compound", "범정부지식공유 플랫폼 개편안", 2),
            msg("other", "협업 지도 위원회와 지식 공유", 3),
        ]
    )
    assert await ids(archive, "협업지도") == ["$particle"]
    assert await ids(archive, "지식공유") == ["$compound"]
    assert await ids(archive, "범정부") == ["$compound"]
    assert await ids(archive, "협업") == ["$particle", "$other"]


async def test_two_syllable_words_return_exactly_the_right_messages(
    archive: MessageArchive,
) -> None:
    await archive.add_many(
        [
            msg("m1", "내일 회의는 10시입니다", 1),
            msg("m2", "회의록 올렸습니다", 2),
            msg("m3", "예산안 검토 부탁드립니다", 3),
            msg("m4", "안전 점검 결과", 4),
            msg("m5", "산업안전보건법 개정", 5),
            msg("n1", "회 의", 6),
            msg("n2", "의회 보고", 7),
            msg("n3", "예비 산출 내역", 8),
            msg("n4", "안녕하세요 전달드립니다", 9),
            msg("n5", "회계 의견서", 10),
        ]
    )
    assert await ids(archive, "회의") == ["$m1", "$m2"]
    assert await ids(archive, "예산") == ["$m3"]
    assert await ids(archive, "안전") == ["$m4", "$m5"]


async def test_words_spanning_two_words_are_not_found(archive: MessageArchive) -> None:
    await archive.add_many([msg("a", "회의 의장 선출"), msg("b", "회의장 예약")])
    assert await ids(archive, "회의장") == ["$b"]


async def test_english_is_case_insensitive_and_every_word_is_required(
    archive: MessageArchive,
) -> None:
    await archive.add_many(
        [
            msg("lower", "the budget review", 1),
            msg("upper", "BUDGET 2027 초안", 2),
            msg("both", "Budget 회의 agenda", 3),
        ]
    )
    assert await ids(archive, "Budget") == ["$lower", "$upper", "$both"]
    assert await ids(archive, "budget 회의") == ["$both"]
    assert await ids(archive, "budg review") == ["$lower"]
    assert await ids(archive, "budget 회의록") == []


async def test_a_query_without_a_two_letter_word_is_refused(archive: MessageArchive) -> None:
    await archive.add(msg("a", "a 회의"))
    with pytest.raises(SearchQueryError):
        await archive.search(SearchQuery("회", ALL))
    assert await ids(archive, "회의 a") == ["$a"]
    assert await ids(archive, "회의 b") == []


async def test_an_edit_replaces_what_search_finds(archive: MessageArchive) -> None:
    await archive.add(msg("a", "예산 회의 10시"))
    assert await archive.edit("$a", "안전 점검 11시") is True
    assert await ids(archive, "예산") == []
    assert await ids(archive, "안전") == ["$a"]
    stored = await archive.get("$a")
    assert stored is not None and stored.body == "안전 점검 11시"
    assert await archive.edit("$missing", "x") is False


async def test_a_redaction_removes_the_text_everywhere(archive: MessageArchive) -> None:
    await archive.add_many([msg("a", "기밀 예산 자료"), msg("b", "공개 예산 자료")])
    assert await archive.redact("$a") is True
    assert await ids(archive, "예산") == ["$b"]
    assert await ids(archive, "기밀") == []
    stored = await archive.get("$a")
    assert stored is not None and stored.body == "" and stored.sender == "@kim:moef.go.kr"
    assert await archive.redact("$a") is False
    assert await archive.edit("$a", "기밀 예산 되살리기") is False
    assert await ids(archive, "기밀") == []
    assert await archive.count() == 1


async def test_only_the_askers_rooms_are_searched(archive: MessageArchive) -> None:
    await archive.add_many(
        [
            msg("moef", "2027 예산 편성 회의", 1, MOEF),
            msg("mois", "재난 예산 회의", 2, MOIS, "@lee:mois.go.kr"),
        ]
    )
    assert await ids(archive, "예산", [MOEF]) == ["$moef"]
    assert await ids(archive, "예산", [MOIS]) == ["$mois"]
    assert await ids(archive, "예산", [MOIS, MSIT]) == ["$mois"]
    assert await ids(archive, "예산", []) == []
    assert await ids(archive, "예산", ["!unknown:gov.kr"]) == []


async def test_sender_since_and_until_narrow_the_results(archive: MessageArchive) -> None:
    await archive.add_many(
        [
            msg("kim-new", "회의 자료", 1, sender="@kim:moef.go.kr"),
            msg("lee-new", "회의 일정", 2, sender="@lee:moef.go.kr"),
            msg("kim-old", "회의 결과", 24 * 90, sender="@kim:moef.go.kr"),
        ]
    )
    assert await ids(archive, "회의", sender="@kim:moef.go.kr") == ["$kim-new", "$kim-old"]
    assert await ids(archive, "회의", since=NOW - timedelta(days=1)) == ["$kim-new", "$lee-new"]
    assert await ids(archive, "회의", until=NOW - timedelta(hours=1)) == ["$lee-new", "$kim-old"]
    window = {"since": NOW - timedelta(hours=2), "until": NOW - timedelta(hours=1)}
    assert await ids(archive, "회의", **window) == ["$lee-new"]


async def test_pages_go_newest_first_without_gaps_or_repeats(archive: MessageArchive) -> None:
    days = [-3, 0.5, 3, 6, 8, 20, 59, 61, 100, 400, 800] + [30 + n for n in range(14)]
    await archive.add_many([msg(f"e{n:02d}", f"회의 {n}", 24 * day) for n, day in enumerate(days)])
    newest_first = [f"$e{n:02d}" for n in sorted(range(len(days)), key=lambda n: days[n])]
    pages: list[SearchPage] = []
    for offset in (0, 10, 20):
        pages.append(await archive.search(SearchQuery("회의", ALL, limit=10, offset=offset)))
    assert [page.has_more for page in pages] == [True, True, False]
    assert [hit.event_id for page in pages for hit in page.hits] == newest_first
    assert [len(page.hits) for page in pages] == [10, 10, 5]


async def test_concurrent_adds_at_one_moment_all_land_once(archive: MessageArchive) -> None:
    same_time = [msg(f"s{n:02d}", f"예산 {n}", 2) for n in range(12)]
    results = await asyncio.gather(
        *(archive.add(m) for m in same_time), *(archive.add(same_time[0]) for _ in range(3))
    )
    assert sum(results) == 12
    assert sorted(await ids(archive, "예산", limit=50)) == sorted(m.event_id for m in same_time)
    assert await archive.count() == 12


async def test_highlights_point_at_the_matched_text(archive: MessageArchive) -> None:
    body = (
        "참고: "
        + "배경 설명 " * 30
        + "행정안전부 협업지도를 BUDGET 표와 함께 보냅니다. "
        + "끝 " * 40
    )
    await archive.add(msg("long", body))
    page = await archive.search(SearchQuery("협업지도 budget", ALL))
    hit = page.hits[0]
    assert hit.body == body and len(hit.snippet) <= 130
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["협업지도", "BUDGET"]


async def test_retention_purges_old_messages(archive: MessageArchive) -> None:
    await archive.add_many([msg("old", "예산 회의", 24 * 400), msg("new", "예산 회의", 1)])
    await archive.redact("$new")
    await archive.add(msg("newer", "예산 회의", 0.5))
    assert await archive.purge_before(NOW - timedelta(days=365)) == 1
    assert await archive.get("$old") is None
    assert await ids(archive, "예산") == ["$newer"]


TOPICS = ["예산", "회의", "안전", "협업지도", "지식공유", "Budget", "cloud", "보고서", "의장"]
PARTICLES = ["", "를", "을", "의", "에서", "는", " "]
MINISTRIES = ["기획재정부", "행정안전부", "과학기술정보통신부", "국토교통부", "범정부"]


def corpus() -> list[ArchivedMessage]:
    """About 50 mixed Korean/English messages over three rooms and two years."""
    rng = random.Random(2026)
    fixed = [
        "회의 의장 선출",
        "회 의",
        "BUDGET 초안",
        "범정부지식공유 포털",
        "안전한 클라우드",
        "예비 산출",
    ]
    bodies = fixed + [
        " ".join(
            rng.choice(MINISTRIES)
            + rng.choice(PARTICLES)
            + rng.choice(TOPICS)
            + rng.choice(PARTICLES)
            for _ in range(rng.randint(1, 4))
        )
        for _ in range(44)
    ]
    return [
        msg(f"c{n:02d}", body, rng.uniform(0.1, 24 * 700), ALL[n % 3], f"@u{n % 4}:gov.kr")
        for n, body in enumerate(bodies)
    ]


QUERIES = [
    "회의",
    "예산",
    "안전",
    "협업지도",
    "지식공유",
    "budget",
    "Budget 회의",
    "부의",
    "의장",
    "행정안전부 cloud",
    "통신부를",
]


def expected(messages: Sequence[ArchivedMessage], text: str, rooms: Sequence[str]) -> list[str]:
    terms = fold(text).split()
    found = [m for m in messages if m.room_id in rooms and all(t in fold(m.body) for t in terms)]
    return [m.event_id for m in sorted(found, key=lambda m: m.sent_at, reverse=True)]


async def hit_lists(archive: MessageArchive, rooms: Sequence[str]) -> dict[str, list[str]]:
    return {text: await ids(archive, text, rooms, limit=100) for text in QUERIES}


@pytest.mark.parametrize("rooms", [ALL, (MOEF, MSIT)])
async def test_results_equal_a_plain_substring_scan(
    archive: MessageArchive, rooms: tuple[str, ...]
) -> None:
    messages = corpus()
    await archive.add_many(messages)
    found = await hit_lists(archive, rooms)
    assert found == {text: expected(messages, text, rooms) for text in QUERIES}
    assert all(found[text] for text in ("회의", "예산", "안전", "협업지도", "budget"))
    await archive.optimize()
    assert await hit_lists(archive, rooms) == found


@pytest.mark.postgres
async def test_sqlite_and_postgres_return_identical_hits(
    sqlite_url: str, postgres_cluster: object
) -> None:
    postgres_url = postgres_cluster.new_database()  # type: ignore[attr-defined]
    upgrade(postgres_url)
    results = []
    for url in (sqlite_url, postgres_url):
        db = Database(url)
        archive = MessageArchive(db, clock=lambda: NOW)
        await archive.add_many(corpus())
        await archive.edit("$c07", "협업지도 수정본")
        await archive.redact("$c08")
        results.append(await hit_lists(archive, ALL))
        await db.close()
    assert results[0] == results[1]
    assert "$c07" in results[0]["협업지도"]
