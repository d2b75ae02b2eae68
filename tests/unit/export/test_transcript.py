"""`!내보내기` through the real dispatcher: a WG's records, meetings with attendance and savings,
digests and audit entries, as Markdown, CSV and JSON; the JSON reads back to the same records;
the committee room exports the whole plan; `sotong export` writes the same file."""

from __future__ import annotations

import csv
import io
import json
from argparse import Namespace
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio

from bot.cli.export import export_to_file
from bot.config import settings_from_mapping
from commands.export.data import gather_export, plan_scope, wg_scope
from commands.export.json_format import ExportFormatError, read_export, write_export
from commands.plan.file import load_plan
from storage.db import Database
from storage.models import Meeting
from storage.plan_rooms import PlanRoomRecord
from storage.repositories import Repositories
from tests.support.synapse import PROJECT_ROOT
from tests.support.transcript import BASE_ENV, Transcript

PLAN_FILE = PROJECT_ROOT / "plans" / "gov3.toml"
PLAN = load_plan(PLAN_FILE)
JUNG, LEE, HAN, KANG = (f"@{name}:localhost" for name in ("jung", "lee", "han", "kang"))
WG1, WG2, COMMITTEE = "!wg1:localhost", "!wg2:localhost", "!committee:localhost"


@pytest_asyncio.fixture
async def t(sqlite_url: str) -> AsyncIterator[Transcript]:
    db = Database(sqlite_url)
    repos = Repositories.over(db)
    transcript = Transcript(repos)
    transcript.dispatcher.plan = PLAN
    transcript.room_id = WG1
    for node, room in (("core-01", WG1), ("core-02", WG2), ("committee", COMMITTEE)):
        alias = f"#{PLAN.key}-{node}:localhost"
        await repos.plan_rooms.save(PlanRoomRecord(PLAN.key, node, room, "room", alias))
    await _work(transcript)
    yield transcript
    await db.close()


async def _work(t: Transcript) -> None:
    """A week of WG 1 (jung chairs): records by command, a meeting held, a digest sent."""
    assert "A-1" in await t.say_one('!할일 추가 "예산 초안 | 검토" @lee:localhost', sender=JUNG)
    assert "A-2" in await t.say_one("!결정 추가 예산 동결 <확정>", sender=JUNG)
    assert "A-3" in await t.say_one("!장애 추가 서버 부족", sender=LEE)
    await t.say_one("!할일 완료 A-1", sender=LEE)
    t.room_id = WG2
    assert "B-1" in await t.say_one("!결정 추가 다른 WG의 결정", sender=HAN)
    t.room_id = WG1
    repos = t.dispatcher.repos
    meeting = await repos.meetings.create(
        Meeting(
            room_id=WG1,
            number=0,
            title="예산 협의",
            starts_at=t.now - timedelta(days=1),
            duration_minutes=60,
            organizer=JUNG,
            invitees=json.dumps([LEE, HAN]),
            conference="Sotong-x",
        )
    )
    await repos.meetings.set_rsvp(meeting.id or 0, LEE, "no", "$r1")
    today = t.now.date()
    assert await repos.digests.claim("wg", WG1, today, "08:30", False, t.now)
    await repos.digests.finish("wg", WG1, today, "sent", "$digest")
    assert await repos.digests.claim("wg", WG2, today, "08:30", False, t.now)


async def test_members_are_refused(t: Transcript) -> None:
    assert "의장" in await t.say_one("!내보내기", sender=LEE)
    assert t.messenger.files == []


async def test_markdown_of_this_wg(t: Transcript) -> None:
    body = await t.say_one("!내보내기", sender=JUNG)
    assert "핵심과제 1 선제적 맞춤형 서비스" in body
    assert "결정 1, 할 일 1, 장애요인 1, 회의 1회, 요약 1, 감사 기록" in body
    room, name, data = t.messenger.files[-1]
    assert room == WG1 and name.startswith("sotong-records-core-01-") and name.endswith(".md")
    text = data.decode("utf-8")
    assert "예산 초안 \\| 검토" in text and "예산 동결 &lt;확정&gt;" in text
    assert "다른 WG의 결정" not in text
    wg = "핵심과제 1 선제적 맞춤형 서비스"
    assert f"| #1 | 2026-11-26 10:00 | {wg} | 예산 협의 | {JUNG} {HAN} | 1 |" in text
    assert "출장 절감 합계 (trips avoided): 회의 1, 출장 1회" in text
    assert "action done" in text


async def test_the_file_answers_the_command_that_asked_for_it(t: Transcript) -> None:
    [counts] = await t.send("!내보내기", sender=JUNG, event_id="$ask")
    assert "결정 1" in counts.notice.body and counts.reply_to == "$ask"
    [sent] = t.messenger.sent_files
    assert sent.relates_to == {"m.in_reply_to": {"event_id": "$ask"}}
    assert sent.txn_id is not None and sent.txn_id.startswith("sotong.")
    await t.send("!export --format csv", sender=JUNG, event_id="$in-thread", thread_root="$root")
    assert t.messenger.sent_files[-1].relates_to == {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": False,
        "m.in_reply_to": {"event_id": "$in-thread"},
    }


async def test_csv_is_one_long_table(t: Transcript) -> None:
    await t.say_one("!export 2026-11-01 2026-11-30 --format csv", sender=JUNG)
    data = t.messenger.files[-1][2]
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("decision") == 1 and kinds.count("meeting") == 1
    action = next(row for row in rows if row["kind"] == "action")
    assert (action["ref"], action["status"], action["people"]) == ("A-1", "done", LEE)
    meeting = next(row for row in rows if row["kind"] == "meeting")
    assert meeting["people"] == f"{JUNG} {HAN}" and "trips=1" in meeting["details"]


async def test_json_reads_back_to_the_same_records(t: Transcript) -> None:
    await t.say_one("!export --format json", sender=JUNG)
    name, data = t.messenger.files[-1][1:]
    assert name.endswith(".json")
    exported = read_export(data)
    repos = t.dispatcher.repos
    assert exported.decisions == tuple(await repos.records.decisions([WG1]))
    assert exported.actions == tuple(await repos.records.actions([WG1], include_done=True))
    assert exported.blockers == tuple(await repos.records.blockers([WG1], include_resolved=True))
    assert [m.title for m in exported.meetings] == ["예산 협의"]
    assert exported.meetings[0].held[0].attendees == (JUNG, HAN)
    assert exported.savings.trips == 1 and exported.savings.krw > 0
    assert [(d.target, d.outcome) for d in exported.digests] == [(WG1, "sent")]
    assert {e.command for e in exported.audit} >= {"action add", "decision add"}
    scope = await wg_scope(repos, PLAN, "core-01")
    assert scope is not None
    again = await gather_export(repos, PLAN, scope, now=exported.generated_at)
    assert again.audit[-1].command == "export"
    assert replace(again, audit=again.audit[:-1]) == exported
    assert write_export(read_export(write_export(again))) == write_export(again)


async def test_a_date_range_limits_the_export(t: Transcript) -> None:
    await t.say_one("!export 2026-12-01 2026-12-31 --format json", sender=JUNG)
    exported = read_export(t.messenger.files[-1][2])
    assert exported.decisions == () and exported.meetings == () and exported.audit == ()
    assert exported.since == datetime(2026, 12, 1, tzinfo=ZoneInfo("Asia/Seoul"))
    await t.say_one("!export 2026-11-27 2026-11-27 --format json", sender=JUNG)
    exported = read_export(t.messenger.files[-1][2])
    assert [d.label for d in exported.decisions] == ["A-2"]
    assert [e.command for e in exported.audit][:4] == [
        "action add",
        "decision add",
        "blocker add",
        "action done",
    ]


async def test_the_committee_room_exports_the_whole_plan(t: Transcript) -> None:
    repos = t.dispatcher.repos
    await repos.rooms.set_member(COMMITTEE, "@kim:localhost", "join", None)
    t.room_id = COMMITTEE
    body = await t.say_one("!내보내기 --format json", sender="@kim:localhost")
    assert "계획 전체" in body
    exported = read_export(t.messenger.files[-1][2])
    assert exported.scope == await plan_scope(repos, PLAN)
    assert [d.label for d in exported.decisions] == ["A-2", "B-1"]
    assert {d.target for d in exported.digests} == {WG1, WG2}


async def test_bad_format_and_bad_json(t: Transcript) -> None:
    body = await t.say_one("!export --format pdf", sender=JUNG)
    assert "md, csv, json" in body and "Usage: !export" in body
    with pytest.raises(ExportFormatError):
        read_export('{"format": "other"}')
    with pytest.raises(ExportFormatError):
        read_export("not json")


async def test_command_line_export_matches_the_chat_one(
    t: Transcript, sqlite_url: str, tmp_path: Path
) -> None:
    env = {**BASE_ENV, "DATABASE_URL": sqlite_url, "PLAN_FILE": str(PLAN_FILE)}
    settings = settings_from_mapping(env)
    out = tmp_path / "wg1.json"
    args = Namespace(plan=False, room="core-01", start=None, end=None, format="json", out=out)
    assert await export_to_file(settings, args) == 0
    from_cli = read_export(out.read_bytes())
    await t.say_one("!export --format json", sender=JUNG)
    from_chat = read_export(t.messenger.files[-1][2])
    for part in ("scope", "decisions", "actions", "blockers", "digests", "audit"):
        assert getattr(from_cli, part) == getattr(from_chat, part), part
    assert [m.id for m in from_cli.meetings] == [m.id for m in from_chat.meetings]
    bad = Namespace(plan=False, room="core-99", start=None, end=None, format="md", out=out)
    assert await export_to_file(settings, bad) == 2


async def test_command_line_export_takes_a_room_alias(
    t: Transcript, sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**BASE_ENV, "DATABASE_URL": sqlite_url, "PLAN_FILE": str(PLAN_FILE)}
    settings = settings_from_mapping(env)
    out = tmp_path / "export.json"
    for alias, scope in (
        ("#gov3-core-01:localhost", "core-01"),
        ("#gov3-core-02", "core-02"),
        ("#gov3-committee:localhost", PLAN.key),
    ):
        args = Namespace(plan=False, room=alias, start=None, end=None, format="json", out=out)
        assert await export_to_file(settings, args) == 0, capsys.readouterr().err
        assert read_export(out.read_bytes()).scope.name == scope, alias
    unknown = Namespace(
        plan=False, room="#gov3-core-99:localhost", start=None, end=None, format="md", out=out
    )
    assert await export_to_file(settings, unknown) == 2
    assert "#gov3-core-99:localhost" in capsys.readouterr().err
