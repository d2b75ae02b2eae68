"""The collaboration map's analysis on hand-built data whose answers are worked out by hand.

Ministries sort by code point: 과학기술정보통신부 < 기획재정부 < 인사혁신처 < 통계청 <
행정안전부, so every edge below names them in that order.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commands.collab.analysis import analyse, interactions_from, posts_from
from commands.collab.model import (
    Attendance,
    Interaction,
    KindCounts,
    MinistryResolver,
    Post,
    Scope,
    Weights,
)
from commands.plan.file import Plan, parse_plan
from storage.archive import ArchivedMessage

KST = ZoneInfo("Asia/Seoul")
START = datetime(2026, 3, 2, tzinfo=KST)
END = datetime(2026, 3, 9, tzinfo=KST)
PREV = START - timedelta(days=3)

MSIT, MOEF, MPM, KOSTAT, MOIS = (
    "과학기술정보통신부",
    "기획재정부",
    "인사혁신처",
    "통계청",
    "행정안전부",
)
KIM, JUNG, LEE, PARK, CHOI, SEO = (
    f"@{name}:gov.kr" for name in ("kim", "jung", "lee", "park", "choi", "seo")
)
BOT = "@sotong:gov.kr"

PEOPLE = [(KIM, MOIS), (JUNG, MOIS), (LEE, MOEF), (PARK, KOSTAT), (CHOI, MSIT), (SEO, MPM)]
DIRECTORY = "".join(
    f'[[directory]]\nuser = "{user}"\nname = "{user[1:4]}"\nministry = "{ministry}"\n'
    'office = "sejong"\n\n'
    for user, ministry in PEOPLE
)
PLAN_TOML = f"""\
[plan]
key = "demo"
name_ko = "시험 계획"
name_en = "Test plan"
committee_room = false

[offices]
sejong = "정부세종청사"

{DIRECTORY}
[[goals]]
key = "service"
name_ko = "서비스 정부"
name_en = "Service government"

[[goals.core_tasks]]
key = "core-01"
name_ko = "선제적 맞춤형 서비스"
name_en = "Pre-emptive services"
wg = {{ chairs = ["{KIM}"], members = ["{LEE}", "{PARK}"] }}

[[goals.core_tasks.unit_tasks]]
key = "unit-01-1"
name_ko = "생애주기 서비스"
name_en = "Life-cycle services"
room = true

[[goals]]
key = "competent"
name_ko = "유능한 정부"
name_en = "Competent government"

[[goals.core_tasks]]
key = "core-02"
name_ko = "융합행정"
name_en = "Convergent administration"
wg = {{ chairs = ["{CHOI}"], members = ["{JUNG}"] }}

[[goals.core_tasks]]
key = "core-03"
name_ko = "클라우드 정부"
name_en = "Cloud government"
wg = {{ chairs = ["{LEE}"], members = ["{CHOI}", "{SEO}"] }}
"""


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_TOML)


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=KST)


def act(kind: str, a: str, b: str, when: datetime, task: str | None) -> Interaction:
    return Interaction(kind, a, b, when, f"!{task or 'dm'}:gov.kr", task)  # type: ignore[arg-type]


# This week: core-01 is all cross-ministry (weight 5), core-02 mostly within 행정안전부
# (4 of 4.5), core-03 silent, and one DM without a task.
CURRENT = [
    act("reply", KIM, LEE, at(2), "core-01"),
    act("reply", LEE, KIM, at(3), "core-01"),
    act("meeting", KIM, LEE, at(4), "unit-01-1"),
    act("mention", KIM, PARK, at(4, 11), "core-01"),
    *(act("reply", KIM, JUNG, at(5, hour), "core-02") for hour in (9, 10, 11, 12)),
    act("thread", CHOI, JUNG, at(6), "core-02"),
    act("mention", LEE, PARK, at(6), None),
    act("reply", KIM, KIM, at(6), "core-01"),
]
# Last week: one reply 행정안전부–기획재정부, one meeting 과학기술정보통신부–통계청.
PREVIOUS = [
    act("reply", KIM, LEE, at(1), "core-01"),
    act("meeting", CHOI, PARK, datetime(2026, 2, 27, tzinfo=KST), "core-02"),
]
OUTSIDE = [
    act("reply", KIM, PARK, datetime(2026, 2, 20, tzinfo=KST), "core-01"),
    act("reply", KIM, PARK, END, "core-01"),
]
EVERYTHING = [*OUTSIDE, *PREVIOUS, *CURRENT]


def test_edges_weigh_cross_ministry_interactions_only(plan: Plan) -> None:
    report = analyse(plan, EVERYTHING, START, END)
    assert [(e.a, e.b, e.weight) for e in report.edges] == [
        (MOEF, MOIS, 4.0),
        (MOEF, KOSTAT, 1.0),
        (KOSTAT, MOIS, 1.0),
        (MSIT, MOIS, 0.5),
    ]
    assert report.edge(MOIS, MOEF).counts == KindCounts(reply=2, meeting=1)  # type: ignore[union-attr]
    assert report.edge(MOIS, MOIS) is None
    mois = report.node(MOIS)
    assert mois is not None
    assert (mois.interactions, mois.cross_weight) == (9, 5.5)
    assert report.interactions.current == 10


def test_silo_and_quiet_tasks(plan: Plan) -> None:
    report = analyse(plan, CURRENT, START, END)
    shares = {t.core_key: (t.interactions, t.total, t.cross) for t in report.tasks}
    assert shares == {"core-01": (4, 5.0, 5.0), "core-02": (5, 4.5, 0.5), "core-03": (0, 0.0, 0.0)}
    assert [t.core_key for t in report.silos] == ["core-02"]
    assert report.silos[0].share == pytest.approx(1 / 9)
    assert report.quiet == ("core-03",)
    assert analyse(plan, CURRENT, START, END, silo_threshold=0.1).silos == ()


def test_strongest_pairs_are_the_heaviest_edges(plan: Plan) -> None:
    report = analyse(plan, CURRENT, START, END, top_n=2)
    assert [(e.a, e.b) for e in report.strongest] == [(MOEF, MOIS), (MOEF, KOSTAT)]
    assert len(analyse(plan, CURRENT, START, END).strongest) == 4


def test_wg_pairs_that_did_not_interact(plan: Plan) -> None:
    report = analyse(plan, CURRENT, START, END)
    assert [(m.a, m.b, m.core_keys) for m in report.missing] == [
        (MSIT, MOEF, ("core-03",)),
        (MSIT, MPM, ("core-03",)),
        (MOEF, MPM, ("core-03",)),
    ]
    silent = report.node(MPM)
    assert silent is not None and silent.activity == 0


def test_trends_against_the_previous_period(plan: Plan) -> None:
    report = analyse(plan, EVERYTHING, START, END)
    strongest = report.edge(MOEF, MOIS)
    assert strongest is not None
    assert (strongest.previous, strongest.trend.change, strongest.trend.arrow) == (1.0, 3.0, "▲")
    new = report.edge(MSIT, MOIS)
    assert new is not None and new.trend.change is None and new.trend.arrow == "▲"
    assert [(e.a, e.b, e.weight, e.previous) for e in report.faded] == [(MSIT, KOSTAT, 0.0, 2.0)]
    assert (report.total.current, report.total.previous) == (6.5, 3.0)
    assert report.total.change == pytest.approx(6.5 / 3 - 1)
    assert report.interactions.previous == 2
    falling = analyse(plan, EVERYTHING, END, END + timedelta(days=7))
    assert (falling.total.current, falling.total.previous, falling.total.arrow) == (1.0, 6.5, "▼")


def test_scope_filters_by_goal_and_core_task(plan: Plan) -> None:
    service = analyse(plan, CURRENT, START, END, scope=Scope.of(plan, "service"))
    assert [(e.a, e.b) for e in service.edges] == [(MOEF, MOIS), (KOSTAT, MOIS)]
    assert [t.core_key for t in service.tasks] == ["core-01"]
    assert [(m.a, m.b) for m in service.missing] == [(MOEF, KOSTAT)]  # their DM is out of scope
    assert {n.name for n in service.nodes} == {MOEF, KOSTAT, MOIS}
    unit = Scope.of(plan, "unit-01-1")
    assert unit == Scope("core", "core-01")
    assert analyse(plan, CURRENT, START, END, scope=unit).edges == service.edges
    core2 = analyse(plan, CURRENT, START, END, scope=Scope.of(plan, "core-02"))
    assert [(e.a, e.b, e.weight) for e in core2.edges] == [(MSIT, MOIS, 0.5)]
    assert Scope.of(plan, None) == Scope()
    with pytest.raises(KeyError):
        Scope.of(plan, "nope")


def test_weights_are_configurable(plan: Plan) -> None:
    weights = Weights(reply=0.0, mention=0.0, thread=1.0, meeting=10.0)
    report = analyse(plan, CURRENT, START, END, weights=weights)
    assert report.edge(MOEF, MOIS).weight == 10.0  # type: ignore[union-attr]
    assert report.edge(MSIT, MOIS).weight == 1.0  # type: ignore[union-attr]
    assert Weights().of("meeting") == 2.0


def test_nodes_count_messages_in_the_period_and_scope(plan: Plan) -> None:
    posts = [
        Post(KIM, at(2), "!core-01:gov.kr", "core-01"),
        Post(JUNG, at(3), "!core-02:gov.kr", "core-02"),
        Post(LEE, at(3), "!dm:gov.kr", None),
        Post(SEO, at(1), "!core-03:gov.kr", "core-03"),
    ]
    report = analyse(plan, CURRENT, START, END, posts=posts)
    assert {n.name: n.messages for n in report.nodes} == {
        MOIS: 2,
        MOEF: 1,
        KOSTAT: 0,
        MSIT: 0,
        MPM: 0,
    }
    assert report.nodes[0].name == MOIS
    scoped = analyse(plan, CURRENT, START, END, posts=posts, scope=Scope("core", "core-01"))
    assert scoped.node(MOIS).messages == 1  # type: ignore[union-attr]


def test_federated_users_map_by_homeserver(plan: Plan) -> None:
    resolve = MinistryResolver.from_plan(plan, {"msit.go.kr": MSIT})
    assert resolve(KIM) == MOIS
    assert resolve("@han:msit.go.kr") == MSIT
    assert resolve("@ko:mpm.go.kr:8448") == "mpm.go.kr:8448"
    items = [act("reply", "@han:msit.go.kr", "@ko:mpm.go.kr", at(3), "core-03")]
    report = analyse(plan, items, START, END, resolver=resolve)
    assert [(e.a, e.b) for e in report.edges] == [("mpm.go.kr", MSIT)]


def msg(
    event: str, sender: str, when: datetime, room: str = "!core-01:gov.kr", **kw: object
) -> ArchivedMessage:
    return ArchivedMessage(event, room, sender, when, "…", **kw)  # type: ignore[arg-type]


def test_interactions_from_messages_and_meetings() -> None:
    c2 = "!core-02:gov.kr"
    messages = [
        msg("$root", KIM, at(2, 9)),
        msg("$t1", LEE, at(2, 10), thread_root="$root", reply_to="$root"),
        msg("$t2", PARK, at(2, 11), thread_root="$root", reply_to="$t1"),
        msg("$t3", LEE, at(2, 12), thread_root="$root", reply_to="$t2"),
        msg("$m1", JUNG, at(3, 9), c2, mentions=(KIM, KIM, JUNG)),
        msg("$r1", KIM, at(3, 10), c2, reply_to="$m1", mentions=(JUNG, LEE)),
        msg("$b1", BOT, at(3, 11), c2, reply_to="$r1", mentions=(KIM,)),
        msg("$r2", KIM, at(3, 12), c2, reply_to="$b1"),
        msg("$r3", KIM, at(3, 13), c2, reply_to="$r1"),
        msg("$r4", KIM, at(3, 14), c2, reply_to="$unknown"),
    ]
    meetings = [Attendance("!unit:gov.kr", (KIM, LEE, KIM, BOT, PARK), at(4))]
    rooms = {"!core-01:gov.kr": "core-01", c2: "core-02", "!unit:gov.kr": "unit-01-1"}
    found = interactions_from(messages, meetings, room_tasks=rooms, ignore=[BOT])
    assert [(i.kind, i.a_user, i.b_user, i.at, i.task_key) for i in found] == [
        ("thread", KIM, LEE, at(2, 10), "core-01"),
        ("thread", KIM, PARK, at(2, 11), "core-01"),
        ("thread", LEE, PARK, at(2, 11), "core-01"),
        ("mention", JUNG, KIM, at(3, 9), "core-02"),
        ("mention", KIM, LEE, at(3, 10), "core-02"),
        ("reply", KIM, JUNG, at(3, 10), "core-02"),
        ("meeting", KIM, LEE, at(4), "unit-01-1"),
        ("meeting", KIM, PARK, at(4), "unit-01-1"),
        ("meeting", LEE, PARK, at(4), "unit-01-1"),
    ]
    assert len(posts_from(messages, room_tasks=rooms, ignore=[BOT])) == 9


def test_a_thread_whose_root_is_not_archived_still_pairs_its_senders() -> None:
    messages = [
        msg("$a", LEE, at(2), thread_root="$old"),
        msg("$b", PARK, at(3), thread_root="$old"),
        msg("$c", LEE, at(4), thread_root="$old", reply_to="$b"),
    ]
    found = interactions_from(messages)
    assert [(i.kind, i.a_user, i.b_user, i.at, i.room_id) for i in found] == [
        ("thread", LEE, PARK, at(3), "!core-01:gov.kr")
    ]
