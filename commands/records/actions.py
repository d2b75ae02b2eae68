"""`!action` / `!할일`: a working group's action items, with owners and due dates.

Anyone in the room adds; an action's owners (or, when it has none, whoever added it) or a
chair close it, hand it on or move its date. Every change goes to the audit log.
"""

from __future__ import annotations

from datetime import date

from commands.context import Context
from commands.errors import Conflict, UserInputError
from commands.framework import Arg, group
from commands.i18n import Text
from commands.records.shared import (
    RecordId,
    Spelled,
    audit,
    card,
    day_text,
    ensure_here,
    list_text,
    local_today,
    parse_day,
    people,
    place_of,
    record_id,
    record_text,
    reply_list,
    require,
    time_text,
    user_id,
)
from commands.render import Notice, esc
from storage.records import ActionRecord, NewRecord

DUE_WORDS = ("기한", "마감", "due")
"""`--due` is also `기한`, `마감` or `due` (see `Arg.words`)."""
VIEWS = {
    "open": "open", "진행": "open", "mine": "mine", "내": "mine", "내것": "mine",
    "overdue": "overdue", "지연": "overdue", "all": "all", "전체": "all",
}  # fmt: skip
OWNERS_ROLE = Text("담당자", "its owners")


def _view(raw: str) -> str:
    if raw.lower() not in VIEWS:
        raise UserInputError(
            f"'{raw}' 대신 mine(내것), overdue(지연), all(전체) 중 하나를 쓰세요.",
            f"Use mine, overdue or all instead of '{raw}'.",
        )
    return VIEWS[raw.lower()]


action = group(
    "action",
    aliases=("할일",),
    help_ko="작업그룹의 할 일: 추가, 목록, 완료, 담당자·기한 변경",
    help_en="Working-group actions: add, list, done, reassign, due.",
)


async def _owners(ctx: Context, words: list[str]) -> list[str]:
    """Owners as typed; a bare name (`kim`) must be someone this room or the plan knows, so
    unquoted text (`add write report`) is caught instead of becoming owners."""
    owners = []
    for word in words:
        owner = user_id(word, ctx.sender)
        known = word.startswith("@") or (ctx.plan is not None and ctx.plan.person(owner))
        if not known and await ctx.repos.rooms.member(ctx.room_id, owner) is None:
            raise UserInputError(
                f"'{word}'(이)라는 구성원이 이 방에 없습니다."
                " 내용이 여러 단어면 따옴표로 묶으세요.",
                f"Nobody called '{word}' is in this room. Quote text of several words.",
            )
        owners.append(owner)
    return owners


def _action_card(ctx: Context, record: ActionRecord, title: Text) -> Notice:
    rows = []
    if record.owners:
        plain_owners, html_owners = people(ctx, record.owners)
        rows.append((ctx.t("담당", "Owners"), plain_owners, html_owners))
    if record.due:
        due = day_text(ctx, record.due)
        rows.append((ctx.t("기한", "Due"), due, esc(due)))
    if record.done_at:
        done = f"{time_text(ctx, record.done_at)} · {people(ctx, [record.done_by or ''])[0]}"
        rows.append((ctx.t("완료", "Done"), done, esc(done)))
    body, html = card(f"{title.pick(ctx.lang)} {record.label}", record.text, rows)
    return Notice(body, html, mentions=record.owners)


async def _changeable(ctx: Context, wanted: RecordId, command: str) -> ActionRecord:
    """The action, if it is in this WG and the sender may change it."""
    record = await ctx.repos.records.action(wanted.prefix, wanted.number)
    ensure_here(ctx, await place_of(ctx), wanted, record.room_id if record else None)
    assert record is not None
    owners = record.owners or (record.author,)
    await require(ctx, ctx.sender in owners, command, record.label, OWNERS_ROLE)
    return record


async def _show_again(ctx: Context, wanted: RecordId, title: Text) -> None:
    """Reply with the action's card as it is now stored."""
    record = await ctx.repos.records.action(wanted.prefix, wanted.number)
    assert record is not None
    await ctx.reply(_action_card(ctx, record, title))


@action.command(
    "add",
    aliases=("추가",),
    args=(
        Arg("text"),
        Spelled("owners", rest=True, optional=True, shown="[@OWNER…]"),
        Arg("due", option=True, rest=True, optional=True, words=DUE_WORDS, metavar="WHEN"),
    ),
    help_en='Add an action: !action add "TEXT" @kim lee --due next Friday.',
)
async def add(ctx: Context, text: str, owners: str | None, due: str | None) -> None:
    """할 일을 추가합니다: !할일 추가 "내용" @kim lee 기한 다음 주 금요일."""
    if not text.strip():
        raise UserInputError("할 일 내용을 적어 주세요.", "Give the text of the action.")
    text = record_text(ctx, text)
    people = await _owners(ctx, (owners or "").split())
    day = parse_day(ctx, due) if due else None
    place = await place_of(ctx)
    new = NewRecord(place.prefix, ctx.room_id, text, ctx.sender, ctx.clock(), ctx.event_id)
    record = await ctx.repos.records.add_action(new, people, day)
    details = " ".join([*record.owners, *([f"due={record.due}"] if record.due else [])])
    await audit(ctx, "action add", f"{record.label} {record.text!r} {details}".strip())
    await ctx.reply(_action_card(ctx, record, Text("할 일 추가", "Action added")))


def _line(ctx: Context, record: ActionRecord, today: date) -> tuple[str, str]:
    extra: list[str] = []
    if record.due:
        late = not record.done and record.due < today
        extra.append(day_text(ctx, record.due) + (ctx.t(" (지연)", " (overdue)") if late else ""))
    if record.done:
        extra.append(ctx.t("완료", "done"))
    tail = f" · {' · '.join(extra)}" if extra else ""
    plain_owners, html_owners = people(ctx, record.owners)
    who = f" — {plain_owners}" if record.owners else ""
    html_who = f" — {html_owners}" if record.owners else ""
    text = list_text(record.text)
    plain = f"{record.label} {text}{who}{tail}"
    return plain, f"<li><b>{esc(record.label)}</b> {esc(text)}{html_who}{esc(tail)}</li>"


@action.command(
    "list",
    aliases=("목록",),
    args=(Arg("view", _view, optional=True, default="open"),),
    help_en="Open actions in this room; mine, overdue or all (done ones too).",
)
async def list_actions(ctx: Context, view: str) -> None:
    """이 방의 진행 중인 할 일을 봅니다: 내것(mine), 지연(overdue), 전체(all)."""
    today = local_today(ctx)
    found = await ctx.repos.records.actions(
        [ctx.room_id],
        include_done=view == "all",
        owner=ctx.sender if view == "mine" else None,
        due_before=today if view == "overdue" else None,
    )
    titles = {
        "open": Text("진행 중인 할 일", "Open actions"),
        "mine": Text("내 할 일", "My actions"),
        "overdue": Text("기한이 지난 할 일", "Overdue actions"),
        "all": Text("모든 할 일", "All actions"),
    }
    title = f"{titles[view].pick(ctx.lang)} ({len(found)})"
    await reply_list(ctx, title, found, lambda record: _line(ctx, record, today))


@action.command(
    "done",
    aliases=("완료",),
    args=(Arg("id", record_id),),
    help_en="Mark an action done (its owners or a chair).",
)
async def done(ctx: Context, id: RecordId) -> None:
    """할 일을 완료로 표시합니다 (담당자 또는 의장)."""
    record = await _changeable(ctx, id, "action done")
    if not await ctx.repos.records.complete_action(record.id, ctx.sender, ctx.clock()):
        raise Conflict(
            f"{record.label}은(는) 이미 완료되었습니다.", f"{record.label} is already done."
        )
    await audit(ctx, "action done", record.label)
    await _show_again(ctx, id, Text("할 일 완료", "Action done"))


@action.command(
    "reassign",
    aliases=("담당",),
    args=(Arg("id", record_id), Arg("owners", rest=True)),
    help_en="Give an action to other owners (its owners or a chair).",
)
async def reassign(ctx: Context, id: RecordId, owners: str) -> None:
    """할 일의 담당자를 바꿉니다 (담당자 또는 의장)."""
    record = await _changeable(ctx, id, "action reassign")
    new_owners = await _owners(ctx, owners.split())
    await ctx.repos.records.set_owners(record.id, new_owners)
    await audit(ctx, "action reassign", f"{record.label} {' '.join(sorted(set(new_owners)))}")
    await _show_again(ctx, id, Text("담당자 변경", "Action reassigned"))


@action.command(
    "due",
    aliases=("기한",),
    args=(Arg("id", record_id), Arg("when", rest=True)),
    help_en="Set an action's due date (its owners or a chair).",
)
async def due(ctx: Context, id: RecordId, when: str) -> None:
    """할 일의 기한을 바꿉니다 (담당자 또는 의장)."""
    record = await _changeable(ctx, id, "action due")
    day = parse_day(ctx, when)
    await ctx.repos.records.set_due(record.id, day)
    await audit(ctx, "action due", f"{record.label} {day.isoformat()}")
    await _show_again(ctx, id, Text("기한 변경", "Due date changed"))
