"""Calendar files: parsed back with icalendar, checked for what Outlook and Google rely on."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from icalendar import Calendar, Event

from commands.meetings.ics import MeetingEvent, cal_address, calendar_bytes, event_uid
from commands.meetings.recurrence import occurrences, rrule_for

SEOUL = ZoneInfo("Asia/Seoul")
JOIN = "https://meet.example.go.kr/Sotong-ABCDEFGHIJKLMNOPQRSTUVWX"
START = datetime(2027, 1, 26, 14, tzinfo=SEOUL)


def series() -> MeetingEvent:
    cancelled = {datetime(2027, 3, 9, 14, tzinfo=SEOUL)}
    schedule = occurrences(
        START, timedelta(hours=1), "격주", date(2027, 3, 31), cancelled=cancelled
    )
    return MeetingEvent(
        uid=event_uid("!room:gov.kr", "m7", "gov.kr"),
        sequence=3,
        title="정부 3.0 협업 과제 점검 회의 — 다음 분기 계획 수립과 부처 간 역할 분담 논의",
        description="안건: 1. 진행 상황\n2. 기타",
        start=START,
        end=START + timedelta(hours=1),
        rrule=rrule_for("격주", date(2027, 3, 31)),
        exdates=schedule.exdates,
        url=JOIN,
        organizer="@chair:gov.kr",
        attendees=["@kim:mois.go.kr", "lee@moef.go.kr", "박 주무관"],
        created=datetime(2026, 12, 1, 9, tzinfo=SEOUL),
        last_modified=datetime(2026, 12, 2, 9, tzinfo=SEOUL),
    )


def parse(raw: bytes) -> tuple[Calendar, list[Event]]:
    calendar = Calendar.from_ical(raw)
    return calendar, list(calendar.walk("VEVENT"))


def exdates_of(event: Event) -> list[datetime]:
    """EXDATE values however many lines carry them (icalendar gives one or a list)."""
    found = event.get("EXDATE", [])
    lines = found if isinstance(found, list) else [found]
    return [value.dt for line in lines for value in line.dts]


def test_calendar_header_and_timezone() -> None:
    calendar, _ = parse(calendar_bytes([series()], "소통 회의"))
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//Sotong//")
    assert str(calendar["X-WR-CALNAME"]) == "소통 회의"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Seoul"
    zones = list(calendar.walk("VTIMEZONE"))
    assert [str(zone["TZID"]) for zone in zones] == ["Asia/Seoul"]
    standard = zones[0].walk("STANDARD")[0]
    assert standard["TZOFFSETTO"].td == timedelta(hours=9)
    assert not zones[0].walk("DAYLIGHT")


def test_times_are_in_seoul_with_tzid() -> None:
    raw = calendar_bytes([series()], "소통 회의")
    _, (event,) = parse(raw)
    assert event["DTSTART"].params["TZID"] == "Asia/Seoul"
    assert event["DTEND"].params["TZID"] == "Asia/Seoul"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTSTART").utcoffset() == timedelta(hours=9)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert b"DTSTART;TZID=Asia/Seoul:20270126T140000\r\n" in raw


def test_recurrence_and_holiday_exdates() -> None:
    raw = calendar_bytes([series()], "소통 회의")
    _, (event,) = parse(raw)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [2]
    assert rule["UNTIL"] == [datetime(2027, 3, 31, 14, 59, 59, tzinfo=UTC)]
    exdates = exdates_of(event)
    assert exdates == [
        datetime(2027, 2, 9, 14, tzinfo=SEOUL),
        datetime(2027, 3, 9, 14, tzinfo=SEOUL),
    ]
    assert b"EXDATE;TZID=Asia/Seoul:20270209T140000\r\n" in raw
    assert b"EXDATE;TZID=Asia/Seoul:20270309T140000\r\n" in raw
    expanded = rrulestr(rule.to_ical().decode(), dtstart=event.decoded("DTSTART"))
    meets = [d for d in expanded if d not in exdates]
    assert datetime(2027, 2, 9, 14, tzinfo=SEOUL) not in meets
    assert meets == [START + timedelta(weeks=n) for n in (0, 4, 8)]


def test_uid_sequence_status_and_stamps() -> None:
    _, (event,) = parse(calendar_bytes([series()], "x"))
    assert str(event["UID"]) == event_uid("!room:gov.kr", "m7", "gov.kr")
    assert "!room" not in str(event["UID"])
    assert event["SEQUENCE"] == 3
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTAMP") == datetime(2026, 12, 2, 0, tzinfo=UTC)
    assert event.decoded("LAST-MODIFIED").tzinfo is not None
    assert event.decoded("CREATED") == datetime(2026, 12, 1, 0, tzinfo=UTC)


def test_cancelled_update_keeps_uid_and_bumps_sequence() -> None:
    first = series()
    cancelled = replace(first, sequence=first.sequence + 1, status="CANCELLED")
    _, (event,) = parse(calendar_bytes([cancelled], "x"))
    assert str(event["UID"]) == first.uid
    assert event["SEQUENCE"] == 4
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["TRANSP"]) == "TRANSPARENT"


def test_description_url_and_people() -> None:
    _, (event,) = parse(calendar_bytes([series()], "x"))
    description = str(event["DESCRIPTION"])
    assert description.startswith("안건: 1. 진행 상황\n2. 기타")
    assert JOIN in description
    assert str(event["URL"]) == JOIN
    assert str(event["ORGANIZER"]) == "matrix:u/chair:gov.kr"
    attendees = {str(a): a.params["CN"] for a in event["ATTENDEE"]}
    assert attendees == {
        "matrix:u/kim:mois.go.kr": "@kim:mois.go.kr",
        "mailto:lee@moef.go.kr": "lee@moef.go.kr",
        "invalid:nomail": "박 주무관",
    }


def test_moved_occurrence_carries_recurrence_id() -> None:
    moved = replace(
        series(),
        rrule=None,
        exdates=[],
        start=datetime(2027, 2, 24, 10, tzinfo=SEOUL),
        end=datetime(2027, 2, 24, 11, tzinfo=SEOUL),
        recurrence_id=datetime(2027, 2, 23, 14, tzinfo=SEOUL),
    )
    _, events = parse(calendar_bytes([series(), moved], "x"))
    assert [str(e["UID"]) for e in events] == [series().uid] * 2
    assert events[1]["RECURRENCE-ID"].params["TZID"] == "Asia/Seoul"
    assert events[1].decoded("RECURRENCE-ID") == datetime(2027, 2, 23, 14, tzinfo=SEOUL)


def test_wire_format_crlf_folding_and_dtstamp() -> None:
    raw = calendar_bytes([series(), replace(series(), uid="b@gov.kr")], "소통 회의")
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    for line in lines:
        line.decode("utf-8")
    events = raw.split(b"BEGIN:VEVENT")[1:]
    assert len(events) == 2 and all(b"\r\nDTSTAMP:" in chunk for chunk in events)


def test_a_utc_start_is_written_in_seoul_time() -> None:
    event = replace(series(), start=START.astimezone(UTC), end=START.astimezone(UTC) + timedelta(1))
    assert b"DTSTART;TZID=Asia/Seoul:20270126T140000\r\n" in calendar_bytes([event], "x")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2027, 1, 26, 14)}, "aware"),
        ({"end": START}, "end after"),
        ({"status": "DONE"}, "status"),
    ],
)
def test_invalid_events_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(series(), **change)  # type: ignore[arg-type]


def test_cal_address_forms() -> None:
    assert str(cal_address("mailto:a@b.kr")) == "mailto:a@b.kr"
    assert cal_address("mailto:a@b.kr").params["CN"] == "a@b.kr"
    assert str(cal_address("@bot:gov.kr")) == "matrix:u/bot:gov.kr"
