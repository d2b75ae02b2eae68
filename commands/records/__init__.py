"""Working-group records: actions, decisions and blockers.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.records.shared import (
    Place,
    RecordId,
    audit,
    card,
    day_text,
    ensure_here,
    list_text,
    list_view,
    listing,
    local_today,
    people,
    place_of,
    record_id,
    record_text,
    reply_list,
    time_text,
    user_id,
)

__all__ = [
    "Place",
    "RecordId",
    "audit",
    "card",
    "day_text",
    "ensure_here",
    "list_text",
    "list_view",
    "listing",
    "local_today",
    "people",
    "place_of",
    "record_id",
    "record_text",
    "reply_list",
    "time_text",
    "user_id",
]
