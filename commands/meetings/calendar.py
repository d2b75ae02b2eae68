"""Meetings as iCalendar: the `.ics` attached to announcements and the personal feed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from commands.meetings.ics import MeetingEvent, calendar_bytes, event_uid
from commands.meetings.jobs import schedule_of
from commands.meetings.recurrence import rrule_for
from commands.meetings.render import join_link
from storage.meetings import invitees_of
from storage.models import Meeting
from storage.repositories import Repositories


def meeting_event(item: Meeting, settings: Any) -> MeetingEvent:
    """One calendar entry: a series carries RRULE and EXDATEs (holidays, cancellations)."""
    link = join_link(item, settings)
    schedule = schedule_of(item)
    return MeetingEvent(
        uid=event_uid(item.room_id, str(item.id), settings.server_name),
        sequence=item.sequence,
        title=item.title,
        start=item.starts_at,
        end=item.starts_at + timedelta(minutes=item.duration_minutes),
        created=item.created_at,
        last_modified=item.created_at + timedelta(seconds=item.sequence),
        description=f"화상회의 / Video meeting: {link}",
        rrule=rrule_for(item.recurrence, item.until) if item.recurrence else None,
        exdates=schedule.exdates if item.recurrence else [],
        url=link,
        organizer=item.organizer,
        attendees=invitees_of(item),
        status="CANCELLED" if item.status == "cancelled" else "CONFIRMED",
    )


def meeting_ics(item: Meeting, settings: Any, method: str = "PUBLISH") -> bytes:
    return calendar_bytes([meeting_event(item, settings)], item.title, method)


async def feed_for(repos: Repositories, settings: Any, user_id: str) -> bytes:
    """Every meeting of the rooms the user is in, or that invites them."""
    rooms = await repos.rooms.rooms_of(user_id)
    items = await repos.meetings.in_rooms(rooms)
    return calendar_bytes([meeting_event(m, settings) for m in items], "소통 회의 (Sotong)")
