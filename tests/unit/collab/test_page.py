"""The map's web pages come from autoescaping templates: markup in any name a member, a
federated server or a reader controls shows as text, never as a tag, and no template or module
can opt out of escaping."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from commands.collab import PageView, message_page, render_invalid, render_page
from commands.collab.analysis import analyse
from commands.collab.model import CollabReport, Interaction, MinistryResolver
from commands.collab.templating import environment
from commands.plan.file import Plan, parse_plan
from tests.unit.collab.test_analysis import END, EVERYTHING, KIM, PLAN_TOML, START, at

SCRIPT = "<script>alert(1)</script>"
MINISTRY = f"{SCRIPT}부 \"x\" 'y' & <img src=x onerror=alert(2)>"
USER = f"@{SCRIPT}:evil.example"
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "small", "p", "br"}
PAGE_TAGS |= {"form", "label", "select", "option", "input", "button", "figure", "footer"}
PAGE_TAGS |= {"table", "tr", "th", "td", "svg", "rect", "text", "line", "g", "circle"}
ROOT = Path(__file__).resolve().parents[3]


class _Page(HTMLParser):
    """The tags of a page, its text and every attribute value, as a browser would read them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.attributes: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [value or "" for _, value in attrs]
        assert not any(name.startswith("on") for name, _ in attrs), attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return parse_plan(PLAN_TOML)


@pytest.fixture(scope="module")
def hostile(plan: Plan) -> CollabReport:
    """A federated server whose ministry name is markup, talking in a task room."""
    resolve = MinistryResolver.from_plan(plan, {"evil.example": MINISTRY})
    items = [*EVERYTHING, Interaction("reply", KIM, USER, at(3), "!r:gov.kr", "core-01")]
    return analyse(plan, items, START, END, resolver=resolve)


def test_a_map_page_shows_markup_in_names_as_text(hostile: CollabReport, plan: Plan) -> None:
    view = PageView(period=SCRIPT, task="core-01", user=USER)
    html = render_page(hostile, plan, view, title=f"제목 {SCRIPT}")
    page = _Page(html)
    assert page.tags <= PAGE_TAGS and "script" not in page.tags and "img" not in page.tags
    assert "<script" not in html and "&lt;script&gt;" in html
    assert f"{USER} 님이 참여한 방 기준 · only rooms you are in" in "".join(page.text)
    assert MINISTRY in page.text  # the map label and the tables' cells
    assert MINISTRY in page.attributes and SCRIPT in page.attributes  # data-ministry, custom
    assert f"제목 {SCRIPT}" in page.text  # <title>


def test_the_error_and_message_pages_escape_too(plan: Plan) -> None:
    view = PageView(period="week", task="", user=USER, error=f"잘못 {SCRIPT}\nbad {MINISTRY}")
    for html in (render_invalid(plan, view), message_page(SCRIPT, MINISTRY)):
        page = _Page(html)
        assert page.tags <= PAGE_TAGS and "<script" not in html and "<img" not in html
        assert MINISTRY in "".join(page.text).replace("bad ", "")
    errors = _Page(render_invalid(plan, replace(view, user="@lee:gov.kr"))).text
    assert f"잘못 {SCRIPT}" in errors and f"bad {MINISTRY}" in errors


def test_no_template_or_module_can_turn_escaping_off() -> None:
    env = environment()
    assert env.from_string("{{ name }}").render(name="<b>") == "&lt;b&gt;"
    templates = env.list_templates()
    assert {"page.html", "message.html", "map.svg"} <= set(templates)
    in_template = re.compile(r"\|\s*safe\b|autoescape\s+false", re.IGNORECASE)
    for name in templates:
        source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
        assert not in_template.search(source), name
    in_module = re.compile(r"\bMarkup\b|autoescape\s*=\s*False")
    for folder in ("commands/collab", "bot/web"):
        for module in (ROOT / folder).glob("*.py"):
            assert not in_module.search(module.read_text(encoding="utf-8")), module
