"""Archive retention: the nightly job purges old chat text, keeps every record, and exists
exactly when ARCHIVE_RETENTION_DAYS is on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.config import ConfigError, settings_from_mapping
from commands.jobs import JOB_CONTEXT, JobContext
from commands.search.retention import FIRE, JOB_ID, next_run, purge_archive, reconcile_retention
from storage.archive import ArchivedMessage, SearchQuery
from storage.records import NewRecord
from storage.repositories import Repositories
from tests.support.transcript import BASE_ENV, RecordingMessenger, RecordingScheduler

NOW = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
ROOM = "!wg:gov.kr"


def context(repos: Repositories, days: int, jobs: RecordingScheduler) -> JobContext:
    settings = replace(settings_from_mapping(BASE_ENV), archive_retention_days=days)
    return JobContext(RecordingMessenger(), repos, settings, lambda: NOW, None, jobs)


def test_the_setting_defaults_to_keeping_everything() -> None:
    assert settings_from_mapping(BASE_ENV).archive_retention_days == 0
    env = {**BASE_ENV, "ARCHIVE_RETENTION_DAYS": "90"}
    assert settings_from_mapping(env).archive_retention_days == 90
    with pytest.raises(ConfigError, match="ARCHIVE_RETENTION_DAYS"):
        settings_from_mapping({**BASE_ENV, "ARCHIVE_RETENTION_DAYS": "-1"})


def test_the_job_runs_at_half_past_three_in_seoul() -> None:
    assert next_run(NOW, "Asia/Seoul") == datetime(2026, 11, 27, 18, 30, tzinfo=UTC)
    early = datetime(2026, 11, 26, 17, 0, tzinfo=UTC)  # 02:00 in Seoul
    assert next_run(early, "Asia/Seoul") == datetime(2026, 11, 26, 18, 30, tzinfo=UTC)


async def test_purge_removes_old_chat_and_keeps_records(repos: Repositories) -> None:
    old = ArchivedMessage("$old", ROOM, "@kim:gov.kr", NOW - timedelta(days=40), "예산 동결 제안")
    new = ArchivedMessage("$new", ROOM, "@lee:gov.kr", NOW - timedelta(days=10), "예산 동결 찬성")
    await repos.archive.add_many([old, new])
    decision = await repos.records.add_decision(
        NewRecord("A", ROOM, "예산 동결", "@chair:gov.kr", NOW - timedelta(days=39)),
        source_event_id="$old",
        source_sender="@kim:gov.kr",
    )
    action = await repos.records.add_action(
        NewRecord("A", ROOM, "보고서", "@chair:gov.kr", NOW - timedelta(days=50)), [], None
    )
    jobs = RecordingScheduler()
    JOB_CONTEXT.set(context(repos, 30, jobs))
    assert await purge_archive() == 1
    assert await repos.archive.get("$old") is None
    assert await repos.archive.get("$new") == new
    page = await repos.archive.search(SearchQuery("예산 동결", (ROOM,)))
    assert [hit.event_id for hit in page.hits] == ["$new"]
    assert await repos.records.decisions([ROOM]) == [decision]
    assert await repos.records.actions([ROOM]) == [action]
    assert jobs.jobs[JOB_ID] == (next_run(NOW, "Asia/Seoul"), FIRE, [])


async def test_the_nightly_job_always_exists_and_says_whether_retention_is_on(
    repos: Repositories,
) -> None:
    jobs = RecordingScheduler()
    assert await reconcile_retention(context(repos, 0, jobs)) is False
    assert jobs.jobs[JOB_ID] == (next_run(NOW, "Asia/Seoul"), FIRE, [])
    assert await reconcile_retention(context(repos, 30, jobs)) is True
    assert list(jobs.jobs) == [JOB_ID]


async def test_with_retention_off_the_nightly_job_purges_nothing(
    repos: Repositories,
) -> None:
    await repos.archive.add(
        ArchivedMessage("$old", ROOM, "@kim:gov.kr", NOW - timedelta(days=400), "오래된 글")
    )
    jobs = RecordingScheduler()
    JOB_CONTEXT.set(context(repos, 0, jobs))
    assert await purge_archive() == 0
    assert await repos.archive.count() == 1 and list(jobs.jobs) == [JOB_ID]
