"""`sotong provision` as an operator meets it without a homeserver: giving up on an
unreachable one, the progress on a terminal and in a log, and the report's wording."""

from __future__ import annotations

import asyncio
import io
import socket
from pathlib import Path

from bot.cli.progress import ProgressBar
from bot.cli.provision import report_lines, run_provision
from bot.config import settings_from_mapping
from bot.provision import Creation, ProvisionReport, Retired
from commands.plan import Change
from tests.support.plans import MINI


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_homeserver_is_given_up_with_one_clear_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(MINI)
    homeserver = f"http://127.0.0.1:{closed_port()}"
    settings = settings_from_mapping(
        {
            "MATRIX_HOMESERVER": homeserver,
            "MATRIX_USER_ID": "@sotong:localhost",
            "MATRIX_PASSWORD": "secret",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'sotong.db'}",
        }
    )
    err = Terminal()
    run = run_provision(settings, plan, False, False, tmp_path, give_up_after=0.5, err=err)
    status = await asyncio.wait_for(run, timeout=20)
    assert status == 1
    [line] = err.getvalue().splitlines()
    assert line.startswith("홈서버에 연결할 수 없습니다 / homeserver unreachable:")
    assert homeserver in line and "0.5 s" in line


def test_on_a_terminal_the_bar_is_redrawn_and_an_error_starts_a_new_line() -> None:
    out = Terminal()
    bar = ProgressBar(out)
    bar(0, 3, "core-01")
    bar(1, 3, "core-02")
    bar.end()
    out.write("provisioning stopped: …\n")
    text = out.getvalue()
    assert text.count("\r") == 2 and "[##########--------------------] 1/3 core-02" in text
    assert text.splitlines()[-1] == "provisioning stopped: …"
    bar(3, 3, "done")
    bar.end()
    assert out.getvalue().endswith("3/3 done\n")


def test_in_a_log_each_step_is_one_line_without_carriage_returns() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    for done, label in enumerate(["plan", "core-01", "core-02"]):
        bar(done, 3, label)
    bar(3, 3, "done")
    bar.end()
    assert "\r" not in out.getvalue()
    assert out.getvalue().splitlines() == [
        "[1/3] plan",
        "[2/3] core-01",
        "[3/3] core-02",
        "[3/3] done",
    ]


def test_a_dry_run_shows_each_room_its_alias_name_and_invitations() -> None:
    report = ProvisionReport(
        created=[
            Creation(
                "core-02", "#demo-core-02:localhost", "[핵심과제 2] 연계", ("@kim:x", "@lee:x")
            )
        ],
        changes=[Change("invite", "core-01", "invite @lee:x", {"user": "@lee:x"})],
        labels={"core-01": "#demo-core-01:localhost  [핵심과제 1] 서비스"},
    )
    lines = report_lines(report, dry_run=True)
    assert lines[0] == "  + would create #demo-core-02:localhost  [핵심과제 2] 연계"
    assert lines[1] == "      would invite: @kim:x, @lee:x"
    assert lines[2:4] == [
        "  ~ #demo-core-01:localhost  [핵심과제 1] 서비스",
        "      would invite @lee:x",
    ]
    assert lines[-1] == (
        "만들 방 1개, 변경 1건 / 1 room to create, 1 change (시험 실행: 바뀐 것 없음 / "
        "dry run: nothing was changed)"
    )


def test_rooms_no_longer_in_the_plan_are_listed() -> None:
    gone = Retired("core-09", "#demo-core-09:localhost", "[핵심과제 9] 옛 과제")
    kept = report_lines(ProvisionReport(retired=[gone]), dry_run=False)
    assert kept[0] == (
        "  - #demo-core-09:localhost  [핵심과제 9] 옛 과제: 계획에 없음 / no longer in the plan "
        "(kept as is; --prune archives it)"
    )
    assert kept[-1] == "계획에 없는 방 1개 / 1 room no longer in the plan"
    pruned = report_lines(ProvisionReport(retired=[gone, gone], pruned=True), dry_run=True)
    assert "(would archive it)" in pruned[0]
    assert "2 rooms no longer in the plan" in pruned[-1]
