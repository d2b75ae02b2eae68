"""The collaboration-map web page (`/collab/{token}`): the map as inline SVG, its tables and
plain GET filters for the period and the task. One self-contained HTML document with no
script and no external resource, so a strict Content-Security-Policy holds. The markup is in
`templates/` (Jinja2, autoescaped): this module only gathers the text, so no piece of user or
plan text can reach the page unescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.collab.model import CollabReport, Edge, TaskShare
from commands.collab.summary import summary_notice, trend_text
from commands.collab.svg import SVG_STYLE, format_weight, layout
from commands.collab.templating import render
from commands.plan import Plan

PERIODS = (
    ("week", "최근 7일"),
    ("month", "최근 30일"),
    ("thisweek", "이번 주"),
    ("lastweek", "지난주"),
    ("thismonth", "이번 달"),
    ("lastmonth", "지난달"),
)


@dataclass(frozen=True)
class PageView:
    """What the page was asked for: the period word (or custom text), the task key; `error`
    explains bad filters, one line per language."""

    period: str
    task: str
    user: str
    error: str | None = None


@dataclass(frozen=True)
class Table:
    """One of the page's tables: `rows` of plain text cells (none: the page says 없음)."""

    caption: str
    css: str
    head: Sequence[str]
    rows: list[Sequence[str]]


def task_choices(plan: Plan) -> list[tuple[str, str]]:
    """(key, label) of the whole plan, its goals and core tasks, in plan order."""
    choices = [("", "전체")]
    for goal in plan.goals:
        choices.append((goal.key, f"{goal.label_ko} {goal.name_ko}"))
        choices += [(c.key, f"· {c.label_ko} {c.name_ko}") for c in goal.core_tasks]
    return choices


def _task_name(plan: Plan, key: str) -> str:
    node = plan.find(key)
    return f"{node.label_ko} {node.name_ko}" if node else key


PAIR_HEAD = ("부처쌍", "가중치", "답장", "멘션", "스레드", "회의", "추세")
SHARE_HEAD = ("과제", "상호작용", "가중치", "부처 간 비율")
DISPUTE_HEAD = ("부처쌍", "이견", "진행 중")


def tables(report: CollabReport, plan: Plan) -> list[Table]:
    """Strongest pairs, silo tasks, WG pairs without interaction, per-task shares, and the
    pairs in disagreement (counted apart)."""
    strongest = [
        (f"{e.a} ↔ {e.b}", format_weight(e.weight), *map(str, _kinds(e)), trend_text(e.trend))
        for e in report.strongest
    ]
    silos = [(_task_name(plan, t.core_key), f"{(t.share or 0) * 100:.0f}%") for t in report.silos]
    missing = [
        (m.a, m.b, ", ".join(_task_name(plan, k) for k in m.core_keys)) for m in report.missing
    ]
    shares = [
        (_task_name(plan, t.core_key), str(t.interactions), format_weight(t.total), _share(t))
        for t in report.tasks
    ]
    disputes = [(f"{d.a} ↔ {d.b}", str(d.total), str(d.open)) for d in report.disputes]
    silo_title = f"사일로 과제 (부처 간 비율 {report.silo_threshold * 100:.0f}% 미만)"
    return [
        Table("가장 활발한 부처 간 협업", "strongest", PAIR_HEAD, strongest),
        Table(silo_title, "silos", ("과제", "비율"), silos),
        Table("협업이 없었던 WG 부처쌍", "missing", ("부처", "부처", "과제"), missing),
        Table("과제별 부처 간 협업 비율", "shares", SHARE_HEAD, shares),
        Table("부처 간 이견 (협업과 별도)", "disputes", DISPUTE_HEAD, disputes),
    ]


def _kinds(edge: Edge) -> tuple[int, int, int, int]:
    counts = edge.counts
    return counts.reply, counts.mention, counts.thread, counts.meeting


def _share(task: TaskShare) -> str:
    return "–" if task.share is None else f"{task.share * 100:.0f}%"


def _filters(plan: Plan, view: PageView) -> dict[str, object]:
    """What the top of every map page shows: who it is for, the filters and the error about
    them (one line per language)."""
    named = {value for value, _ in PERIODS}
    return {
        "view": view,
        "periods": PERIODS,
        "custom": "" if view.period in named else view.period,
        "tasks": task_choices(plan),
        "errors": (view.error or "").splitlines(),
    }


def render_page(report: CollabReport, plan: Plan, view: PageView, title: str) -> str:
    """The whole page for one report; `plan` is the part of the plan the reader may see."""
    return render(
        "page.html",
        title=title,
        **_filters(plan, view),
        overview=summary_notice(report, plan).body.splitlines()[:2],
        map=layout(report, title=title),
        svg=SVG_STYLE,
        tables=tables(report, plan),
    )


def render_invalid(plan: Plan, view: PageView) -> str:
    """The page for filters that name no period or task: the error and the form to fix it,
    no map (nothing was asked that could be drawn)."""
    title = "협업지도: 입력을 확인하세요 (check the filters)"
    return render("page.html", title=title, **_filters(plan, view), map=None)


def message_page(title: str, text: str) -> str:
    """A short page for an unknown, expired or revoked link, or an error."""
    return render("message.html", title=title, text=text)
