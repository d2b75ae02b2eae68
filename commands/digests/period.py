"""When digests go out and what time each one covers.

A digest is sent on each Korean working day at the digest time and covers the half-open span
from the previous working day's digest time up to today's, so consecutive periods tile time
with no gap or overlap: Monday's covers Friday 08:30 → Monday 08:30, and the first working day
after a holiday run covers the whole run.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from commands.digests.model import QUESTION_WAIT
from commands.when import holiday_name, is_working_day, previous_working_day

Period = tuple[datetime, datetime]

LATE_AFTER = timedelta(minutes=10)


def digest_at(day: date, digest_time: time, tz: tzinfo) -> datetime:
    """The aware moment of `day`'s digest in zone `tz`."""
    return datetime.combine(day, digest_time.replace(tzinfo=None), tzinfo=tz)


def digest_period(today: date, digest_time: time, tz: tzinfo) -> Period | None:
    """`[previous working day at digest_time, today at digest_time)`, or None when `today` is
    a weekend day or a KR public holiday (no digest that day)."""
    if not is_working_day(today):
        return None
    return digest_at(previous_working_day(today), digest_time, tz), digest_at(
        today, digest_time, tz
    )


def previous_digest_period(today: date, digest_time: time, tz: tzinfo) -> Period:
    """The period of the digest sent before today's (the executive digest's trend baseline)."""
    before = previous_working_day(today)
    return (
        digest_at(previous_working_day(before), digest_time, tz),
        digest_at(before, digest_time, tz),
    )


def message_window(period: Period) -> Period:
    """The span of archived messages a WG digest needs (see `DigestInput.messages`)."""
    return period[0] - QUESTION_WAIT, period[1]


def due_digest_days(
    last_sent: date | None, now: datetime, digest_time: time, tz: tzinfo
) -> list[date]:
    """The digest days to send now: today's, once today's digest time has passed, if today is
    a working day and it was not sent yet; otherwise none.

    Days missed during downtime are not sent late (a stale digest helps nobody, and today's
    period already starts at the previous working day's digest time); a day is never sent
    twice because `last_sent` only moves forward.
    """
    local = now.astimezone(tz)
    today = local.date()
    if not is_working_day(today) or local < digest_at(today, digest_time, tz):
        return []
    if last_sent is not None and last_sent >= today:
        return []
    return [today]


def is_late(day: date, now: datetime, digest_time: time, tz: tzinfo) -> bool:
    """Whether a digest sent `now` for `day` should be marked late (bot was down at the time)."""
    return now - digest_at(day, digest_time, tz) > LATE_AFTER


def days_off(period: Period) -> list[tuple[date, str | None]]:
    """The non-working days inside a period, with their holiday names (None for a weekend)."""
    start, end = period[0].date(), period[1].date()
    days = (start + timedelta(days=n) for n in range(1, (end - start).days))
    return [(day, holiday_name(day)) for day in days if not is_working_day(day)]
