"""The pure side of archive search: folding, bigrams, query plans, snippets, id windows."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from storage.search_text import (
    BUMP_SLACK,
    MAX_ID,
    MAX_POSITIONS,
    MAX_TOKEN_REPEATS,
    MIN_ID,
    SNIPPET_CHARS,
    SearchQueryError,
    bigrams,
    document_grams,
    fold,
    fold_with_map,
    id_windows,
    matches,
    plan_query,
    snippet,
    spread_ids,
    time_key,
    words,
)

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def test_fold_ignores_latin_case_and_width() -> None:
    assert fold("Budget ＢＵＤＧＥＴ") == "budget budget"
    assert fold("협업지도") == "협업지도"


def test_decomposed_hangul_folds_to_the_same_syllables() -> None:
    decomposed = unicodedata.normalize("NFD", "협업지도")
    assert len(decomposed) > 4
    assert fold(decomposed) == "협업지도"


def test_fold_with_map_points_back_at_the_original_characters() -> None:
    original = "가 " + unicodedata.normalize("NFD", "협업") + " ＡＩ"
    folded = fold_with_map(original)
    assert folded.text == fold(original) == "가 협업 ai"
    start = folded.text.index("협업")
    a, b = folded.original_span(start, start + 2)
    assert original[a:b] == unicodedata.normalize("NFD", "협업")
    a, b = folded.original_span(len(folded.text) - 2, len(folded.text))
    assert original[a:b] == "ＡＩ"


def test_words_are_runs_of_letters_and_digits() -> None:
    assert words("2024년 예산(안)을, e-mail_주소로!") == [
        "2024년",
        "예산",
        "안",
        "을",
        "e",
        "mail",
        "주소로",
    ]


def test_bigrams_overlap_and_a_single_letter_has_none() -> None:
    assert bigrams("협업지도를") == ["협업", "업지", "지도", "도를"]
    assert bigrams("회의") == ["회의"]
    assert bigrams("회") == []


def test_document_grams_index_each_distinct_word_once() -> None:
    grams = document_grams(fold("회의 회의를 마치고 회의를 정리 a 가"))
    assert grams == [["회의", "의를"], ["마치", "치고"], ["정리"]]


def test_document_grams_skip_words_beyond_the_tsvector_limits() -> None:
    laughter = "ㅋ" * (MAX_TOKEN_REPEATS + 2)
    assert document_grams(fold(f"{laughter} 예산")) == [["예산"]]
    many = " ".join(f"w{n:05d}" for n in range(MAX_POSITIONS))
    grams = document_grams(many)
    assert sum(len(word) + 1 for word in grams) <= MAX_POSITIONS
    assert grams[0] == bigrams("w00000")


def test_plan_keeps_every_term_and_asks_the_index_for_the_longest_pieces() -> None:
    plan = plan_query("  예산 예산안 Budget  e-mail ")
    assert plan.terms == ("예산", "예산안", "budget", "e-mail")
    assert plan.pieces == ("예산안", "budget", "mail")


@pytest.mark.parametrize("text", ["", "   ", "회", "a b", "- ?"])
def test_a_query_without_a_two_letter_word_is_refused(text: str) -> None:
    with pytest.raises(SearchQueryError) as error:
        plan_query(text)
    assert "두 글자" in error.value.ko and "two" in error.value.en


def test_matches_needs_every_term_as_a_substring() -> None:
    plan = plan_query("협업지도 공유")
    assert matches(plan, "범정부 협업지도를 공유합니다")
    assert not matches(plan, "범정부 협업지도를 보냅니다")
    assert not matches(plan_query("회의장"), "회의 의장 선출")
    assert matches(plan_query("회의 a"), "a회의")
    assert not matches(plan_query("회의 a"), "회의")


def test_snippet_of_a_short_message_is_the_message() -> None:
    text, spans = snippet(plan_query("budget"), "The BUDGET meeting")
    assert text == "The BUDGET meeting"
    assert [text[a:b] for a, b in spans] == ["BUDGET"]


def test_snippet_is_a_window_around_the_first_match() -> None:
    body = "가" * 200 + " 협업지도를 공유합니다 " + "나" * 200 + " 협업지도"
    text, spans = snippet(plan_query("협업지도"), body)
    assert text.startswith("…") and text.endswith("…")
    assert len(text) <= SNIPPET_CHARS + 2
    assert [text[a:b] for a, b in spans] == ["협업지도"]


def test_snippet_highlights_every_term_and_flattens_lines() -> None:
    text, spans = snippet(plan_query("예산 회의"), "예산\n회의록과 예산안")
    assert "\n" not in text and len(text) == len("예산\n회의록과 예산안")
    assert [text[a:b] for a, b in spans] == ["예산", "회의", "예산"]


def test_snippet_marks_overlapping_terms_once() -> None:
    text, spans = snippet(plan_query("지식 식공유"), "범정부지식공유")
    assert [text[a:b] for a, b in spans] == ["지식공유"]


def test_snippet_of_a_match_near_the_end_still_shows_it() -> None:
    body = "x" * 500 + " 안전"
    text, spans = snippet(plan_query("안전"), body)
    assert text.startswith("…") and not text.endswith("…")
    assert [text[a:b] for a, b in spans] == ["안전"]


def test_time_keys_are_microseconds_of_the_same_instant_in_any_zone() -> None:
    seoul = NOW.astimezone(ZoneInfo("Asia/Seoul"))
    assert time_key(seoul) == time_key(NOW)
    assert time_key(NOW + timedelta(microseconds=1)) == time_key(NOW) + 1
    with pytest.raises(ValueError):
        time_key(datetime(2026, 11, 27))


def test_spread_ids_keeps_order_and_skips_taken_ids() -> None:
    assert spread_ids([5, 5, 5, 9], {6}) == [5, 7, 8, 9]
    assert spread_ids([3, 1], set()) == [3, 1]


def test_windows_run_newest_first_and_cover_everything_once() -> None:
    ages = (timedelta(days=7), timedelta(days=60))
    windows = list(id_windows(None, None, NOW, ages))
    week, two_months = time_key(NOW - ages[0]), time_key(NOW - ages[1])
    future = time_key(NOW) + BUMP_SLACK + 1
    assert windows == [
        (future, MAX_ID),
        (week, future - 1),
        (two_months, week - 1),
        (MIN_ID, two_months - 1),
    ]
    assert list(id_windows(None, None, NOW, ())) == [(MIN_ID, MAX_ID)]


def test_windows_respect_since_and_until() -> None:
    ages = (timedelta(days=7), timedelta(days=60))
    since, until = NOW - timedelta(days=30), NOW - timedelta(days=1)
    windows = list(id_windows(since, until, NOW, ages))
    week = time_key(NOW - ages[0])
    assert windows == [(week, time_key(until) + BUMP_SLACK), (time_key(since), week - 1)]
