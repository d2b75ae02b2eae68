"""The collaboration map in words: a short summary notice posted with the map's image.

`summary_notice` says what a chair needs at a glance: the period and scope, how many
ministries took part and how cross-ministry collaboration moved, the strongest pairs, the silo
tasks, the WG ministry pairs that did not talk, the pairs that stopped and the silent tasks.
`map_svg` and `map_png` draw the map (`commands.collab.svg`, `commands.collab.png`); they are
re-exported here, Pillow being imported only when a PNG is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from commands.collab.model import CollabReport, DisputeEdge, Edge, Trend
from commands.collab.svg import format_weight, map_svg, period_text
from commands.i18n import Text
from commands.plan import Plan
from commands.render import Notice, esc

__all__ = ["map_png", "map_svg", "summary_notice", "trend_text"]

TOP_PAIRS = 3
LIST_LIMIT = 5

T = {
    "title": Text("협업지도", "Collaboration map"),
    "all": Text("전체", "whole plan"),
    "ministries": Text("부처 {n}곳", "{n} ministries"),
    "cross": Text("부처 간 협업 {w}", "cross-ministry collaboration {w}"),
    "against": Text("지난 기간 대비 {t}", "{t} on the previous period"),
    "none": Text("이 기간에 부처 간 협업 기록이 없습니다.", "No cross-ministry collaboration."),
    "strongest": Text("가장 활발한 협업", "Strongest collaboration"),
    "silos": Text(
        "사일로 과제 (부처 간 비율 {p}% 미만)", "Silo tasks (cross-ministry share under {p}%)"
    ),
    "quiet": Text("상호작용이 없던 과제", "Tasks without interaction"),
    "missing": Text("협업이 없었던 WG 부처쌍", "WG ministry pairs that did not interact"),
    "faded": Text("지난 기간에 있었으나 끊긴 협업", "Pairs that stopped collaborating"),
    "before": Text("지난 기간 {w}", "previously {w}"),
    "more": Text("외 {n}건", "and {n} more"),
    "new": Text("신규", "new"),
    "disputes": Text(
        "부처 간 이견 (협업과 별도)", "Disagreements between ministries (apart from collaboration)"
    ),
    "dispute": Text("{a} ↔ {b}: 이견 {n} (진행 중 {o})", "{a} ↔ {b}: {n} disagreements ({o} open)"),
}


@dataclass(frozen=True)
class _Section:
    heading: str
    items: tuple[str, ...]
    ordered: bool = False


def trend_text(trend: Trend, lang: str = "ko") -> str:
    """`▲ 25%`, `▼ 10%`, `– 0%`, or `신규` when there was nothing in the previous period."""
    change = trend.change
    if change is None:
        return T["new"].pick(lang) if trend.current else "–"
    return f"{trend.arrow} {abs(change) * 100:.0f}%"


def summary_notice(report: CollabReport, plan: Plan, lang: str = "ko") -> Notice:
    """The map's summary as a notice: plain text body and the same in escaped HTML."""
    head = [_headline(report, plan, lang), _overview(report, lang)]
    sections = [s for s in _sections(report, plan, lang) if s.items]
    body = "\n".join([*head, *(_plain(s) for s in sections)])
    html = "".join(f"{esc(line)}<br>" for line in head) + "".join(_html(s) for s in sections)
    return Notice(body=body, html=html)


def _headline(report: CollabReport, plan: Plan, lang: str) -> str:
    days = period_text(report, lang)
    return f"{T['title'].pick(lang)} · {days} · {_scope_name(report, plan, lang)}"


def _scope_name(report: CollabReport, plan: Plan, lang: str) -> str:
    key = report.scope.key
    node = plan.find(key) if key else None
    if node is None:
        return key or T["all"].pick(lang)
    if lang == "en":
        kind = "Goal" if report.scope.level == "goal" else "Core task"
        return f"{kind} {node.number} {node.name_en}"  # type: ignore[union-attr]
    return f"{node.label_ko} {node.name_ko}"


def _overview(report: CollabReport, lang: str) -> str:
    count = T["ministries"].pick(lang).format(n=len(report.nodes))
    if not report.edges:
        return f"{count} · {T['none'].pick(lang)}"
    cross = T["cross"].pick(lang).format(w=format_weight(report.total.current))
    against = T["against"].pick(lang).format(t=trend_text(report.total, lang))
    return f"{count} · {cross} ({against})"


def _sections(report: CollabReport, plan: Plan, lang: str) -> list[_Section]:
    percent = f"{report.silo_threshold * 100:.0f}"
    silos = [f"{_task(plan, t.core_key, lang)}: {(t.share or 0) * 100:.0f}%" for t in report.silos]
    missing = [
        f"{m.a} ↔ {m.b} ({', '.join(_task(plan, key, lang) for key in m.core_keys)})"
        for m in report.missing
    ]
    return [
        _Section(
            T["strongest"].pick(lang),
            tuple(_pair(e, lang) for e in report.edges[:TOP_PAIRS]),
            ordered=True,
        ),
        _Section(T["silos"].pick(lang).format(p=percent), _capped(silos, lang)),
        _Section(T["missing"].pick(lang), _capped(missing, lang)),
        _Section(T["faded"].pick(lang), _capped([_faded(e, lang) for e in report.faded], lang)),
        _Section(
            T["quiet"].pick(lang),
            _capped([_task(plan, key, lang) for key in report.quiet], lang),
        ),
        _Section(
            T["disputes"].pick(lang), _capped([_dispute(e, lang) for e in report.disputes], lang)
        ),
    ]


def _dispute(edge: DisputeEdge, lang: str) -> str:
    return T["dispute"].pick(lang).format(a=edge.a, b=edge.b, n=edge.total, o=edge.open)


def _pair(edge: Edge, lang: str) -> str:
    return f"{edge.a} ↔ {edge.b} {format_weight(edge.weight)} ({trend_text(edge.trend, lang)})"


def _faded(edge: Edge, lang: str) -> str:
    before = T["before"].pick(lang).format(w=format_weight(edge.previous))
    return f"{edge.a} ↔ {edge.b} ({before})"


def _task(plan: Plan, core_key: str, lang: str) -> str:
    node = plan.find(core_key)
    if node is None:
        return core_key
    if lang == "en":
        return f"Core task {node.number} {node.name_en}"  # type: ignore[union-attr]
    return f"{node.label_ko} {node.name_ko}"


def _capped(items: Sequence[str], lang: str) -> tuple[str, ...]:
    if len(items) <= LIST_LIMIT:
        return tuple(items)
    more = T["more"].pick(lang).format(n=len(items) - LIST_LIMIT)
    return (*items[:LIST_LIMIT], more)


def _plain(section: _Section) -> str:
    marks = [f"{n}." for n in range(1, len(section.items) + 1)] if section.ordered else None
    lines = [f"{marks[i] if marks else '-'} {item}" for i, item in enumerate(section.items)]
    return "\n".join([section.heading, *lines])


def _html(section: _Section) -> str:
    tag = "ol" if section.ordered else "ul"
    items = "".join(f"<li>{esc(item)}</li>" for item in section.items)
    return f"<b>{esc(section.heading)}</b><{tag}>{items}</{tag}>"


def map_png(
    report: CollabReport,
    width: int = 900,
    height: int = 700,
    *,
    title: str | None = None,
    font: str | Path | None = None,
) -> bytes:
    """The map as PNG bytes (`commands.collab.png.map_png`; needs Pillow and a Hangul font)."""
    from commands.collab.png import map_png as draw

    return draw(report, width, height, title=title, font=font)
