"""Records exports for information disclosure: Markdown, CSV and JSON.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.export.chat import day_range, render_export, room_names
from commands.export.data import ExportScope, gather_export, plan_scope, scope_of_room, wg_scope

__all__ = [
    "ExportScope",
    "day_range",
    "gather_export",
    "plan_scope",
    "render_export",
    "room_names",
    "scope_of_room",
    "wg_scope",
]
