"""What `!collab` and the map page are asked for: periods, task scopes, the visible plan."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from commands.collab.data import visible_plan
from commands.collab.model import Scope
from commands.collab.period import (
    looks_like_period,
    parse_period,
    resolve_scope,
    split_request,
)
from commands.errors import NotFound, UserInputError
from commands.plan.file import load_plan
from tests.support.synapse import PROJECT_ROOT

PLAN = load_plan(PROJECT_ROOT / "plans" / "gov3.toml")
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # Friday 10:00 in Seoul


def days(raw: str | None) -> tuple[str, str]:
    period = parse_period(raw, NOW)
    assert period.start.tzinfo is not None and period.start.astimezone(SEOUL).hour == 0
    return f"{period.start:%Y-%m-%d}", f"{period.end:%Y-%m-%d}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, ("2026-11-21", "2026-11-28")),
        ("week", ("2026-11-21", "2026-11-28")),
        ("주간", ("2026-11-21", "2026-11-28")),
        ("month", ("2026-10-29", "2026-11-28")),
        ("이번주", ("2026-11-23", "2026-11-30")),
        ("thisweek", ("2026-11-23", "2026-11-30")),
        ("지난주", ("2026-11-16", "2026-11-23")),
        ("이번달", ("2026-11-01", "2026-12-01")),
        ("지난달", ("2026-10-01", "2026-11-01")),
        ("2026-02", ("2026-02-01", "2026-03-01")),
        ("2026-12", ("2026-12-01", "2027-01-01")),
        ("2026-11-02..2026-11-15", ("2026-11-02", "2026-11-16")),
        ("2026-11-02~2026-11-02", ("2026-11-02", "2026-11-03")),
    ],
)
def test_periods_are_whole_local_days(raw: str | None, expected: tuple[str, str]) -> None:
    assert days(raw) == expected


def test_the_period_is_local_midnight_not_utc() -> None:
    period = parse_period("이번주", NOW)
    assert period.start == datetime(2026, 11, 23, tzinfo=SEOUL)
    assert period.start.astimezone(UTC) == datetime(2026, 11, 22, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-13",
        "0000-01",
        "yesterday-ish",
        "2026-11-15..2026-11-02",
        "2020-01..2026-01",
        "9999-12-31..9999-12-31",
        "0001-01-01..0001-01-02",
        "1999-12-31..2000-01-02",
        "2101-01",
        "2026-11-02.." + "1" * 200,
    ],
)
def test_bad_periods_are_user_errors(raw: str) -> None:
    with pytest.raises(UserInputError) as error:
        parse_period(raw, NOW)
    assert error.value.ko and error.value.en


def test_request_words_split_into_period_and_task() -> None:
    assert split_request(None) == (None, None)
    assert split_request("지난주") == ("지난주", None)
    assert split_request("month core-01") == ("month", "core-01")
    assert split_request("선제적 맞춤형 서비스 2026-11") == ("2026-11", "선제적 맞춤형 서비스")
    assert split_request("선제적 맞춤형 서비스") == (None, "선제적 맞춤형 서비스")
    assert looks_like_period("2026-11-01..2026-11-30") and not looks_like_period("core-01")


def test_tasks_by_key_name_or_unique_part_of_a_name() -> None:
    assert resolve_scope(PLAN, None) == Scope()
    assert resolve_scope(PLAN, "전체") == Scope()
    assert resolve_scope(PLAN, "service") == Scope("goal", "service")
    assert resolve_scope(PLAN, "서비스 정부") == Scope("goal", "service")
    assert resolve_scope(PLAN, "core-03") == Scope("core", "core-03")
    assert resolve_scope(PLAN, "클라우드 정부") == Scope("core", "core-04")
    assert resolve_scope(PLAN, "cloud government") == Scope("core", "core-04")
    assert resolve_scope(PLAN, "unit-03-1") == Scope("core", "core-03")
    assert resolve_scope(PLAN, "증거기반") == Scope("core", "core-05")


@pytest.mark.parametrize("raw", ["core-99", "없는 과제", "정부"])
def test_unknown_or_ambiguous_tasks_are_not_found(raw: str) -> None:
    with pytest.raises(NotFound):
        resolve_scope(PLAN, raw)


def test_the_visible_plan_keeps_only_the_readers_working_groups() -> None:
    tasks = {"!a:gov.kr": "core-01", "!u:gov.kr": "unit-03-1", "!c:gov.kr": "committee"}
    seen = visible_plan(PLAN, tasks, {"!a:gov.kr", "!u:gov.kr", "!c:gov.kr", "!other:gov.kr"})
    assert [c.key for c in seen.core_tasks()] == ["core-01", "core-03"]
    assert [g.key for g in seen.goals] == ["service", "competent"]
    assert visible_plan(PLAN, tasks, set()).core_tasks() == ()
