"""The pure side of archive search: folding, word bigrams, query plans, snippets, and the
time-ordered row ids with the windows a search scans.

Both backends index the same tokens, computed here in Python, so SQLite and PostgreSQL
find the same candidates; `matches` then checks each candidate against its real text.
A word is a run of letters and digits; it is indexed as its character bigrams, so any
substring of two or more characters (`지식공유` inside `범정부지식공유를`) is found.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

MAX_POSITIONS = 16_000
MAX_TOKEN_REPEATS = 256
SUBSUME_LIMIT = 256
SNIPPET_CHARS = 120
SNIPPET_LEAD = 40
ELLIPSIS = "…"

_WORD = re.compile(r"[^\W_]+")
_ONE_LINE = str.maketrans(dict.fromkeys("\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029", " "))
_VOWEL_AND_FINAL_JAMO = ((0x1160, 0x11FF), (0xD7B0, 0xD7FF), (0x314F, 0x3163), (0x3187, 0x318E))


class SearchQueryError(ValueError):
    """A query the index cannot answer; `ko` and `en` are messages for the asker."""

    def __init__(self, ko: str, en: str) -> None:
        super().__init__(en)
        self.ko = ko
        self.en = en


def fold(text: str) -> str:
    """NFKC and case folding: what both the index and the verification compare."""
    return unicodedata.normalize("NFKC", text).casefold()


def _continues(char: str) -> bool:
    """True for characters that may compose with the one before: marks, and Hangul
    vowel and final jamo (an initial consonant composes with what follows it)."""
    if unicodedata.combining(char) or unicodedata.category(char)[0] == "M":
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _VOWEL_AND_FINAL_JAMO)


@dataclass(frozen=True)
class Folded:
    """Folded text plus, for each of its characters, the span it came from in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.starts[start], self.ends[end - 1]


def fold_with_map(text: str) -> Folded:
    """`fold`, chunk by chunk, remembering where each folded character came from."""
    if unicodedata.is_normalized("NFKC", text):
        folded = text.casefold()
        if len(folded) == len(text):
            return Folded(folded, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    bounds = [i for i, char in enumerate(text) if i == 0 or not _continues(char)]
    bounds.append(len(text))
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for start, end in pairwise(bounds):
        piece = fold(text[start:end])
        parts.append(piece)
        starts.extend([start] * len(piece))
        ends.extend([end] * len(piece))
    return Folded("".join(parts), tuple(starts), tuple(ends))


def words(folded: str) -> list[str]:
    """Runs of letters and digits; everything else separates words."""
    return _WORD.findall(folded)


def bigrams(word: str) -> list[str]:
    """Overlapping two-character slices; a one-character word has none."""
    return [word[i : i + 2] for i in range(len(word) - 1)]


def _drop_contained(candidates: list[str]) -> list[str]:
    """Words found inside a longer kept word add nothing to the index."""
    if len(candidates) > SUBSUME_LIMIT:
        return candidates
    kept: list[str] = []
    for word in sorted(candidates, key=len, reverse=True):
        if not any(word in longer for longer in kept):
            kept.append(word)
    keep = set(kept)
    return [word for word in candidates if word in keep]


def document_grams(folded: str) -> list[list[str]]:
    """The bigrams of each distinct word, within the limits PostgreSQL's tsvector sets.

    Words that would exceed 16,000 positions or 256 repeats of a token are left out, on
    both backends alike, so results never differ between them.
    """
    distinct = [word for word in dict.fromkeys(words(folded)) if len(word) > 1]
    counts: Counter[str] | None = None
    positions = 0
    result: list[list[str]] = []
    for word in _drop_contained(distinct):
        grams = bigrams(word)
        size = positions + len(grams) + 1
        if size > MAX_POSITIONS:
            continue
        if size > MAX_TOKEN_REPEATS:
            counts = counts or Counter(gram for kept in result for gram in kept)
            extra = Counter(grams)
            if any(counts[gram] + n > MAX_TOKEN_REPEATS for gram, n in extra.items()):
                continue
            counts.update(extra)
        positions = size
        result.append(grams)
    return result


@dataclass(frozen=True)
class QueryPlan:
    """Folded terms (all must occur) and the word pieces the index is asked for."""

    terms: tuple[str, ...]
    pieces: tuple[str, ...]


def plan_query(text: str) -> QueryPlan:
    """Split on spaces; every term must appear as a substring. Needs a 2+ character word."""
    terms = tuple(dict.fromkeys(fold(text).split()))
    runs = [run for term in terms for run in words(term) if len(run) > 1]
    pieces = tuple(_drop_contained(list(dict.fromkeys(runs))))
    if not pieces:
        raise SearchQueryError(
            "검색어에 두 글자 이상인 낱말이 하나는 있어야 합니다.",
            "The search needs at least one word of two or more letters.",
        )
    return QueryPlan(terms, pieces)


def matches(plan: QueryPlan, body: str) -> bool:
    """The exact test every index candidate must pass."""
    folded = fold(body)
    return all(term in folded for term in plan.terms)


def _match_spans(plan: QueryPlan, body: str) -> list[tuple[int, int]]:
    """Every occurrence of every term, as merged spans of the original text."""
    folded = fold_with_map(body)
    spans: list[tuple[int, int]] = []
    for term in plan.terms:
        at = folded.text.find(term)
        while at >= 0:
            spans.append(folded.original_span(at, at + len(term)))
            at = folded.text.find(term, at + len(term))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _window(length: int, first: int) -> tuple[int, int]:
    """About SNIPPET_CHARS characters starting a little before the first match."""
    start = max(0, min(first - SNIPPET_LEAD, length - SNIPPET_CHARS))
    return start, min(length, start + SNIPPET_CHARS)


def snippet(plan: QueryPlan, body: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A one-line excerpt around the first match and the spans in it to highlight."""
    spans = _match_spans(plan, body)
    start, end = _window(len(body), spans[0][0] if spans else 0)
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(body) else ""
    text = prefix + body[start:end].translate(_ONE_LINE) + suffix
    shift = len(prefix) - start
    inside = tuple(
        (max(a, start) + shift, min(b, end) + shift) for a, b in spans if a < end and b > start
    )
    return text, inside


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MIN_ID, MAX_ID = -(2**63), 2**63 - 1
BUMP_SLACK = 1_000_000
RECENT_WINDOWS = (timedelta(days=7), timedelta(days=60))


def utc(moment: datetime) -> datetime:
    """An aware time in UTC; naive times are refused rather than guessed."""
    if moment.tzinfo is None:
        raise ValueError("archive times must be timezone-aware")
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    """Stored times come back naive from SQLite (they are UTC) and aware from PostgreSQL."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def time_key(moment: datetime) -> int:
    """Microseconds since the epoch: the row id a message sent at `moment` starts from."""
    return (utc(moment) - EPOCH) // timedelta(microseconds=1)


def id_windows(
    since: datetime | None,
    until: datetime | None,
    now: datetime,
    ages: Sequence[timedelta] = RECENT_WINDOWS,
) -> Iterator[tuple[int, int]]:
    """Id ranges to scan, newest first: (future-dated messages,) each age's span, the rest.

    Ids may sit up to BUMP_SLACK above their time, so `until` is widened by it; callers
    check the exact time of each candidate. Without ages it is one range.
    """
    low = time_key(since) if since else MIN_ID
    high = time_key(until) + BUMP_SLACK if until else MAX_ID
    edges = [time_key(now - age) for age in ages]
    for edge in [time_key(now) + BUMP_SLACK + 1, *edges] if edges else []:
        if low < edge <= high:
            yield edge, high
            high = edge - 1
    if low <= high:
        yield low, high


def spread_ids(ids: Sequence[int], taken: set[int]) -> list[int]:
    """Each id, or the next one up that is not taken, keeping the order."""
    used = set(taken)
    result = []
    for value in ids:
        while value in used:
            value += 1
        used.add(value)
        result.append(value)
    return result
