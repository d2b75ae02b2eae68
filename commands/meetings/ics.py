"""Calendar files for meetings: one `.ics` per announcement and the personal feeds.

Written with the icalendar package for what Outlook and Google import reliably: a VTIMEZONE
for Asia/Seoul ahead of the events, DTSTART/DTEND/EXDATE with TZID=Asia/Seoul (one EXDATE line
per date: some Outlook versions misread comma lists), RRULE with a UTC UNTIL, a UID that stays
the same across updates with SEQUENCE bumped by the caller on each change, STATUS:CANCELLED for a
cancelled meeting, DTSTAMP on every event, CRLF lines folded at 75 octets. Matrix users become
`matrix:u/…` addresses (the IANA-registered Matrix URI scheme); names without an address get
`invalid:nomail`, as Apple Calendar writes them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vRecur

PRODID = "-//Sotong//Sotong meetings//KO"
TZID = "Asia/Seoul"
SEOUL = ZoneInfo(TZID)
STATUSES = frozenset({"CONFIRMED", "TENTATIVE", "CANCELLED"})
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class MeetingEvent:
    """One calendar entry: a meeting, a series (with `rrule` and `exdates`) or, with
    `recurrence_id`, one moved occurrence of a series (same `uid` as the series)."""

    uid: str
    sequence: int
    title: str
    start: datetime
    end: datetime
    created: datetime
    last_modified: datetime
    description: str = ""
    rrule: str | None = None
    exdates: list[datetime] = field(default_factory=list)
    url: str | None = None
    location: str | None = None
    organizer: str | None = None
    attendees: list[str] = field(default_factory=list)
    status: str = "CONFIRMED"
    recurrence_id: datetime | None = None

    def __post_init__(self) -> None:
        moments = [self.start, self.end, self.created, self.last_modified, *self.exdates]
        if any(moment.tzinfo is None for moment in moments):
            raise ValueError("calendar times must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("a meeting must end after it starts")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}")


def event_uid(room_id: str, meeting_id: str, server_name: str) -> str:
    """A UID that never changes for a meeting and does not reveal the room id."""
    room = hashlib.sha256(room_id.encode()).hexdigest()[:16]
    return f"sotong-{room}-{meeting_id}@{server_name}"


def calendar_bytes(events: Iterable[MeetingEvent], name: str, method: str = "PUBLISH") -> bytes:
    """A whole VCALENDAR (METHOD:PUBLISH; REQUEST or CANCEL for a mailed invitation, iTIP)
    with the Seoul VTIMEZONE and `events`, as bytes."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    calendar.add_component(seoul_timezone())
    for event in events:
        calendar.add_component(_vevent(event))
    return calendar.to_ical()


def seoul_timezone() -> Timezone:
    """VTIMEZONE for Asia/Seoul: KST, UTC+9 without daylight time since 1988."""
    return Timezone.from_tzinfo(
        SEOUL, tzid=TZID, first_date=date(1990, 1, 1), last_date=date(2100, 1, 1)
    )


def _vevent(event: MeetingEvent) -> Event:
    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("dtstamp", _utc(event.last_modified))
    vevent.add("created", _utc(event.created))
    vevent.add("last-modified", _utc(event.last_modified))
    vevent.add("sequence", event.sequence)
    vevent.add("status", event.status)
    vevent.add("summary", event.title)
    vevent.add("dtstart", _local(event.start))
    vevent.add("dtend", _local(event.end))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _local(event.recurrence_id))
    if event.rrule:
        vevent.add("rrule", vRecur.from_ical(event.rrule))
    for excluded in sorted(event.exdates):
        vevent.add("exdate", _local(excluded))
    _add_text(vevent, event)
    _add_people(vevent, event)
    return vevent


def _add_text(vevent: Event, event: MeetingEvent) -> None:
    description = event.description.strip()
    if event.url:
        join = f"참여 링크 / Join: {event.url}"
        description = f"{description}\n\n{join}" if description else join
        vevent.add("url", event.url)
    if description:
        vevent.add("description", description)
    location = event.location or event.url
    if location:
        vevent.add("location", location)
    vevent.add("transp", "TRANSPARENT" if event.status == "CANCELLED" else "OPAQUE")


def _add_people(vevent: Event, event: MeetingEvent) -> None:
    if event.organizer:
        vevent.add("organizer", cal_address(event.organizer))
    for attendee in event.attendees:
        address = cal_address(attendee)
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["CUTYPE"] = "INDIVIDUAL"
        vevent.add("attendee", address)


def cal_address(who: str) -> vCalAddress:
    """`@kim:gov.kr` → `matrix:u/kim:gov.kr`, `kim@gov.kr` → `mailto:`, a bare name →
    `invalid:nomail`; the CN parameter always carries what was given."""
    if who.startswith("@") and ":" in who:
        uri = f"matrix:u/{who[1:]}"
    elif who.lower().startswith("mailto:"):
        uri = who
    elif "@" in who and " " not in who:
        uri = f"mailto:{who}"
    else:
        uri = "invalid:nomail"
    address = vCalAddress(uri)
    address.params["CN"] = who.removeprefix("mailto:")
    return address


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SEOUL)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
