"""Video meetings: scheduling, reminders, RSVPs, calendars and trips avoided.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.meetings.calendar import feed_for
from commands.meetings.extras import held_meetings_of, record_rsvp
from commands.meetings.jobs import reconcile, schedule_of
from commands.meetings.render import join_link
from commands.meetings.travel import HeldMeeting, Savings, TravelTable, load_travel_table, savings

__all__ = [
    "HeldMeeting",
    "Savings",
    "TravelTable",
    "feed_for",
    "held_meetings_of",
    "join_link",
    "load_travel_table",
    "reconcile",
    "record_rsvp",
    "savings",
    "schedule_of",
]
