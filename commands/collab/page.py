"""The collaboration-map web page (`/collab/{token}`): the map as inline SVG, its tables and
plain GET filters for the period and the task. One self-contained HTML document with no
script and no external resource, so a strict Content-Security-Policy holds; every piece of
user or plan text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commands.collab.model import CollabReport, Edge, TaskShare
from commands.collab.summary import summary_notice, trend_text
from commands.collab.svg import format_weight, map_svg
from commands.plan import Plan
from commands.render import esc

PERIODS = (
    ("week", "최근 7일"),
    ("month", "최근 30일"),
    ("thisweek", "이번 주"),
    ("lastweek", "지난주"),
    ("thismonth", "이번 달"),
    ("lastmonth", "지난달"),
)
STYLE = """
body{font-family:'Noto Sans CJK KR','NanumGothic','Malgun Gothic',sans-serif;margin:1.5rem;
color:#222;max-width:980px}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin-top:1.5rem}
.who{color:#666;margin:0 0 1rem}.error{color:#a00;font-weight:bold}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center;margin:1rem 0}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #ddd;padding:.3rem .5rem;
text-align:left}td.n{text-align:right}figure{margin:0}svg{max-width:100%;height:auto}
footer{margin-top:2rem;color:#666;font-size:.9rem}
"""


@dataclass(frozen=True)
class PageView:
    """What the page was asked for: the period word (or custom text), the task key; `error`
    explains bad filters, one line per language."""

    period: str
    task: str
    user: str
    error: str | None = None


def _options(choices: Sequence[tuple[str, str]], chosen: str) -> str:
    marks = {value: " selected" if value == chosen else "" for value, _ in choices}
    return "".join(
        f'<option value="{esc(value)}"{marks[value]}>{esc(label)}</option>'
        for value, label in choices
    )


def task_choices(plan: Plan) -> list[tuple[str, str]]:
    """(key, label) of the whole plan, its goals and core tasks, in plan order."""
    choices = [("", "전체")]
    for goal in plan.goals:
        choices.append((goal.key, f"{goal.label_ko} {goal.name_ko}"))
        choices += [(c.key, f"· {c.label_ko} {c.name_ko}") for c in goal.core_tasks]
    return choices


def _form(plan: Plan, view: PageView) -> str:
    named = {value for value, _ in PERIODS}
    custom = "" if view.period in named else view.period
    return (
        '<form method="get" id="filters">'
        f'<label>기간 <select name="period">{_options(PERIODS, view.period)}</select></label>'
        '<label>직접 입력 <input type="text" name="custom" size="24" '
        f'placeholder="2026-11 또는 2026-11-02..2026-11-15" value="{esc(custom)}"></label>'
        f'<label>과제 <select name="task">{_options(task_choices(plan), view.task)}</select>'
        '</label><button type="submit">보기</button></form>'
    )


def _task_name(plan: Plan, key: str) -> str:
    node = plan.find(key)
    return f"{node.label_ko} {node.name_ko}" if node else key


def _table(caption: str, css: str, head: Sequence[str], rows: list[Sequence[str]]) -> str:
    if not rows:
        return f'<h2>{esc(caption)}</h2><p class="{css} empty">없음</p>'
    heads = "".join(f"<th>{esc(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f'<h2>{esc(caption)}</h2><table class="{css}"><tr>{heads}</tr>{body}</table>'


PAIR_HEAD = ("부처쌍", "가중치", "답장", "멘션", "스레드", "회의", "추세")
SHARE_HEAD = ("과제", "상호작용", "가중치", "부처 간 비율")


def tables(report: CollabReport, plan: Plan) -> str:
    """Strongest pairs, silo tasks, WG pairs without interaction, per-task shares."""
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
    silo_title = f"사일로 과제 (부처 간 비율 {report.silo_threshold * 100:.0f}% 미만)"
    return "".join(
        [
            _table("가장 활발한 부처 간 협업", "strongest", PAIR_HEAD, strongest),
            _table(silo_title, "silos", ("과제", "비율"), silos),
            _table("협업이 없었던 WG 부처쌍", "missing", ("부처", "부처", "과제"), missing),
            _table("과제별 부처 간 협업 비율", "shares", SHARE_HEAD, shares),
        ]
    )


def _kinds(edge: Edge) -> tuple[int, int, int, int]:
    counts = edge.counts
    return counts.reply, counts.mention, counts.thread, counts.meeting


def _share(task: TaskShare) -> str:
    return "–" if task.share is None else f"{task.share * 100:.0f}%"


def inline_svg(report: CollabReport, title: str) -> str:
    """The map's SVG without its XML declaration, ready to sit inside HTML."""
    text = map_svg(report, title=title)
    return text.split("?>", 1)[1].strip() if text.startswith("<?xml") else text


def _head(title: str) -> str:
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>협업지도 <small>Collaboration map</small></h1>"
    )


def _top(plan: Plan, view: PageView) -> str:
    """Who the page is for, the filters and the error about them (one line per language)."""
    lines = (view.error or "").splitlines()
    error = f'<p class="error">{"<br>".join(esc(line) for line in lines)}</p>' if lines else ""
    return (
        f'<p class="who">{esc(view.user)} 님이 참여한 방 기준 · only rooms you are in</p>'
        f"{_form(plan, view)}{error}"
    )


FOOTER = (
    "<footer>이 링크는 본인 전용입니다. 새 링크: !대시보드 · 폐기: !대시보드 revoke"
    "</footer></body></html>"
)


def render_page(report: CollabReport, plan: Plan, view: PageView, title: str) -> str:
    """The whole page for one report; `plan` is the part of the plan the reader may see."""
    summary = summary_notice(report, plan).body.splitlines()[:2]
    return (
        f"{_head(title)}{_top(plan, view)}"
        f'<p class="overview">{"<br>".join(esc(line) for line in summary)}</p>'
        f'<figure id="map">{inline_svg(report, title)}</figure>'
        f"{tables(report, plan)}{FOOTER}"
    )


def render_invalid(plan: Plan, view: PageView) -> str:
    """The page for filters that name no period or task: the error and the form to fix it,
    no map (nothing was asked that could be drawn)."""
    return f"{_head('협업지도: 입력을 확인하세요 (check the filters)')}{_top(plan, view)}{FOOTER}"


def message_page(title: str, text: str) -> str:
    """A short page for an unknown, expired or revoked link."""
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1><p>{esc(text)}</p></body></html>"
    )
