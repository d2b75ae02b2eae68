"""What the digest builders read: plain frozen records, filled from storage by the caller.

The builders never query anything, so a digest is a pure function of a `DigestInput` and can be
tested on fixed data and benchmarked without a database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from storage.archive import ArchivedMessage

QuietMode = Literal["line", "none"]

QUESTION_WAIT = timedelta(hours=24)
"""A question is unanswered once this long has passed without an answer from someone else."""


@dataclass(frozen=True)
class Decision:
    """A recorded decision; `permalink` points at the message it was taken from, if any."""

    id_label: str
    text: str
    author: str
    decided_at: datetime
    permalink: str | None = None


@dataclass(frozen=True)
class Action:
    """An action item. `room_id` is only needed by the personal digest (which spans rooms);
    `done_at` tells the digests what was done in their period (their progress)."""

    id_label: str
    text: str
    owners: tuple[str, ...]
    due: date | None
    done: bool
    created_at: datetime
    room_id: str = ""
    done_at: datetime | None = None


@dataclass(frozen=True)
class Blocker:
    """An open execution obstacle; `escalated` once it was posted to the committee room."""

    id_label: str
    text: str
    opened_at: datetime
    escalated: bool = False


@dataclass(frozen=True)
class Dispute:
    """An open disagreement between ministries: its parties, those still without a position,
    whether it went to the committee and whether it is open past DISPUTE_EXEC_DAYS."""

    id_label: str
    text: str
    parties: tuple[str, ...]
    opened_at: datetime
    missing: tuple[str, ...] = ()
    escalated: bool = False
    long_open: bool = False


@dataclass(frozen=True)
class MeetingToday:
    """A meeting starting today, with its RSVP counts (✅ yes, ❌ no, ❔ maybe)."""

    title: str
    start: datetime
    end: datetime
    join_url: str | None
    yes: int = 0
    no: int = 0
    maybe: int = 0
    room_id: str = ""


@dataclass(frozen=True)
class WgInfo:
    """A working group: its room, and each member's ministry (user id → ministry name).
    `display_names` (user id → name) is optional; ids are shown where it has no entry."""

    key: str
    name_ko: str
    name_en: str
    room_id: str
    ministry_of: Mapping[str, str]
    display_names: Mapping[str, str] = field(default_factory=dict)

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ko

    def person(self, user_id: str) -> str:
        return self.display_names.get(user_id) or user_id


@dataclass(frozen=True)
class DigestInput:
    """Everything one WG digest needs.

    `messages` must cover `[period_start - QUESTION_WAIT, period_end)`: activity counts only
    the period, but a question is reported in the digest whose period contains its 24-hour
    deadline, so questions from the day before the period (and their roots) are needed too.
    `actions` are the WG's open actions plus those created or done during the period.
    """

    wg: WgInfo
    period_start: datetime
    period_end: datetime
    today: date
    messages: Sequence[ArchivedMessage]
    decisions_new: Sequence[Decision] = ()
    actions: Sequence[Action] = ()
    blockers_open: Sequence[Blocker] = ()
    meetings_today: Sequence[MeetingToday] = ()
    quiet_mode: QuietMode = "line"
    disputes_open: Sequence[Dispute] = ()

    def in_period(self, moment: datetime) -> bool:
        return self.period_start <= moment < self.period_end


@dataclass(frozen=True)
class DigestLimits:
    """How many items each WG digest section lists before "외 N건"; None lists them all."""

    threads: int | None = 5
    people_per_ministry: int | None = 10
    questions: int | None = 20
    actions: int | None = 30
    blockers: int | None = 30
    decisions: int | None = 30


UNLIMITED = DigestLimits(None, None, None, None, None, None)


@dataclass(frozen=True)
class ExecRow:
    """One core task in the executive digest. `cross_ministry` counts this period's messages
    that are cross-ministry (see `commands.digests.analysis.cross_ministry_count`);
    `done_actions` the actions done in the period."""

    key: str
    name_ko: str
    name_en: str
    room_id: str
    messages: int
    messages_prev: int
    cross_ministry: int
    overdue_actions: int
    open_blockers: int
    done_actions: int = 0
    disputes: tuple[Dispute, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_ko
