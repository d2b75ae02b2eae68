"""The travel table and the trips-avoided report, on hand-built meetings with known answers."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from commands.meetings.travel import (
    DEFAULT_TABLE,
    NO_TRAVEL,
    HeldMeeting,
    Route,
    Savings,
    load_travel_table,
    render_savings,
    savings,
)

OFFICES = ("seoul", "sejong", "gwacheon", "daejeon", "busan", "daegu", "gwangju", "jeju")

SMALL = """
per_diem_krw = 50000

[offices]
seoul = { name = "정부서울청사", aliases = ["서울"] }
sejong = { name = "정부세종청사", aliases = ["세종"] }
busan = { name = "부산 지방기관" }

[routes]
seoul-sejong = { km = 130, hours = 4.0, transport_krw = 45000, mode = "ktx" }
sejong-busan = { km = 270, hours = 5.5, transport_krw = 94000, mode = "ktx" }
seoul-busan = { km = 400, hours = 6.5, transport_krw = 126000, per_diem_krw = 60000 }
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "travel.toml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_shipped_table_covers_every_pair_plausibly() -> None:
    table = load_travel_table()
    assert set(table.names) == set(OFFICES)
    assert len(table.routes) == 28
    for a, b in itertools.combinations(OFFICES, 2):
        route = table.route(a, b)
        assert route == table.route(b, a)
        assert 10 <= route.km <= 500 and 1 <= route.hours <= 8
        assert 50_000 < route.krw < 250_000
    assert table.route("seoul", "jeju").mode == "air"
    assert {table.route("jeju", o).mode for o in OFFICES if o != "jeju"} == {"air"}
    assert table.route("sejong", "daejeon").km < table.route("seoul", "busan").km


def test_same_office_costs_nothing_and_aliases_resolve(small: Path) -> None:
    table = load_travel_table(small)
    assert table.route("sejong", "세종") is NO_TRAVEL
    assert table.route("정부서울청사", "Sejong") == Route(130, 4.0, 95_000, "ktx")
    assert table.route("busan", "seoul").krw == 126_000 + 60_000


def test_unknown_office_is_a_clear_error(small: Path) -> None:
    table = load_travel_table(small)
    with pytest.raises(ValueError, match=r"unknown office 'mars'.*busan, sejong, seoul"):
        table.route("seoul", "mars")


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (SMALL.replace("seoul-sejong", "seoul-mars"), "two different known offices"),
        (SMALL.replace("seoul-sejong", "seoul-seoul"), "two different known offices"),
        (SMALL.replace("km = 130", "km = -1"), "negative"),
        (SMALL.replace('aliases = ["세종"]', 'aliases = ["서울"]'), "names two offices"),
        (SMALL.replace("hours = 4.0, ", ""), "malformed"),
    ],
)
def test_broken_tables_are_refused(tmp_path: Path, broken: str, message: str) -> None:
    path = tmp_path / "travel.toml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_travel_table(path)


def test_missing_route_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "travel.toml"
    path.write_text(SMALL.split("seoul-busan")[0], encoding="utf-8")
    with pytest.raises(ValueError, match="no route between"):
        load_travel_table(path).route("busan", "seoul")


MEETINGS = [
    HeldMeeting("wg-data", "sejong", ["sejong", "seoul", "seoul", "busan"], "2027-01"),
    HeldMeeting("wg-data", "세종", ["서울"], "2027-02"),
    HeldMeeting("wg-open", "seoul", ["seoul", "sejong"], "2027-01"),
    HeldMeeting("wg-open", "seoul", ["seoul"], "2027-01"),
    HeldMeeting("wg-open", "seoul", ["sejong", "atlantis"], "2027-02"),
]


def test_savings_per_wg_and_overall(small: Path) -> None:
    report = savings(MEETINGS, load_travel_table(small))
    seoul_sejong = Savings(trips=1, hours=4.0, km=260, krw=95_000)
    busan_sejong = Savings(trips=1, hours=5.5, km=540, krw=144_000)
    data = Savings(meetings=2) + seoul_sejong + seoul_sejong + busan_sejong + seoul_sejong
    opened = Savings(meetings=3) + seoul_sejong + seoul_sejong
    assert report.by_wg == {"wg-data": data, "wg-open": opened}
    assert data == Savings(meetings=2, trips=4, hours=17.5, km=1320, krw=429_000)
    assert report.total == Savings(meetings=5, trips=6, hours=25.5, km=1840, krw=619_000)
    assert report.unknown_offices == ("atlantis",)


def test_savings_for_one_month(small: Path) -> None:
    report = savings(MEETINGS, load_travel_table(small), month="2027-02")
    assert report.total == Savings(meetings=2, trips=2, hours=8.0, km=520, krw=190_000)
    assert savings(MEETINGS, load_travel_table(small), month="2026-12").by_wg == {}


def test_unknown_chair_office_counts_the_meeting_only(small: Path) -> None:
    report = savings(
        [HeldMeeting("wg", "nowhere", ["seoul", "busan"], "2027-01")], load_travel_table(small)
    )
    assert report.total == Savings(meetings=1)
    assert report.unknown_offices == ("nowhere",)


def test_render_korean_table_with_separators(small: Path) -> None:
    report = savings(MEETINGS, load_travel_table(small))
    notice = render_savings(report, period="2027년 1–2월", names={"wg-data": "데이터 <개방>"})
    assert notice.body.splitlines()[:4] == [
        "출장 절감 효과 (2027년 1–2월)",
        "· 데이터 <개방>: 회의 수 2, 절감 출장 4, 시간 17.5, 거리(km) 1,320, 비용(원) 429,000",
        "· wg-open: 회의 수 3, 절감 출장 2, 시간 8, 거리(km) 520, 비용(원) 190,000",
        "· 합계: 회의 수 5, 절감 출장 6, 시간 25.5, 거리(km) 1,840, 비용(원) 619,000",
    ]
    assert "atlantis" in notice.body
    for label in ("회의 수", "절감 출장", "시간", "거리(km)", "비용(원)"):
        assert f"<th>{label}</th>" in notice.html
    assert "<td>데이터 &lt;개방&gt;</td>" in notice.html
    assert "<td><b>619,000</b></td>" in notice.html
    assert "<개방>" not in notice.html


def test_render_english_and_empty(small: Path) -> None:
    report = savings(MEETINGS, load_travel_table(small))
    english = render_savings(report, "en")
    assert "<th>Trips avoided</th>" in english.html
    assert "· Total: Meetings 5, Trips avoided 6" in english.body
    empty = render_savings(savings([], load_travel_table(small)), period="2027-03")
    assert empty.body == "출장 절감 효과 (2027-03)\n이 기간에 화상으로 열린 회의가 없습니다."
    assert "<table>" not in empty.html


def test_default_table_is_the_shipped_file() -> None:
    assert DEFAULT_TABLE.name == "travel.toml" and DEFAULT_TABLE.parent.name == "plans"
    assert "ESTIMATES" in DEFAULT_TABLE.read_text(encoding="utf-8")
