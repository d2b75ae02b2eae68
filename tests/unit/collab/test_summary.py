"""The collaboration map rendered: the Korean summary, the SVG and the PNG, on the hand-built
data of `test_collab_analysis` (whose answers are known)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from commands.collab.analysis import analyse
from commands.collab.model import CollabReport, Interaction, MinistryResolver, Scope, Trend
from commands.collab.summary import map_png, map_svg, summary_notice, trend_text
from commands.collab.svg import EMPTY_KO, MapLayout, layout
from commands.plan.file import Plan, parse_plan
from tests.unit.collab.test_analysis import (
    END,
    EVERYTHING,
    KIM,
    MOEF,
    MOIS,
    PLAN_TOML,
    START,
    at,
)

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<b>악성</b> & "부처"'
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_TOML)


@pytest.fixture(scope="module")
def report(plan: Plan) -> CollabReport:
    return analyse(plan, EVERYTHING, START, END)


def hostile_report(plan: Plan) -> CollabReport:
    """A federated ministry whose configured name is markup."""
    resolve = MinistryResolver.from_plan(plan, {"evil.example": HOSTILE})
    items = [Interaction("reply", KIM, "@x:evil.example", at(3), "!r:gov.kr", "core-01")]
    return analyse(plan, items, START, END, resolver=resolve)


def test_summary_in_korean(report: CollabReport, plan: Plan) -> None:
    notice = summary_notice(report, plan)
    assert notice.body == "\n".join(
        [
            "협업지도 · 2026-03-02 (월) ~ 2026-03-08 (일) · 전체",
            "부처 5곳 · 부처 간 협업 6.5 (지난 기간 대비 ▲ 117%)",
            "가장 활발한 협업",
            "1. 기획재정부 ↔ 행정안전부 4 (▲ 300%)",
            "2. 기획재정부 ↔ 통계청 1 (신규)",
            "3. 통계청 ↔ 행정안전부 1 (신규)",
            "사일로 과제 (부처 간 비율 20% 미만)",
            "- 핵심과제 2 융합행정: 11%",
            "협업이 없었던 WG 부처쌍",
            "- 과학기술정보통신부 ↔ 기획재정부 (핵심과제 3 클라우드 정부)",
            "- 과학기술정보통신부 ↔ 인사혁신처 (핵심과제 3 클라우드 정부)",
            "- 기획재정부 ↔ 인사혁신처 (핵심과제 3 클라우드 정부)",
            "지난 기간에 있었으나 끊긴 협업",
            "- 과학기술정보통신부 ↔ 통계청 (지난 기간 2)",
            "상호작용이 없던 과제",
            "- 핵심과제 3 클라우드 정부",
        ]
    )
    assert "<ol><li>기획재정부 ↔ 행정안전부 4 (▲ 300%)</li>" in notice.html


def test_summary_of_a_scope_in_english(report: CollabReport, plan: Plan) -> None:
    scoped = analyse(plan, EVERYTHING, START, END, scope=Scope.of(plan, "core-01"))
    assert summary_notice(scoped, plan).body.startswith(
        "협업지도 · 2026-03-02 (월) ~ 2026-03-08 (일) · 핵심과제 1 선제적 맞춤형 서비스\n"
    )
    english = summary_notice(report, plan, lang="en").body
    assert english.startswith("Collaboration map · 2026-03-02 (Mon) ~ 2026-03-08 (Sun) · whole")
    assert "- Core task 2 Convergent administration: 11%" in english


def test_summary_without_collaboration(plan: Plan) -> None:
    empty = analyse(plan, [], START, END)
    body = summary_notice(empty, plan).body
    assert body.splitlines()[1] == "부처 5곳 · 이 기간에 부처 간 협업 기록이 없습니다."
    assert "가장 활발한 협업" not in body


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.add(tag)


def test_summary_html_escapes_names(plan: Plan) -> None:
    notice = summary_notice(hostile_report(plan), plan)
    assert HOSTILE in notice.body
    assert "&lt;b&gt;악성&lt;/b&gt; &amp; &quot;부처&quot;" in notice.html
    parser = _Tags()
    parser.feed(notice.html)
    assert parser.tags <= {"b", "br", "ol", "ul", "li"}


def test_trend_text() -> None:
    assert trend_text(Trend(5, 4)) == "▲ 25%"
    assert trend_text(Trend(3, 4)) == "▼ 25%"
    assert trend_text(Trend(4, 4)) == "– 0%"
    assert trend_text(Trend(2, 0)) == "신규"
    assert trend_text(Trend(2, 0), "en") == "new"
    assert trend_text(Trend(0, 0)) == "–"


def parse_svg(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def test_svg_is_valid_and_names_every_ministry(report: CollabReport) -> None:
    root = parse_svg(map_svg(report, width=800, height=600))
    assert (root.get("width"), root.get("height")) == ("800", "600")
    font = root.get("font-family") or ""
    assert all(name in font for name in ("Noto Sans CJK KR", "NanumGothic", "sans-serif"))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert sorted(labels) == sorted(node.name for node in report.nodes)
    groups = {g.get("data-ministry") for g in root.iter(f"{SVG}g")}
    assert groups == {node.name for node in report.nodes}
    lines = {(ln.get("data-a"), ln.get("data-b")): ln for ln in root.iter(f"{SVG}line")}
    assert set(lines) == {(e.a, e.b) for e in report.edges}
    width = {pair: float(line.get("stroke-width") or 0) for pair, line in lines.items()}
    assert width[(MOEF, MOIS)] == max(width.values())


def test_svg_escapes_labels(plan: Plan) -> None:
    root = parse_svg(map_svg(hostile_report(plan)))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "label"]
    assert HOSTILE in labels


def test_layout_is_deterministic_and_keeps_places(report: CollabReport, plan: Plan) -> None:
    assert map_svg(report) == map_svg(report)
    other = analyse(plan, EVERYTHING, START - timedelta(days=7), START)
    here = {n.name: (n.x, n.y) for n in layout(report).nodes}
    there = {n.name: (n.x, n.y) for n in layout(other).nodes if n.name in here}
    assert there and all(here[name] == place for name, place in there.items())


def test_svg_of_an_empty_map(plan: Plan) -> None:
    empty = replace(analyse(plan, [], START, END), nodes=())
    root = parse_svg(map_svg(empty))
    assert EMPTY_KO in [t.text for t in root.iter(f"{SVG}text")]


def test_png_has_the_requested_size(report: CollabReport) -> None:
    from PIL import Image

    data = map_png(report, 640, 480)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(data)) as picture:
        picture.verify()
    with Image.open(io.BytesIO(data)) as picture:
        assert (picture.format, picture.size) == ("PNG", (640, 480))


def _label_box(x: float, y: float, anchor: str) -> tuple[int, int, int, int]:
    """A box surely covered by a label of a few Hangul syllables at this anchor point."""
    left = {"l": x + 2, "m": x - 20, "r": x - 42}[anchor[0]]
    top = {"t": y + 3, "m": y - 6, "b": y - 15}[anchor[1]]
    return round(left), round(top), round(left + 40), round(top + 12)


def test_png_draws_the_hangul_labels(report: CollabReport) -> None:
    from PIL import Image

    from commands.collab.png import find_font, has_hangul, load_font

    assert has_hangul(load_font(str(find_font()), 20))
    with Image.open(io.BytesIO(map_png(report))) as picture:
        grey = picture.convert("L")
    for node in layout(report).nodes:
        ink = grey.crop(_label_box(node.label_x, node.label_y, node.anchor)).getextrema()[0]
        assert ink < 120, f"no label drawn for {node.name}"
    assert grey.crop((850, 5, 895, 40)).getextrema() == (255, 255)


def test_png_labels_are_not_tofu(report: CollabReport, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same map with every label replaced by missing-glyph boxes looks different."""
    from PIL import Image, ImageChops

    import commands.collab.png as collab_png

    def grey(data: bytes) -> Image.Image:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.convert("L")

    real = grey(map_png(report))
    drawn = collab_png.layout

    def boxes(*args: object, **kwargs: object) -> MapLayout:
        plan = drawn(*args, **kwargs)  # type: ignore[arg-type]
        tofu = [replace(n, name=collab_png.MISSING_PROBE * len(n.name)) for n in plan.nodes]
        return replace(plan, nodes=tuple(tofu))

    monkeypatch.setattr(collab_png, "layout", boxes)
    fake = grey(map_png(report))
    for node in layout(report).nodes:
        box = _label_box(node.label_x, node.label_y, node.anchor)
        assert ImageChops.difference(real.crop(box), fake.crop(box)).getbbox(), node.name


@pytest.mark.skipif(not DEJAVU.exists(), reason="needs a font without Hangul")
def test_a_font_without_hangul_is_refused(report: CollabReport) -> None:
    from commands.collab.png import FontMissing, has_hangul, load_font

    assert not has_hangul(load_font(str(DEJAVU), 20))
    with pytest.raises(FontMissing, match="fonts-nanum"):
        map_png(report, font=DEJAVU)


def test_a_missing_font_file_names_the_package(report: CollabReport, tmp_path: Path) -> None:
    from commands.collab.png import FontMissing

    with pytest.raises(FontMissing, match="apt-get install fonts-nanum"):
        map_png(report, font=tmp_path / "none.ttf")
