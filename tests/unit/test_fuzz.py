"""Fuzzing the parsers and the whole command path: no crash, clear errors, escaped HTML."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commands.catalog import build_registry
from commands.errors import UserInputError
from commands.framework import bind, tokenize
from commands.when.convert import parse_duration, parse_when, split_when
from storage.db import Database
from storage.migrate import upgrade
from storage.repositories import Repositories
from tests.support.transcript import Transcript

NOW = datetime(2026, 11, 27, 1, 15, tzinfo=UTC)
NASTY = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "**bold** _x_",
        "\u202e",
        "\u200f",
        "\x00",
        "\x1b[31m",
        "'",
        '"',
        "&amp;",
        "--every",
        "--",
        "@",
        "#",
        "!",
        "\n",
        "내일 오후 2시",
        "회의",
        "1h",
        "A-1",
        "\ufeff",
        "x" * 5000,
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), NASTY), max_size=8).map(" ".join)
REGISTRY = build_registry()


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_parsers_raise_only_user_errors(text: str) -> None:
    for parse in (
        lambda: parse_when(text, now=NOW),
        lambda: parse_duration(text),
        lambda: split_when(text.split(), now=NOW),
    ):
        try:
            parse()
        except UserInputError as error:
            assert error.ko and error.en


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_tokenizing_and_binding_raise_only_user_errors(text: str) -> None:
    for command in REGISTRY.commands():
        try:
            target, rest = command.resolve(tokenize(text))
            bind(target.args, rest)
        except UserInputError:
            pass


def _unescaped_tags(html: str) -> list[str]:
    return re.findall(r"<\s*(script|img|iframe|svg|object)\b", html, flags=re.IGNORECASE)


@given(st.sampled_from(sorted(REGISTRY.by_word)), TEXT)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_command_line_gets_a_safe_reply(word: str, text: str) -> None:
    asyncio.run(_run_one(word, text))


async def _run_one(word: str, text: str) -> None:
    folder = Path("/tmp") / "sotong-fuzz"
    folder.mkdir(exist_ok=True)
    url = f"sqlite:///{folder / 'fuzz.db'}"
    upgrade(url)
    db = Database(url)
    t = Transcript(Repositories.over(db))
    try:
        replies = await t.send(f"!{word} {text}", sender="@kim:gov.kr")
        for reply in replies:
            assert not _unescaped_tags(reply.notice.html), reply.notice.html
            assert "Traceback" not in reply.notice.body
            assert "참조 번호" not in reply.notice.body, reply.notice.body
    finally:
        await db.close()
