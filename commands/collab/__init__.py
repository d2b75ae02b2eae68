"""The collaboration map between ministries: analysis, the map page and personal links.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.collab.dashboard import REVOKE_WORDS
from commands.collab.data import collab_report, map_title, room_tasks, visible_plan
from commands.collab.page import PageView, message_page, render_invalid, render_page
from commands.collab.period import parse_period, resolve_scope

__all__ = [
    "REVOKE_WORDS",
    "PageView",
    "collab_report",
    "map_title",
    "message_page",
    "parse_period",
    "render_invalid",
    "render_page",
    "resolve_scope",
    "room_tasks",
    "visible_plan",
]
