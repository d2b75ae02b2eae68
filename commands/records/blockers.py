"""`!blocker` / `!장애`: execution obstacles a working group raises, resolves or escalates.

Anyone in the room opens one; whoever opened it or a chair resolves it; a chair escalates it,
which posts it to the plan's committee room with a link back to where it was raised (the
dispatcher audits that chair command; the others are audited here).
"""

from __future__ import annotations

from commands.context import Context
from commands.errors import Conflict, NotFound, UserInputError
from commands.framework import Arg, Role, group
from commands.i18n import Text
from commands.plan import COMMITTEE_KEY
from commands.records.shared import (
    Place,
    RecordId,
    audit,
    card,
    day_text,
    ensure_here,
    list_text,
    list_view,
    people,
    place_of,
    record_id,
    record_text,
    reply_list,
    require,
    time_text,
)
from commands.render import Notice, esc, permalink
from storage.records import BlockerRecord, NewRecord

OPENER_ROLE = Text("제기한 사람", "whoever raised it")

blocker = group(
    "blocker",
    aliases=("장애",),
    help_ko="작업그룹의 장애 요인: 추가, 해결, 위원회 상정, 목록",
    help_en="Working-group blockers: add, resolve, escalate to the committee, list.",
)


def _card(ctx: Context, record: BlockerRecord, title: Text) -> Notice:
    when = time_text(ctx, record.created_at)
    opener, opener_pill = people(ctx, [record.opener])
    rows = [(ctx.t("제기", "Raised"), f"{opener} · {when}", f"{opener_pill} · {esc(when)}")]
    if record.resolved_at and record.resolution is not None:
        by = people(ctx, [record.resolved_by or ""])[0]
        resolved = f"{record.resolution} ({by}, {time_text(ctx, record.resolved_at)})"
        rows.append((ctx.t("해결", "Resolved"), resolved, esc(resolved)))
    if record.escalated_at:
        escalated = time_text(ctx, record.escalated_at)
        rows.append((ctx.t("위원회 상정", "Escalated"), escalated, esc(escalated)))
    body, html = card(f"{title.pick(ctx.lang)} {record.label}", record.text, rows)
    return Notice(body, html)


async def _here(ctx: Context, wanted: RecordId) -> tuple[BlockerRecord, Place]:
    record = await ctx.repos.records.blocker(wanted.prefix, wanted.number)
    place = await place_of(ctx)
    ensure_here(ctx, place, wanted, record.room_id if record else None)
    assert record is not None
    return record, place


@blocker.command(
    "add",
    aliases=("추가",),
    args=(Arg("text", rest=True),),
    help_en="Raise a blocker.",
)
async def add(ctx: Context, text: str) -> None:
    """장애 요인을 제기합니다."""
    if not text.strip():
        raise UserInputError("장애 내용을 적어 주세요.", "Give the text of the blocker.")
    text = record_text(ctx, text)
    place = await place_of(ctx)
    new = NewRecord(place.prefix, ctx.room_id, text, ctx.sender, ctx.clock(), ctx.event_id)
    record = await ctx.repos.records.add_blocker(new)
    await audit(ctx, "blocker add", f"{record.label} {record.text!r}")
    await ctx.reply(_card(ctx, record, Text("장애 제기", "Blocker raised")))


@blocker.command(
    "resolve",
    aliases=("해결",),
    args=(Arg("id", record_id), Arg("resolution", rest=True)),
    help_en="Resolve a blocker, saying how (whoever raised it or a chair).",
)
async def resolve(ctx: Context, id: RecordId, resolution: str) -> None:
    """장애를 해결 처리합니다: 어떻게 해결했는지 적습니다 (제기한 사람 또는 의장)."""
    resolution = record_text(ctx, resolution)
    record, _ = await _here(ctx, id)
    await require(ctx, ctx.sender == record.opener, "blocker resolve", record.label, OPENER_ROLE)
    done = await ctx.repos.records.resolve_blocker(record.id, resolution, ctx.sender, ctx.clock())
    if not done:
        raise Conflict(
            f"{record.label}은(는) 이미 해결되었습니다.", f"{record.label} is already resolved."
        )
    await audit(ctx, "blocker resolve", f"{record.label} {resolution.strip()!r}")
    updated = await ctx.repos.records.blocker(id.prefix, id.number)
    assert updated is not None
    await ctx.reply(_card(ctx, updated, Text("장애 해결", "Blocker resolved")))


async def _committee_room(ctx: Context) -> str:
    rooms = await ctx.repos.plan_rooms.all(ctx.plan.key) if ctx.plan else {}
    if COMMITTEE_KEY not in rooms:
        raise NotFound(
            "계획에 위원회 방이 없어 상정할 수 없습니다.",
            "The plan has no committee room to escalate to.",
        )
    return rooms[COMMITTEE_KEY].room_id


async def _escalation(ctx: Context, record: BlockerRecord, place: Place) -> Notice:
    """The committee's notice: the blocker, its WG, who raised it and a link back."""
    wg = place.wg_name(await ctx.repos.rooms.name_of(record.room_id) or record.room_id)
    link = permalink(record.room_id, record.event_id)
    chairs = ctx.plan.committee.wg.chairs if ctx.plan else ()
    title = ctx.t(f"장애 상정 {record.label}", f"Blocker escalated {record.label}")
    rows = [
        (ctx.t("작업그룹", "Working group"), wg, esc(wg)),
        (ctx.t("제기", "Raised by"), *people(ctx, [record.opener])),
        (ctx.t("상정", "Escalated by"), *people(ctx, [ctx.sender])),
        (ctx.t("원문", "Raised at"), link, f'<a href="{esc(link)}">{esc(link)}</a>'),
    ]
    if chairs:
        rows.append((ctx.t("위원회 의장", "Committee chairs"), *people(ctx, chairs)))
    body, html = card(title, record.text, rows)
    return Notice(body, html, mentions=tuple(chairs))


@blocker.command(
    "escalate",
    aliases=("상정",),
    args=(Arg("id", record_id),),
    role=Role.CHAIR,
    help_en="Post a blocker to the plan's committee room, linking back here (chairs).",
)
async def escalate(ctx: Context, id: RecordId) -> None:
    """장애를 계획의 위원회 방에 상정합니다 (의장)."""
    record, place = await _here(ctx, id)
    committee = await _committee_room(ctx)
    if record.resolved:
        raise Conflict(f"{record.label}은(는) 이미 해결되었습니다.", f"{record.label} is resolved.")
    if not await ctx.repos.records.claim_escalation(record.id, ctx.sender, ctx.clock()):
        raise Conflict(
            f"{record.label}은(는) 이미 위원회에 상정되었습니다.",
            f"{record.label} was already escalated.",
        )
    notice = await _escalation(ctx, record, place)
    try:
        event_id = await ctx.messenger.send_notice(committee, notice, None, None)
    except Exception:
        await ctx.repos.records.finish_escalation(record.id, None)
        raise
    await ctx.repos.records.finish_escalation(record.id, event_id)
    link = permalink(committee, event_id)
    text = ctx.t(f"{record.label}을(를) 위원회 방에 상정했습니다.", f"{record.label} escalated.")
    await ctx.reply(Notice(f"{text} {link}", f'<a href="{esc(link)}">{esc(text)}</a>'))


def _line(ctx: Context, record: BlockerRecord) -> tuple[str, str]:
    marks = [day_text(ctx, record.created_at)]
    if record.escalated_at:
        marks.append(ctx.t("상정됨", "escalated"))
    if record.resolved:
        resolution = list_text(record.resolution or "")
        marks.append(ctx.t(f"해결: {resolution}", f"resolved: {resolution}"))
    tail = " · ".join(marks)
    opener, opener_pill = people(ctx, [record.opener])
    plain = f"{record.label} {list_text(record.text)} — {opener} · {tail}"
    html = (
        f"<li><b>{esc(record.label)}</b> {esc(list_text(record.text))} — "
        f"{opener_pill} · {esc(tail)}</li>"
    )
    return plain, html


@blocker.command(
    "list",
    aliases=("목록",),
    args=(Arg("view", list_view, optional=True, default="open"),),
    help_en="Open blockers of this room; all for resolved ones too.",
)
async def list_blockers(ctx: Context, view: str) -> None:
    """이 방의 미해결 장애를 봅니다 (전체: 해결된 것도)."""
    everything = view == "all"
    found = await ctx.repos.records.blockers([ctx.room_id], include_resolved=everything)
    title = ctx.t("장애", "Blockers") if everything else ctx.t("미해결 장애", "Open blockers")
    title = f"{title} ({len(found)})"
    await reply_list(ctx, title, found, lambda record: _line(ctx, record))
