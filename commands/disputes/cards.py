"""How a dispute reads in chat: its card, its list line and the side-by-side positions the
committee gets. Names of people are plain names in bodies and pills in HTML."""

from __future__ import annotations

from commands.context import Context
from commands.disputes.parties import days_open
from commands.records import card, day_text, list_text, people, time_text
from commands.render import Notice, esc, permalink
from storage.disputes import RESOLVED, WITHDRAWN, DisputeRecord, Position

NO_POSITION = ("(입장 없음)", "(no position yet)")


def status_text(ctx: Context, record: DisputeRecord) -> str:
    if record.status == RESOLVED:
        return ctx.t("조정 완료", "resolved")
    if record.status == WITHDRAWN:
        return ctx.t("철회", "withdrawn")
    if record.escalated_at:
        return ctx.t("위원회 상정", "escalated")
    return ctx.t("진행 중", "open")


def _position_row(ctx: Context, ministry: str, position: Position | None) -> tuple[str, ...]:
    if position is None:
        missing = ctx.t(*NO_POSITION)
        return (ministry, missing, esc(missing))
    who, pill = people(ctx, [position.author])
    when = time_text(ctx, position.stated_at)
    return (
        ministry,
        f"{position.text} ({who}, {when})",
        f"{esc(position.text)} ({pill}, {esc(when)})",
    )


def _link(ctx: Context, room_id: str, event_id: str | None) -> tuple[str, str] | None:
    if not event_id:
        return None
    link = permalink(room_id, event_id)
    return link, f'<a href="{esc(link)}">{esc(ctx.t("원문 보기", "view message"))}</a>'


def dispute_card(ctx: Context, record: DisputeRecord, title: str, *, full: bool = False) -> Notice:
    """The card: parties, who raised it, each party's current position, status and outcome;
    `full` (for `show`) adds days open and the linked messages."""
    opener, opener_pill = people(ctx, [record.opener])
    when = time_text(ctx, record.created_at)
    rows = [
        (ctx.t("당사 부처", "Parties"), ", ".join(record.parties), esc(", ".join(record.parties))),
        (ctx.t("제기", "Raised"), f"{opener} · {when}", f"{opener_pill} · {esc(when)}"),
    ]
    for ministry in record.parties:
        name, plain, html = _position_row(ctx, ministry, record.position_of(ministry))
        rows.append((ctx.t(f"입장 · {name}", f"Position · {name}"), plain, html))
    status = status_text(ctx, record)
    rows.append((ctx.t("상태", "Status"), status, esc(status)))
    if full and record.is_open:
        days = days_open(record, ctx.clock(), ctx.settings.timezone)
        rows.append((ctx.t("경과", "Open for"), ctx.t(f"{days}일", f"{days} days"), str(days)))
    if record.outcome and record.status == RESOLVED:
        by = people(ctx, [record.closed_by or ""])[0]
        rows.append(
            (ctx.t("조정 결과", "Outcome"), f"{record.outcome} ({by})", esc(record.outcome))
        )
    if record.decision_label:
        label = record.decision_label
        rows.append((ctx.t("결정", "Decision"), label, esc(label)))
    if full:
        rows += _links(ctx, record)
    body, html = card(f"{title} {record.label}", record.text, rows)
    return Notice(body, html)


def _links(ctx: Context, record: DisputeRecord) -> list[tuple[str, str, str]]:
    rows = []
    raised = _link(ctx, record.room_id, record.event_id)
    if raised:
        rows.append((ctx.t("제기 메시지", "Raised at"), *raised))
    for position in record.history:
        said = _link(ctx, record.room_id, position.event_id)
        if said:
            rows.append((ctx.t(f"입장 메시지 · {position.ministry}", "Position message"), *said))
    if record.escalation_room_id:
        escalated = _link(ctx, record.escalation_room_id, record.escalation_event_id)
        if escalated:
            rows.append((ctx.t("위원회 상정", "Escalated"), *escalated))
    return rows


def side_by_side(ctx: Context, record: DisputeRecord) -> tuple[str, str]:
    """Every party's current position: one line each in the body, one column each in HTML."""
    cells = [_position_row(ctx, m, record.position_of(m)) for m in record.parties]
    plain = "\n".join(f"- {ministry}: {text}" for ministry, text, _ in cells)
    head = "".join(f"<th>{esc(ministry)}</th>" for ministry, _, _ in cells)
    body = "".join(f"<td>{html}</td>" for _, _, html in cells)
    return plain, f"<table><tr>{head}</tr><tr>{body}</tr></table>"


def line(ctx: Context, record: DisputeRecord) -> tuple[str, str]:
    """A list line: label, issue, parties, day raised, status, missing positions."""
    marks = [" ↔ ".join(record.parties), day_text(ctx, record.created_at)]
    marks.append(status_text(ctx, record))
    if record.is_open and record.missing:
        missing = ", ".join(record.missing)
        marks.append(ctx.t(f"입장 없음: {missing}", f"no position: {missing}"))
    tail = " · ".join(marks)
    plain = f"{record.label} {list_text(record.text)} — {tail}"
    html = f"<li><b>{esc(record.label)}</b> {esc(list_text(record.text))} — {esc(tail)}</li>"
    return plain, html
