"""The collaboration map as a picture: a deterministic layout shared by the SVG (web page) and
the PNG (chat), and the SVG itself, drawn by the autoescaping template `templates/_map.svg`.

Ministries sit on a circle in name order, so each keeps its place from one period to the next
and two maps can be compared by eye. A node's area grows with its activity (messages and
interactions), an edge's thickness with its weight; the strongest pairs are highlighted and
ministries without any activity (silent WG members) are grey.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from commands.collab.model import CollabReport
from commands.collab.templating import render
from commands.when import format_when

FONT_FAMILY = "'Noto Sans CJK KR', 'NanumGothic', 'Malgun Gothic', sans-serif"
LABEL_SIZE = 15
TITLE_SIZE = 18
NOTE_SIZE = 12
NODE_RADIUS = (8.0, 30.0)
EDGE_WIDTH = (1.5, 12.0)
HIGHLIGHT = 3
LEGEND_KO = (
    "원 크기: 활동량 · 선 굵기: 부처 간 협업 가중치 · 주황: 가장 활발한 협업"
    " · 빨간 점선: 부처 간 이견"
)
EMPTY_KO = "이 기간에 기록된 협업이 없습니다"
COLOURS = {
    "node": "#1f4e79",
    "silent": "#b0b0b0",
    "edge": "#4a7fb5",
    "strong": "#e07b24",
    "dispute": "#c0392b",
    "text": "#222222",
    "note": "#666666",
}


@dataclass(frozen=True)
class PlacedNode:
    """A ministry's circle and where its label goes. `anchor` is Pillow's two-letter text
    anchor (horizontal l/m/r, vertical t/m/b) for the label point."""

    name: str
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str
    silent: bool
    tooltip: str


@dataclass(frozen=True)
class PlacedEdge:
    """A line between two placed ministries."""

    a: str
    b: str
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    strong: bool
    tooltip: str


@dataclass(frozen=True)
class MapLayout:
    """Everything both renderers draw, in pixels of a `width` × `height` picture."""

    width: int
    height: int
    title: str
    nodes: tuple[PlacedNode, ...]
    edges: tuple[PlacedEdge, ...]
    disputes: tuple[PlacedEdge, ...] = ()
    """Disagreements between placed ministries: their own lines, apart from collaboration."""


def default_title(report: CollabReport) -> str:
    """`협업지도 · 2026-03-02 (월) ~ 2026-03-08 (일)`, plus the scope's key when there is one."""
    scope = f" · {report.scope.key}" if report.scope.key else ""
    return f"협업지도 · {period_text(report)}{scope}"


def period_text(report: CollabReport, lang: str = "ko") -> str:
    """The report's days in Korea time, first to last (its end is exclusive)."""
    last = report.end - timedelta(microseconds=1)
    return f"{_day(report.start, lang)} ~ {_day(last, lang)}"


def _day(moment: datetime, lang: str) -> str:
    if moment.tzinfo is None:
        return f"{moment:%Y-%m-%d}"
    return format_when(moment, lang, tz="Asia/Seoul", with_time=False)


def layout(
    report: CollabReport, width: int = 900, height: int = 700, title: str | None = None
) -> MapLayout:
    """Place the report's ministries on a circle (clockwise from the top, by name) and its
    edges between them; leaves room around the circle for labels (up to ten syllables wide),
    above it for the title and below it for the legend."""
    names = sorted(node.name for node in report.nodes)
    busiest = max((node.activity for node in report.nodes), default=0) or 1
    top, bottom = TITLE_SIZE * 2 + 4, height - NOTE_SIZE * 2
    cx, cy = width / 2, (top + bottom) / 2
    label_room = NODE_RADIUS[1] + 8 + LABEL_SIZE * 1.3
    ring = max(min(width / 2 - label_room - LABEL_SIZE * 10, (bottom - top) / 2 - label_room), 20.0)
    placed: dict[str, PlacedNode] = {}
    for index, node in enumerate(sorted(report.nodes, key=lambda n: n.name)):
        angle = -math.pi / 2 + 2 * math.pi * index / len(names)
        distance = ring if len(names) > 1 else 0.0
        x, y = cx + distance * math.cos(angle), cy + distance * math.sin(angle)
        low, high = NODE_RADIUS
        r = low + (high - low) * math.sqrt(node.activity / busiest)
        tooltip = (
            f"{node.name}: 메시지 {node.messages}, 상호작용 {node.interactions}, "
            f"부처 간 협업 {format_weight(node.cross_weight)}"
        )
        placed[node.name] = _with_label(node.name, x, y, r, angle, node.activity == 0, tooltip)
    return MapLayout(
        width,
        height,
        title or default_title(report),
        tuple(placed.values()),
        _edges(report, placed),
        _disputes(report, placed),
    )


def _with_label(
    name: str, x: float, y: float, r: float, angle: float, silent: bool, tooltip: str
) -> PlacedNode:
    """The node with its label just outside the circle, anchored away from the centre."""
    dx, dy = math.cos(angle), math.sin(angle)
    gap = r + 8
    horizontal = "l" if dx > 0.3 else "r" if dx < -0.3 else "m"
    vertical = "t" if dy > 0.3 else "b" if dy < -0.3 else "m"
    if horizontal == "m" and vertical == "m":
        vertical, dy = "t", 1.0
    return PlacedNode(
        name, x, y, r, x + gap * dx, y + gap * dy, horizontal + vertical, silent, tooltip
    )


def _edges(report: CollabReport, placed: dict[str, PlacedNode]) -> tuple[PlacedEdge, ...]:
    """Lines, lightest first so the heavy ones are drawn on top."""
    heaviest = max((edge.weight for edge in report.edges), default=0.0) or 1.0
    strong = {(edge.a, edge.b) for edge in report.edges[:HIGHLIGHT]}
    low, high = EDGE_WIDTH
    lines = []
    for edge in reversed(report.edges):
        a, b = placed.get(edge.a), placed.get(edge.b)
        if a is None or b is None:
            continue
        width = low + (high - low) * edge.weight / heaviest
        tooltip = f"{edge.a} ↔ {edge.b}: {format_weight(edge.weight)}"
        key = (edge.a, edge.b)
        lines.append(PlacedEdge(edge.a, edge.b, a.x, a.y, b.x, b.y, width, key in strong, tooltip))
    return tuple(lines)


def _disputes(report: CollabReport, placed: dict[str, PlacedNode]) -> tuple[PlacedEdge, ...]:
    """A line per pair in disagreement, thicker with more disagreements."""
    lines = []
    for edge in report.disputes:
        a, b = placed.get(edge.a), placed.get(edge.b)
        if a is None or b is None:
            continue
        tooltip = f"{edge.a} ↔ {edge.b}: 이견 {edge.total} (진행 중 {edge.open})"
        width = min(EDGE_WIDTH[0] + edge.total, EDGE_WIDTH[1] / 2)
        lines.append(PlacedEdge(edge.a, edge.b, a.x, a.y, b.x, b.y, width, False, tooltip))
    return tuple(lines)


def format_weight(value: float) -> str:
    """A weight: `4` when whole, `0.5` otherwise."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


SVG_STYLE = {
    "font": FONT_FAMILY,
    "colours": COLOURS,
    "title_size": TITLE_SIZE,
    "label_size": LABEL_SIZE,
    "note_size": NOTE_SIZE,
    "legend": LEGEND_KO,
    "empty": EMPTY_KO,
    "anchor": {"l": "start", "m": "middle", "r": "end"},
    "baseline": {"t": "hanging", "m": "central", "b": "alphabetic"},
}
"""What the SVG template (`templates/_map.svg`) draws with; anchors map Pillow's to SVG's."""


def map_svg(
    report: CollabReport, width: int = 900, height: int = 700, title: str | None = None
) -> str:
    """The map as a standalone SVG document (UTF-8 text; every label escaped by the template).
    Nodes and edges carry `data-ministry`, `data-a`/`data-b` and a `<title>` tooltip."""
    return render("map.svg", map=layout(report, width, height, title), svg=SVG_STYLE)
