"""What `!action`, `!decision` and `!blocker` share: WG short ids, finding a record from a
room, who may change it, owners, audit entries and the pieces of their HTML cards.

Short ids are a WG prefix and a number: `A`…`H` are the core tasks 1…8 of the plan (a unit-task
room shares its core task's letter) and `R` is every room outside the plan. Numbers count up
per prefix across the three kinds, so `A-1` may be an action and `A-2` a decision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from commands.context import Context
from commands.errors import NotFound, PermissionDenied, UserInputError
from commands.framework import Arg
from commands.i18n import Text
from commands.plan import CoreTask
from commands.render import Notice, esc, shown, user_pill
from commands.roles import is_chair
from commands.when import format_when, parse_when
from storage.models import AuditEntry

OUTSIDE_PREFIX = "R"
_LETTERS = "ABCDEFGHIJKLMNOPQSTUVWXYZ"
_ID = re.compile(r"#?([A-Z]{1,3})-?(\d{1,9})")
_LOCALPART = re.compile(r"[a-z0-9._=/+-]+")
_SERVER = re.compile(r"[A-Za-z0-9.-]+(?::\d{1,5})?")


def wg_prefix(core_number: int) -> str:
    """The letters of core task `core_number`: A…Q, S…Z, then AA…; `R` is left out, since it
    marks the rooms outside the plan."""
    letters = ""
    while core_number > 0:
        core_number, rest = divmod(core_number - 1, len(_LETTERS))
        letters = _LETTERS[rest] + letters
    return letters


@dataclass(frozen=True)
class Spelled(Arg):
    """An argument whose usage is spelled out, where the generated one would not say enough
    (`[@OWNER…]`)."""

    shown: str = ""

    def usage(self, lang: str = "en") -> str:
        return self.shown


@dataclass(frozen=True)
class RecordId:
    """A short id as typed (`A-12`, `a12`, `#A-12` all read the same)."""

    prefix: str
    number: int

    @property
    def label(self) -> str:
        return f"{self.prefix}-{self.number}"


def record_id(raw: str) -> RecordId:
    """The converter for ID arguments."""
    found = _ID.fullmatch(unicodedata.normalize("NFKC", raw).strip().upper())
    if found is None:
        raise UserInputError(
            f"'{raw}'은(는) 기록 번호가 아닙니다. 예: A-12", f"'{raw}' is not an id like A-12."
        )
    return RecordId(found.group(1), int(found.group(2)))


@dataclass(frozen=True)
class Place:
    """The room a command runs in, as records see it: its prefix and its WG (if in the plan)."""

    prefix: str
    core: CoreTask | None

    def wg_name(self, fallback: str) -> str:
        return self.core.room_name() if self.core else fallback


async def place_of(ctx: Context) -> Place:
    """The WG of the room: the core task of the plan node it serves, else `R`."""
    record = await ctx.repos.plan_rooms.by_room(ctx.room_id)
    plan = ctx.plan
    if plan is None or record is None or record.plan_key != plan.key:
        return Place(OUTSIDE_PREFIX, None)
    core = plan.core_of(record.node_key)
    return Place(wg_prefix(core.number), core) if core else Place(OUTSIDE_PREFIX, None)


def ensure_here(ctx: Context, place: Place, wanted: RecordId, found_room: str | None) -> None:
    """NotFound unless the record exists and belongs to this room or to this room's WG (a WG
    room and its unit-task rooms share their records; rooms outside the plan do not)."""
    shared = place.prefix != OUTSIDE_PREFIX and wanted.prefix == place.prefix
    if found_room is None or not (found_room == ctx.room_id or shared):
        raise NotFound(
            f"이 작업그룹에 {wanted.label}이(가) 없습니다.",
            f"There is no {wanted.label} in this working group.",
        )


async def require(ctx: Context, allowed: bool, command: str, label: str, who: Text) -> None:
    """Go on if `allowed` or the sender is a chair (`commands.roles`); otherwise audit the
    refusal and say who else may (`who`, e.g. the action's owners)."""
    if allowed or await is_chair(ctx):
        return
    await audit(ctx, command, label, "denied")
    raise PermissionDenied(
        f"{label}은(는) {who.ko} 또는 의장(WG 의장)만 할 수 있습니다.",
        f"Only {who.en} or a chair may do this to {label}.",
    )


async def audit(ctx: Context, command: str, arguments: str, outcome: str = "ok") -> None:
    """One audit-log line for a change to a record, stamped by the context's clock like the
    record itself (an export's date range then finds both or neither)."""
    entry = AuditEntry(
        at=ctx.clock(),
        user_id=ctx.sender,
        room_id=ctx.room_id,
        command=command,
        arguments=arguments,
        outcome=outcome,
    )
    await ctx.repos.audit.record(entry)


def user_id(raw: str, sender: str) -> str:
    """`@kim:gov.kr` as given; `@kim` or `kim` on the sender's server."""
    name, _, server = raw.removeprefix("@").partition(":")
    server = server or sender.partition(":")[2]
    if not _LOCALPART.fullmatch(name) or not _SERVER.fullmatch(server):
        raise UserInputError(
            f"'{raw}'은(는) 사용자 ID가 아닙니다. 예: @kim:gov.kr 또는 kim"
            " (여러 단어로 된 내용은 따옴표로 묶으세요)",
            f"'{raw}' is not a user id, e.g. @kim:gov.kr or kim (quote text of several words).",
        )
    return f"@{name}:{server}"


def people(ctx: Context, users: Iterable[str]) -> tuple[str, str]:
    """(plain, HTML) naming people as the plan's directory does (박서준; the id for someone it
    does not list): the plain body shows the name, the HTML a pill with the same name, so
    the Matrix id is only in the pill's link."""
    names = ctx.names()
    users = tuple(users)
    plain = ", ".join(names.get(user, user) for user in users)
    return plain, ", ".join(user_pill(user, names.get(user)) for user in users)


def local_today(ctx: Context) -> date:
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def parse_day(ctx: Context, phrase: str) -> date:
    """The local day a phrase names (`내일`, `12월 3일`, `다음 주 금요일 3시` → its date); a
    past day is refused, as a due date there is a slip of the keyboard."""
    return parse_when(phrase, now=ctx.clock(), tz=ctx.settings.timezone).at.date()


def day_text(ctx: Context, day: date | datetime) -> str:
    """`2026-12-03 (목)`: a local date, or the local day of a moment."""
    zone = ZoneInfo(ctx.settings.timezone)
    moment = day if isinstance(day, datetime) else datetime.combine(day, time(0), tzinfo=zone)
    return format_when(moment, ctx.lang, tz=ctx.settings.timezone, with_time=False)


def time_text(ctx: Context, moment: datetime) -> str:
    return format_when(moment, ctx.lang, tz=ctx.settings.timezone)


def card(title: str, text: str, rows: list[tuple[str, str, str]]) -> tuple[str, str]:
    """A record card: a bold title, the user's text, then `label: value` rows given as
    (label, plain value, HTML value). Returns (plain body, HTML)."""
    plain = [f"{title}: {text}", *(f"{label}: {value}" for label, value, _ in rows)]
    rich = [f"<b>{esc(title)}</b>: {esc(text)}"]
    rich += [f"{esc(label)}: {html}" for label, _, html in rows]
    return "\n".join(plain), "<p>" + "<br>".join(rich) + "</p>"


LIST_LIMIT = 30
"""Records a list reply shows; the rest are counted ("+N more")."""
LIST_TEXT_LIMIT = 200
"""A record's text in a list line; the card, `show` and the export keep all of it."""


def list_text(text: str) -> str:
    """A record's text as a list shows it: one long item cannot break the list."""
    return shown(text, LIST_TEXT_LIMIT)


def record_text(ctx: Context, text: str) -> str:
    """The text of a new record, within RECORD_MAX_CHARS (else a clear error, nothing kept)."""
    text = text.strip()
    limit = ctx.settings.record_max_chars
    if len(text) > limit:
        raise UserInputError(
            f"내용이 너무 깁니다 ({len(text):,}자). {limit:,}자 이내로 줄여 주세요.",
            f"The text is too long ({len(text):,} characters). Keep it under {limit:,}.",
        )
    return text


def list_view(raw: str) -> str:
    """The `view` of a list command: "open" (the default) or "all" (closed ones too)."""
    if raw.lower() in ("open", "진행"):
        return "open"
    if raw.lower() not in ("all", "전체"):
        raise UserInputError(
            f"'{shown(raw, 40)}' 대신 open(진행) 또는 all(전체)을 쓰세요.",
            f"Use open or all instead of '{shown(raw, 40)}'.",
        )
    return "all"


async def reply_list(
    ctx: Context, title: str, records: Sequence[Any], line: Callable[[Any], tuple[str, str]]
) -> None:
    """Answer with a list: `title`, the first `LIST_LIMIT` records as lines and "+N more",
    or "none" when there are none."""
    if not records:
        await ctx.reply(Notice.plain(f"{title}: {ctx.t('없음', 'none')}"))
        return
    more = len(records) - LIST_LIMIT
    note = ctx.t(f"외 {more}건", f"+{more} more") if more > 0 else None
    await ctx.reply(listing(title, [line(record) for record in records[:LIST_LIMIT]], note))


def listing(title: str, lines: list[tuple[str, str]], note: str | None = None) -> Notice:
    """A titled list of (plain, `<li>` HTML) lines, with an optional note ("+3 more")."""
    plain = [title, *(line for line, _ in lines)]
    html = f"<p><b>{esc(title)}</b></p><ul>{''.join(item for _, item in lines)}</ul>"
    if note:
        plain.append(note)
        html += f"<p>{esc(note)}</p>"
    return Notice("\n".join(plain), html)
