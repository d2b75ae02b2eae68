"""`!decision` / `!결정`: a working group's decisions, typed or taken from a message.

`!결정 추가 "내용"` records what is typed. `!결정` (or `!결정 추가` without text) sent as a
reply records the message replied to, with its author and a permalink: the decision stays
tied to where it was said.
"""

from __future__ import annotations

from typing import Any

from commands.context import Context
from commands.errors import Conflict, NotFound, UserInputError
from commands.framework import Arg, Command, Role
from commands.i18n import Text
from commands.records.shared import (
    LIST_LIMIT,
    audit,
    card,
    day_text,
    list_text,
    listing,
    people,
    place_of,
    record_text,
    time_text,
)
from commands.render import Notice, esc, permalink
from commands.when import parse_when
from storage.records import DecisionRecord, NewRecord

HELP = Text(
    "작업그룹의 결정: 추가, 목록 (메시지에 답장으로 !결정 하면 그 메시지를 결정으로 기록)",
    "Working-group decisions: add, list (reply to a message with !decision to record it).",
)


class _BareOrGroup(Command):
    """A group whose own handler runs when no subcommand follows (`!결정` as a reply)."""

    def resolve(self, tokens: list[str]) -> tuple[Command, list[str]]:
        return (self, tokens) if not tokens else super().resolve(tokens)


async def _from_reply(ctx: Context) -> DecisionRecord:
    """Record the message the command replies to, which must be archived in this room."""
    if ctx.reply_to is None:
        raise UserInputError(
            "결정 내용을 적거나, 결정할 메시지에 답장으로 보내세요.",
            "Give the decision's text, or send this as a reply to the message to record.",
        )
    message = await ctx.repos.archive.get(ctx.reply_to)
    if message is None or message.room_id != ctx.room_id or not message.body.strip():
        raise NotFound(
            "답장한 메시지가 보관되어 있지 않아 결정으로 기록할 수 없습니다."
            ' 내용을 직접 적어 주세요: !결정 추가 "내용"',
            "The message replied to is not in the archive, so it cannot be recorded."
            ' Type it instead: !decision add "TEXT"',
        )
    earlier = await ctx.repos.records.decision_from(message.event_id)
    if earlier is not None:
        raise Conflict(
            f"이 메시지는 이미 결정 {earlier.label}(으)로 기록되어 있습니다.",
            f"This message is already recorded as decision {earlier.label}.",
        )
    place = await place_of(ctx)
    new = NewRecord(place.prefix, ctx.room_id, message.body, ctx.sender, ctx.clock(), ctx.event_id)
    link = permalink(ctx.room_id, message.event_id)
    return await ctx.repos.records.add_decision(new, message.event_id, message.sender, link)


async def _record(ctx: Context, text: str | None) -> None:
    if text and text.strip():
        place = await place_of(ctx)
        new = NewRecord(place.prefix, ctx.room_id, record_text(ctx, text), ctx.sender, ctx.clock())
        record = await ctx.repos.records.add_decision(new)
    else:
        record = await _from_reply(ctx)
    source = f" from {record.source_event_id}" if record.source_event_id else ""
    await audit(ctx, "decision add", f"{record.label} {record.text!r}{source}")
    await ctx.reply(_card(ctx, record))


def _card(ctx: Context, record: DecisionRecord) -> Notice:
    rows = [(ctx.t("기록", "Recorded by"), *people(ctx, [record.author]))]
    if record.source_sender:
        said = (ctx.t("발언", "Said by"), *people(ctx, [record.source_sender]))
        rows.insert(0, said)
    if record.permalink:
        link = f'<a href="{esc(record.permalink)}">{esc(ctx.t("원문 보기", "view message"))}</a>'
        rows.append((ctx.t("원문", "Message"), record.permalink, link))
    body, html = card(ctx.t(f"결정 {record.label}", f"Decision {record.label}"), record.text, rows)
    return Notice(body, html)


async def _bare(ctx: Context) -> None:
    """메시지에 답장으로 보내면 그 메시지를 결정으로 기록합니다."""
    await _record(ctx, None)


decision = _BareOrGroup("decision", ("결정",), (), Role.MEMBER, HELP, _bare)


@decision.command(
    "add",
    aliases=("추가",),
    args=(Arg("text", rest=True, optional=True),),
    help_en="Record a decision (without text, as a reply: the message replied to).",
)
async def add(ctx: Context, text: str | None) -> None:
    """결정을 기록합니다 (내용 없이 답장으로 보내면 답장한 메시지를 기록)."""
    await _record(ctx, text)


def _line(ctx: Context, record: DecisionRecord) -> tuple[str, str]:
    day = day_text(ctx, record.created_at)
    who, who_pill = people(ctx, [record.source_sender or record.author])
    plain = f"{record.label} {day} {list_text(record.text)} — {who}"
    text = esc(list_text(record.text))
    if record.permalink:
        text = f'<a href="{esc(record.permalink)}">{text}</a>'
    html = f"<li><b>{esc(record.label)}</b> {esc(day)} {text} — {who_pill}</li>"
    return plain, html


@decision.command(
    "list",
    aliases=("목록",),
    args=(Arg("from", option=True, optional=True, words=("부터",), metavar="DATE"),),
    help_en="Decisions of this room, newest last; --from DATE for those since a day.",
)
async def list_decisions(ctx: Context, **options: Any) -> None:
    """이 방의 결정 목록을 봅니다 (--from 날짜: 그날부터)."""
    since = None
    if options.get("from"):
        tz = ctx.settings.timezone
        since = parse_when(options["from"], now=ctx.clock(), tz=tz, allow_past=True).at
    found = await ctx.repos.records.decisions([ctx.room_id], since)
    title = ctx.t(f"결정 ({len(found)})", f"Decisions ({len(found)})")
    if since is not None:
        title += ctx.t(f", {time_text(ctx, since)} 이후", f", since {time_text(ctx, since)}")
    if not found:
        await ctx.reply(Notice.plain(f"{title}: {ctx.t('없음', 'none')}"))
        return
    earlier = len(found) - LIST_LIMIT
    note = ctx.t(f"이전 {earlier}건: --from 으로 보세요", f"{earlier} earlier: use --from")
    lines = [_line(ctx, record) for record in found[-LIST_LIMIT:]]
    await ctx.reply(listing(title, lines, note if earlier > 0 else None))
