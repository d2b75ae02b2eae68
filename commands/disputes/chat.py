"""`!dispute` / `!이견`: disagreements between ministries that a working group mediates.

Anyone in a WG room raises one between two or more ministries; a member of a party ministry
states (or updates) that ministry's position; a chair escalates it to the committee room with
every position side by side; a WG chair (or the committee chair, from the committee room, for
an escalated one) resolves it, which records the outcome as a WG decision; whoever raised it
may withdraw it. Chair commands are audited by the dispatcher, the others here.
"""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.disputes.cards import dispute_card, line, side_by_side
from commands.disputes.parties import members_here, ministry_of, parse_parties
from commands.errors import Conflict, NotFound, PermissionDenied, UserInputError
from commands.framework import Arg, Role, group
from commands.plan import COMMITTEE_KEY
from commands.records import (
    RecordId,
    audit,
    card,
    ensure_here,
    list_view,
    people,
    place_of,
    record_id,
    record_text,
    reply_list,
)
from commands.render import Notice, esc, permalink
from storage.disputes import RESOLVED, WITHDRAWN, DisputeRecord, Position
from storage.records import NewRecord

dispute = group(
    "dispute",
    aliases=("이견",),
    help_ko="부처 간 이견: 제기, 입장, 목록, 보기, 위원회 상정, 조정, 철회",
    help_en="Disagreements between ministries: add, position, list, show, escalate, resolve.",
)


async def _find(ctx: Context, wanted: RecordId) -> DisputeRecord:
    """The dispute if it is this WG's, or (in the committee room) escalated here."""
    record = await ctx.repos.disputes.get(wanted.prefix, wanted.number)
    if record is not None and record.escalation_room_id == ctx.room_id:
        return record
    ensure_here(ctx, await place_of(ctx), wanted, record.room_id if record else None)
    assert record is not None
    return record


def _open(record: DisputeRecord) -> None:
    if not record.is_open:
        raise Conflict(
            f"{record.label}은(는) 이미 종결되었습니다.", f"{record.label} is already closed."
        )


async def _with_members(ctx: Context, notice: Notice, room_id: str, ministries: Any) -> Notice:
    """The notice with the party ministries' members in `room_id` mentioned."""
    members = await members_here(ctx.repos, ctx.plan, room_id, ministries)
    if not members:
        return notice
    plain, html = people(ctx, members)
    label = ctx.t("알림", "For")
    return Notice(
        f"{notice.body}\n{label}: {plain}", f"{notice.html}<p>{esc(label)}: {html}</p>", members
    )


@dispute.command(
    "add",
    aliases=("추가", "제기"),
    args=(
        Arg("text"),
        Arg("between", option=True, rest=True, words=("당사자",), metavar="MINISTRY…"),
    ),
    help_en='Raise a disagreement: !dispute add "ISSUE" --between MINISTRY MINISTRY….',
)
async def add(ctx: Context, text: str, between: str | None) -> None:
    """부처 간 이견을 제기합니다: !이견 추가 "쟁점" 당사자 부처 부처…"""
    if not text.strip():
        raise UserInputError("쟁점을 적어 주세요.", "Give the issue in dispute.")
    text = record_text(ctx, text)
    parties = parse_parties(ctx, between or "")
    place = await place_of(ctx)
    new = NewRecord(place.prefix, ctx.room_id, text, ctx.sender, ctx.clock(), ctx.event_id)
    record = await ctx.repos.disputes.add(new, parties)
    await audit(ctx, "dispute add", f"{record.label} {record.text!r} {' | '.join(parties)}")
    notice = dispute_card(ctx, record, ctx.t("이견 제기", "Disagreement raised"))
    await ctx.reply(await _with_members(ctx, notice, ctx.room_id, parties))


@dispute.command(
    "position",
    aliases=("입장",),
    args=(Arg("id", record_id), Arg("text", rest=True)),
    help_en="State (or update) your ministry's position (members of a party ministry).",
)
async def position(ctx: Context, id: RecordId, text: str) -> None:
    """소속 부처의 입장을 밝힙니다 (당사 부처 구성원)."""
    text = record_text(ctx, text)
    if not text:
        raise UserInputError("입장을 적어 주세요.", "Give the position.")
    record = await _find(ctx, id)
    _open(record)
    ministry = ministry_of(ctx, ctx.sender)
    if ministry not in record.parties:
        await audit(ctx, "dispute position", record.label, "denied")
        raise PermissionDenied(
            f"{record.label}의 입장은 당사 부처({', '.join(record.parties)}) 구성원만 밝힐 수"
            " 있습니다.",
            f"Only members of the parties ({', '.join(record.parties)}) may state a position"
            f" on {record.label}.",
        )
    stated = Position(ministry, text, ctx.sender, ctx.clock(), ctx.event_id)
    if not await ctx.repos.disputes.state_position(record.id, stated):
        _open(await _find(ctx, id))
    await audit(ctx, "dispute position", f"{record.label} {ministry} {text!r}")
    updated = await _find(ctx, id)
    await ctx.reply(dispute_card(ctx, updated, ctx.t("입장 기록", "Position recorded")))


@dispute.command(
    "list",
    aliases=("목록",),
    args=(Arg("view", list_view, optional=True, default="open"),),
    help_en="Open disagreements of this room; all for closed ones too.",
)
async def list_disputes(ctx: Context, view: str) -> None:
    """이 방의 진행 중인 이견을 봅니다 (전체: 종결된 것도)."""
    everything = view == "all"
    found = await ctx.repos.disputes.disputes([ctx.room_id], include_closed=everything)
    title = ctx.t("이견", "Disagreements") if everything else ctx.t("진행 중인 이견", "Open")
    title = f"{title} ({len(found)})"
    await reply_list(ctx, title, found, lambda record: line(ctx, record))


@dispute.command(
    "show",
    aliases=("보기",),
    args=(Arg("id", record_id),),
    help_en="A disagreement in full: parties, positions, days open, linked messages.",
)
async def show(ctx: Context, id: RecordId) -> None:
    """이견 하나를 자세히 봅니다: 당사 부처, 입장, 경과 일수, 관련 메시지."""
    record = await _find(ctx, id)
    await ctx.reply(dispute_card(ctx, record, ctx.t("이견", "Disagreement"), full=True))


async def _committee_room(ctx: Context) -> str:
    rooms = await ctx.repos.plan_rooms.all(ctx.plan.key) if ctx.plan else {}
    if COMMITTEE_KEY not in rooms:
        raise NotFound(
            "계획에 위원회 방이 없어 상정할 수 없습니다.",
            "The plan has no committee room to escalate to.",
        )
    return rooms[COMMITTEE_KEY].room_id


async def _escalation(ctx: Context, record: DisputeRecord) -> Notice:
    """The committee's notice: the issue, its WG, a link back and the positions side by side."""
    place = await place_of(ctx)
    wg = place.wg_name(await ctx.repos.rooms.name_of(record.room_id) or record.room_id)
    title = ctx.t(f"이견 상정 {record.label}", f"Disagreement escalated {record.label}")
    rows = [
        (ctx.t("작업그룹", "Working group"), wg, esc(wg)),
        (ctx.t("당사 부처", "Parties"), ", ".join(record.parties), esc(", ".join(record.parties))),
        (ctx.t("상정", "Escalated by"), *people(ctx, [ctx.sender])),
    ]
    if record.event_id:
        link = permalink(record.room_id, record.event_id)
        rows.append((ctx.t("원문", "Raised at"), link, f'<a href="{esc(link)}">{esc(link)}</a>'))
    body, html = card(title, record.text, rows)
    plain, table = side_by_side(ctx, record)
    heading = ctx.t("각 부처 입장", "Positions")
    chairs = ctx.plan.committee.wg.chairs if ctx.plan else ()
    return Notice(
        f"{body}\n{heading}:\n{plain}", f"{html}<p><b>{esc(heading)}</b></p>{table}", tuple(chairs)
    )


@dispute.command(
    "escalate",
    aliases=("상정",),
    args=(Arg("id", record_id),),
    role=Role.CHAIR,
    help_en="Post a disagreement with every position to the committee room (chairs).",
)
async def escalate(ctx: Context, id: RecordId) -> None:
    """이견을 각 부처 입장과 함께 위원회 방에 상정합니다 (의장)."""
    record = await _find(ctx, id)
    _open(record)
    committee = await _committee_room(ctx)
    if not await ctx.repos.disputes.claim_escalation(record.id, ctx.sender, ctx.clock(), committee):
        raise Conflict(
            f"{record.label}은(는) 이미 위원회에 상정되었습니다.",
            f"{record.label} was already escalated.",
        )
    try:
        event_id = await ctx.messenger.send_notice(
            committee, await _escalation(ctx, record), None, None
        )
    except Exception:
        await ctx.repos.disputes.finish_escalation(record.id, None)
        raise
    await ctx.repos.disputes.finish_escalation(record.id, event_id)
    link = permalink(committee, event_id)
    text = ctx.t(f"{record.label}을(를) 위원회 방에 상정했습니다.", f"{record.label} escalated.")
    await ctx.reply(Notice(f"{text} {link}", f'<a href="{esc(link)}">{esc(text)}</a>'))


@dispute.command(
    "resolve",
    aliases=("조정", "해결"),
    args=(Arg("id", record_id), Arg("outcome", rest=True)),
    role=Role.CHAIR,
    help_en="Record the outcome as a WG decision and close it (WG chair; committee chair"
    " from the committee room for an escalated one).",
)
async def resolve(ctx: Context, id: RecordId, outcome: str) -> None:
    """조정 결과를 작업그룹의 결정으로 기록하고 종결합니다 (WG 의장, 상정된 것은 위원회 의장)."""
    outcome = record_text(ctx, outcome)
    if not outcome:
        raise UserInputError("조정 결과를 적어 주세요.", "Give the outcome.")
    record = await _find(ctx, id)
    _open(record)
    if not await ctx.repos.disputes.close(record.id, RESOLVED, outcome, ctx.sender, ctx.clock()):
        _open(await _find(ctx, id))
    decision_text = ctx.t(f"이견 {record.label} 조정: {outcome}", f"{record.label}: {outcome}")
    prefix = record.label.rsplit("-", 1)[0]
    said_here = ctx.event_id if record.room_id == ctx.room_id else None
    new = NewRecord(prefix, record.room_id, decision_text, ctx.sender, ctx.clock(), said_here)
    link = permalink(record.room_id, record.event_id) if record.event_id else None
    decision = await ctx.repos.records.add_decision(new, permalink=link)
    await ctx.repos.disputes.set_decision(record.id, decision.label)
    closed = await _find(ctx, id)
    notice = dispute_card(ctx, closed, ctx.t("이견 조정", "Disagreement resolved"))
    notice = await _with_members(ctx, notice, record.room_id, record.parties)
    if record.room_id != ctx.room_id:
        await ctx.messenger.send_notice(record.room_id, notice, None, None)
    await ctx.reply(notice)


@dispute.command(
    "withdraw",
    aliases=("철회",),
    args=(Arg("id", record_id),),
    help_en="Withdraw a disagreement (whoever raised it).",
)
async def withdraw(ctx: Context, id: RecordId) -> None:
    """이견을 철회합니다 (제기한 사람)."""
    record = await _find(ctx, id)
    _open(record)
    if ctx.sender != record.opener:
        await audit(ctx, "dispute withdraw", record.label, "denied")
        raise PermissionDenied(
            f"{record.label}은(는) 제기한 사람만 철회할 수 있습니다.",
            f"Only whoever raised {record.label} may withdraw it.",
        )
    if not await ctx.repos.disputes.close(record.id, WITHDRAWN, None, ctx.sender, ctx.clock()):
        _open(await _find(ctx, id))
    await audit(ctx, "dispute withdraw", record.label)
    closed = await _find(ctx, id)
    await ctx.reply(dispute_card(ctx, closed, ctx.t("이견 철회", "Disagreement withdrawn")))
