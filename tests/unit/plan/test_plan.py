"""The plan file: the shipped Government 3.0 plan, the rooms it implies, and validation.

Validation cases mutate a small valid plan and mark the line the problem must point at with
`# here`, so each expectation names its line without counting.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from commands.plan.file import Plan, PlanError, load_plan, parse_plan
from tests.support.plans import MINI

ROOT = Path(__file__).resolve().parents[3]
GOV3 = ROOT / "plans" / "gov3.toml"
SOURCE = "demo.toml"

SEED_CORE_TASKS = {
    "core-01": "선제적 맞춤형 서비스",
    "core-02": "민간 협업을 통한 공공서비스 제공 (정부-민간 연계)",
    "core-03": "융합행정 (협업·소통)",
    "core-04": "클라우드 정부",
    "core-05": "증거기반 정책수립",
    "core-06": "안전진단·재난대응",
    "core-07": "정보공개·기록관리 혁신",
    "core-08": "공공데이터 민간활용·상생의 데이터 생태계",
}
SEED_GOALS = {"service": "서비스 정부", "competent": "유능한 정부", "transparent": "투명한 정부"}


Mutation = Callable[[str], str]


def swap(old: str, new: str) -> Mutation:
    """Replace one exact, unique piece of the text."""

    def mutate(text: str) -> str:
        assert text.count(old) == 1, old
        return text.replace(old, new)

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    """Several mutations, applied in order."""

    def mutate(text: str) -> str:
        for mutation in mutations:
            text = mutation(text)
        return text

    return mutate


def line_of(text: str, marker: str = "# here") -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if marker in line)


def problems_of(text: str, source: str = SOURCE) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, source)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


@pytest.fixture(scope="module")
def gov3() -> Plan:
    return load_plan(GOV3)


# ── the shipped plan ──────────────────────────────────────────────────────────


def test_the_shipped_plan_has_the_seed_counts(gov3: Plan) -> None:
    assert gov3.key == "gov3"
    assert gov3.name_ko == "정부3.0 발전계획"
    assert len(gov3.goals) == 3
    assert len(gov3.core_tasks()) == 8
    assert len(gov3.unit_tasks()) == 25
    assert len(gov3.detailed_tasks()) == 64
    assert all(core.unit_tasks for core in gov3.core_tasks())
    assert all(unit.detailed for unit in gov3.unit_tasks())
    assert "illustrative" in gov3.illustrative_note


def test_goals_and_core_tasks_carry_the_seed_names(gov3: Plan) -> None:
    assert {goal.key: goal.name_ko for goal in gov3.goals} == SEED_GOALS
    assert {core.key: core.name_ko for core in gov3.core_tasks()} == SEED_CORE_TASKS
    assert [core.goal_key for core in gov3.core_tasks()] == ["service"] * 2 + ["competent"] * 4 + [
        "transparent"
    ] * 2
    assert [core.number for core in gov3.core_tasks()] == list(range(1, 9))
    assert all(node.name_en for node in gov3.nodes())


def test_every_working_group_has_a_chair_and_several_ministries(gov3: Plan) -> None:
    chairs = []
    for core in gov3.core_tasks():
        assert len(core.wg.chairs) == 1, core.key
        assert 3 <= len(core.wg.members) <= 5, core.key
        ministries = {gov3.ministry_of(user) for user in core.wg.everyone()}
        assert None not in ministries
        assert len(ministries) >= 3, core.key
        chairs += core.wg.chairs
    assert len(set(chairs)) == 8
    assert gov3.committee.wg.chairs == ("@kim:localhost",)
    assert set(gov3.committee.wg.everyone()) == set(chairs)


def test_directory_lookups(gov3: Plan) -> None:
    kang = gov3.person("@kang:localhost")
    assert kang is not None and kang.name == "강도윤" and kang.office == "daejeon"
    assert gov3.ministry_of("@yoon:localhost") == "부산광역시"
    assert gov3.ministry_of("@stranger:localhost") is None
    assert gov3.office_name("daejeon") == "정부대전청사"
    assert len(gov3.all_members()) == 8


def test_find_and_the_chairs_of_any_task(gov3: Plan) -> None:
    detail = gov3.find("detail-03-3-2")
    assert detail is not None and detail.name_ko == "시기별·사안별 협업현황 분석"
    core = gov3.core_of("detail-03-3-2")
    assert core is not None and core.key == "core-03"
    goal = gov3.goal_of("unit-03-3")
    assert goal is not None and goal.key == "competent"
    assert gov3.chairs_of("core-03") == ("@kim:localhost",)
    assert gov3.chairs_of("unit-07-2") == ("@kang:localhost",)
    assert "@park:localhost" in gov3.members_of("core-03")
    assert gov3.find("nothing") is None
    with pytest.raises(KeyError):
        gov3.chairs_of("service")


def test_rooms_are_the_tree_parents_first(gov3: Plan) -> None:
    rooms = gov3.rooms()
    by_level = [room.level for room in rooms]
    unit_rooms = [room for room in rooms if room.level == "unit"]
    assert (by_level.count("plan"), by_level.count("goal"), by_level.count("core")) == (1, 3, 8)
    assert by_level.count("committee") == 1
    assert len(rooms) == 1 + 3 + 8 + len(unit_rooms) + 1
    assert 1 <= len(unit_rooms) <= 2
    assert all(room.parent_key == "core-03" for room in unit_rooms)
    seen: dict[str, str] = {}
    for room in rooms:
        if room.parent_key is not None:
            assert room.parent_key in seen, f"{room.key} comes before its parent"
            assert seen[room.space_key or ""] == "space"
        assert room.kind == ("space" if room.level in ("plan", "goal") else "room")
        seen[room.key] = room.kind
    assert len(seen) == len(rooms)
    assert len({room.alias_localpart for room in rooms}) == len(rooms)
    assert gov3.rooms() == rooms


def test_room_details(gov3: Plan) -> None:
    rooms = {room.key: room for room in gov3.rooms()}
    assert rooms["gov3"].parent_key is None and rooms["gov3"].alias_localpart == "gov3"
    assert rooms["competent"].parent_key == "gov3"
    core = rooms["core-01"]
    assert core.parent_key == "service" and core.alias_localpart == "gov3-core-01"
    assert core.name == "[핵심과제 1] 선제적 맞춤형 서비스 | Pre-emptive personalised services"
    assert core.topic.startswith("정부가 먼저") and " | " in core.topic
    assert core.chairs == ("@jung:localhost",) and core.members[0] == "@jung:localhost"
    assert not core.encrypted
    assert rooms["unit-03-3"].name.startswith("[단위과제 3-3] 협업지도 | Collaboration map")
    assert rooms["unit-03-3"].space_key == "competent"
    committee = rooms["committee"]
    assert committee.parent_key == "gov3" and committee.alias_localpart == "gov3-committee"
    assert committee.chairs == ("@kim:localhost",) and len(committee.members) == 8


# ── the small plan and its variants ──────────────────────────────────────────


def test_the_small_plan_loads() -> None:
    plan = parse_plan(MINI, SOURCE)
    assert [room.key for room in plan.rooms()] == [
        "demo",
        "service",
        "core-01",
        "unit-01-1",
        "core-02",
        "committee",
    ]
    assert [d.number for d in plan.detailed_tasks()] == ["1-1-1", "2-1-1", "2-1-2"]


def test_encryption_falls_back_from_unit_to_core_to_plan() -> None:
    text = MINI.replace("committee_room = true", "committee_room = false\nencrypted = true")
    text = text.replace('name_en = "Unit"\n', 'name_en = "Unit"\nencrypted = false\n')
    rooms = {room.key: room for room in parse_plan(text).rooms()}
    assert "committee" not in rooms
    assert rooms["core-01"].encrypted and rooms["core-02"].encrypted
    assert not rooms["unit-01-1"].encrypted and not rooms["demo"].encrypted


def test_a_working_group_may_be_a_sub_table() -> None:
    text = MINI.replace(
        'wg = { chairs = ["@lee:localhost"], members = ["@kim:localhost"] }',
        '\n[goals.core_tasks.wg]\nchairs = ["@lee:localhost"]\n'
        'members = ["@nobody:localhost"]  # here\n',
    )
    assert problems_of(text) == [
        f"{SOURCE}:{line_of(text)}: goals[0].core_tasks[1].wg.members[0]: "
        "'@nobody:localhost' is not in [[directory]]"
    ]


CASES: list[tuple[str, Mutation, str, str]] = [
    (
        "malformed key",
        swap('key = "unit-01-1"', 'key = "Unit_01"  # here'),
        "goals[0].core_tasks[0].unit_tasks[0].key",
        "'Unit_01' is not a valid key",
    ),
    (
        "malformed plan key",
        swap('key = "demo"', 'key = "demo plan"  # here'),
        "plan.key",
        "is not a valid key",
    ),
    (
        "duplicate key",
        swap('key = "core-02"', 'key = "core-01"  # here'),
        "goals[0].core_tasks[1].key",
        "duplicate key 'core-01', already used by goals[0].core_tasks[0]",
    ),
    (
        "duplicate key across levels, inline",
        swap(
            '{ key = "detail-02-1-2", name_ko = "세부 2", name_en = "Detail 2" },',
            '{ key = "unit-01-1", name_ko = "세부 2", name_en = "Detail 2" },  # here',
        ),
        "goals[0].core_tasks[1].unit_tasks[0].detailed[1].key",
        "duplicate key 'unit-01-1'",
    ),
    (
        "reserved key",
        swap('key = "service"', 'key = "committee"  # here'),
        "goals[0].key",
        "reserved",
    ),
    (
        "malformed user id in a working group",
        swap('members = ["@kim:localhost"] }', 'members = ["kim"] }  # here'),
        "goals[0].core_tasks[1].wg.members[0]",
        "'kim' is not a Matrix user id",
    ),
    (
        "malformed user id in the directory",
        swap('user = "@lee:localhost"', 'user = "@Lee"  # here'),
        "directory[1].user",
        "'@Lee' is not a Matrix user id",
    ),
    (
        "working group without a chair",
        swap(
            'wg = { chairs = ["@kim:localhost"], members = ["@lee:localhost"] }',
            'wg = { chairs = [], members = ["@lee:localhost"] }  # here',
        ),
        "goals[0].core_tasks[0].wg.chairs",
        "the working group has no chair",
    ),
    (
        "working group without chairs at all",
        swap(
            'wg = { chairs = ["@kim:localhost"], members = ["@lee:localhost"] }',
            'wg = { members = ["@lee:localhost"] }  # here',
        ),
        "goals[0].core_tasks[0].wg.chairs",
        "the working group has no chair",
    ),
    (
        "core task without a working group",
        chain(
            swap(
                '[[goals.core_tasks]]\nkey = "core-02"',
                '[[goals.core_tasks]]  # here\nkey = "core-02"',
            ),
            swap('wg = { chairs = ["@lee:localhost"], members = ["@kim:localhost"] }\n', ""),
        ),
        "goals[0].core_tasks[1].wg",
        "required, missing",
    ),
    (
        "committee without a chair",
        swap('\nchairs = ["@kim:localhost"]\n', "\nchairs = []  # here\n"),
        "committee.chairs",
        "no chair",
    ),
    (
        "unknown member",
        swap('members = ["@kim:localhost"] }', 'members = ["@nobody:localhost"] }  # here'),
        "goals[0].core_tasks[1].wg.members[0]",
        "'@nobody:localhost' is not in [[directory]]",
    ),
    (
        "unknown committee member",
        swap('members = ["@lee:localhost"]\n', 'members = ["@ghost:localhost"]  # here\n'),
        "committee.members[0]",
        "'@ghost:localhost' is not in [[directory]]",
    ),
    (
        "unknown office",
        swap('office = "sejong"', 'office = "mars"  # here'),
        "directory[1].office",
        "unknown office 'mars' (known: sejong, seoul)",
    ),
    (
        "missing name",
        swap(
            '[[goals.core_tasks.unit_tasks]]\nkey = "unit-01-1"\nname_ko = "단위"\n'
            'name_en = "Unit"',
            '[[goals.core_tasks.unit_tasks]]  # here\nkey = "unit-01-1"\nname_ko = "단위"',
        ),
        "goals[0].core_tasks[0].unit_tasks[0].name_en",
        "required, missing",
    ),
    (
        "empty name",
        swap('name_ko = "서비스 정부"', 'name_ko = " "  # here'),
        "goals[0].name_ko",
        "must not be empty",
    ),
    (
        "missing name in an inline detailed task",
        swap(
            '{ key = "detail-02-1-1", name_ko = "세부 1", name_en = "Detail 1" },',
            '{ key = "detail-02-1-1", name_ko = "세부 1" },  # here',
        ),
        "goals[0].core_tasks[1].unit_tasks[0].detailed[0].name_en",
        "required, missing",
    ),
    (
        "no goals",
        lambda text: text.split("[[goals]]")[0].replace("[plan]", "[plan]  # here"),
        "goals",
        "the plan has no goals",
    ),
    (
        "wrong type",
        swap("\nroom = true", '\nroom = "yes"  # here'),
        "goals[0].core_tasks[0].unit_tasks[0].room",
        "expected true or false, got a string",
    ),
    (
        "unknown field",
        swap('name_ko = "시험 계획"', 'name_ko = "시험 계획"\nnmae_en = "typo"  # here'),
        "plan.nmae_en",
        "unknown field",
    ),
]


MANY = {
    "malformed key",
    "duplicate key",
    "malformed user id in a working group",
    "working group without a chair",
    "unknown office",
    "missing name in an inline detailed task",
}


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_problem_names_its_line_and_key_path(
    mutate: Mutation, path: str, fragment: str
) -> None:
    text = mutate(MINI)
    prefix = f"{SOURCE}:{line_of(text)}: {path}: "
    problems = problems_of(text)
    assert any(p.startswith(prefix) and fragment in p for p in problems), problems


def test_every_problem_is_reported_at_once_in_file_order() -> None:
    chosen = [case for case in CASES if case[0] in MANY]
    text = chain(*(case[1] for case in chosen))(MINI)
    problems = problems_of(text)
    assert len(problems) == len(MANY), problems
    lines = [int(problem.split(":")[1]) for problem in problems]
    assert lines == sorted(lines)
    for name, _, path, fragment in chosen:
        assert any(f": {path}: " in p and fragment in p for p in problems), name


def test_a_problem_in_a_multi_line_array_points_at_its_line() -> None:
    text = GOV3.read_text(encoding="utf-8")
    text = swap('    "@kang:localhost",\n', '    "@ghost:localhost",  # here\n')(text)
    assert problems_of(text, "gov3.toml") == [
        f"gov3.toml:{line_of(text)}: committee.members[5]: "
        "'@ghost:localhost' is not in [[directory]]"
    ]


# ── input that is not a plan at all ──────────────────────────────────────────


def test_a_toml_syntax_error_is_a_plan_error() -> None:
    text = MINI.replace('name_ko = "시험 계획"', 'name_ko = "시험 계획')
    problems = problems_of(text)
    assert len(problems) == 1
    assert problems[0].startswith(f"{SOURCE}:3: TOML syntax error:")


@pytest.mark.parametrize(
    "text",
    ["", "plan = 1\ngoals = [1, 'x']\noffices = []", "[plan]\nkey = 3\n[[goals]]\n[[directory]]"],
)
def test_wrong_shapes_are_plan_errors(text: str) -> None:
    assert problems_of(text)


def test_an_unreadable_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="cannot read"):
        load_plan(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(PlanError, match="cannot read"):
        load_plan(broken)


def test_damaged_plans_never_crash() -> None:
    """Random lines of the shipped plan deleted or retyped: a Plan or a PlanError, always."""
    lines = GOV3.read_text(encoding="utf-8").splitlines()
    rng = random.Random(3)
    for _ in range(150):
        damaged = list(lines)
        for _ in range(rng.randint(1, 4)):
            index = rng.randrange(len(damaged))
            if rng.random() < 0.5:
                del damaged[index]
            else:
                damaged[index] = damaged[index].replace('"', "", 1).replace("[", "{", 1)
        try:
            parse_plan("\n".join(damaged), "damaged.toml")
        except PlanError as exc:
            assert all(p.startswith("damaged.toml") for p in exc.problems)


def test_a_plan_that_does_not_say_gets_encrypted_rooms() -> None:
    text = GOV3.read_text().replace("encrypted = false\n", "", 1)
    plan = parse_plan(text)
    assert plan.encrypted is True
    rooms = plan.rooms()
    assert all(r.encrypted for r in rooms if r.kind == "room")
    assert not any(r.encrypted for r in rooms if r.kind == "space")
