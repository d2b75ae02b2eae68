"""The package's Jinja2 environment: the map page, the short message pages and the SVG map.

Autoescaping is on for every template, so any value a template prints is escaped (`&<>"'`,
safe in HTML text, attributes and SVG alike) unless it is itself template output; no code of
ours builds markup from strings. Undefined names are errors rather than empty text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """One environment per process: templates are loaded and compiled once."""
    return Environment(
        loader=PackageLoader("commands.collab", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """A template of `commands/collab/templates/` rendered with `context`."""
    return environment().get_template(name).render(**context)
