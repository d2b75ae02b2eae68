"""The records export for people: Markdown (a readable report) and CSV (one table for a
spreadsheet). Times are shown in the deployment's time zone; the JSON export
(`commands.export.json_format`) is the complete, machine-readable one.

CSV is one long table, a row per record, meeting occurrence, digest and audit entry, with the
same columns for all (`kind` tells them apart); it starts with a byte-order mark so Excel opens
the Hangul correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from commands.export.data import RecordsExport
from commands.meetings import Savings

COLUMNS = (
    "kind",
    "ref",
    "room_id",
    "at",
    "by",
    "text",
    "status",
    "due",
    "people",
    "closed_at",
    "closed_by",
    "details",
)
Row = dict[str, str]
Local = Callable[[datetime | None], str]


def local_time(tz: str) -> Local:
    """`2026-11-27 10:00` in zone `tz`; empty for None."""
    zone = ZoneInfo(tz)
    return lambda moment: moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def figures(saved: Savings) -> str:
    return f"trips={saved.trips}; hours={saved.hours:g}; km={saved.km}; krw={saved.krw}"


def _row(kind: str, ref: str, room: str, at: str, by: str, text: str, **rest: str) -> Row:
    row = dict.fromkeys(COLUMNS, "")
    row.update(kind=kind, ref=ref, room_id=room, at=at, by=by, text=text, **rest)
    return row


def _records(export: RecordsExport, at: Local) -> Iterator[Row]:
    for d in export.decisions:
        source = f"source={d.source_event_id}; said_by={d.source_sender}"
        details = source if d.source_event_id else ""
        yield _row(
            "decision", d.label, d.room_id, at(d.created_at), d.author, d.text, details=details
        )
    for a in export.actions:
        yield _row(
            "action",
            a.label,
            a.room_id,
            at(a.created_at),
            a.author,
            a.text,
            status="done" if a.done else "open",
            due=a.due.isoformat() if a.due else "",
            people=" ".join(a.owners),
            closed_at=at(a.done_at),
            closed_by=a.done_by or "",
        )
    for b in export.blockers:
        yield _row(
            "blocker",
            b.label,
            b.room_id,
            at(b.created_at),
            b.opener,
            b.text,
            status="resolved" if b.resolved else "open",
            closed_at=at(b.resolved_at),
            closed_by=b.resolved_by or "",
            details=f"resolution={b.resolution or ''}; escalated={at(b.escalated_at)}",
        )
    yield from _disputes(export, at)


def _disputes(export: RecordsExport, at: Local) -> Iterator[Row]:
    """A row per disagreement, then one per position stated on it (its whole history)."""
    for d in export.disputes:
        details = (
            f"parties={' | '.join(d.parties)}; outcome={d.outcome or ''}; "
            f"decision={d.decision_label or ''}; escalated={at(d.escalated_at)}"
        )
        closed = {"closed_at": at(d.closed_at), "closed_by": d.closed_by or ""}
        yield _row(
            "dispute",
            d.label,
            d.room_id,
            at(d.created_at),
            d.opener,
            d.text,
            status=d.status,
            details=details,
            **closed,
        )
        for p in d.history:
            current = "yes" if p in d.positions else "no"
            yield _row(
                "dispute_position",
                d.label,
                d.room_id,
                at(p.stated_at),
                p.author,
                p.text,
                details=f"ministry={p.ministry}; current={current}",
            )


def _ledgers(export: RecordsExport, at: Local) -> Iterator[Row]:
    for m in export.meetings:
        for held in m.held:
            yield _row(
                "meeting",
                f"#{m.number}",
                m.room_id,
                at(held.start),
                m.organizer,
                m.title,
                status=m.status,
                people=" ".join(held.attendees),
                details=f"minutes={m.duration_minutes}; {figures(held.savings)}",
            )
    for g in export.digests:
        yield _row(
            "digest",
            g.kind,
            g.target,
            at(g.sent_at),
            "",
            g.day.isoformat(),
            status=g.outcome,
            details=f"slot={g.slot}; late={g.late}; event={g.event_id or ''}",
        )
    for e in export.audit:
        yield _row(
            "audit",
            str(e.id),
            e.room_id,
            at(e.at),
            e.user_id,
            e.arguments,
            status=e.outcome,
            details=f"command={e.command}; reference={e.reference or ''}",
        )


def to_csv(export: RecordsExport, tz: str) -> bytes:
    """The long table as UTF-8 CSV with a byte-order mark."""
    at = local_time(tz)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows([*_records(export, at), *_ledgers(export, at)])
    return out.getvalue().encode("utf-8-sig")


def cell(text: object) -> str:
    """Text made safe for a Markdown table cell: no pipes, newlines or raw HTML."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return value.replace(">", "&gt;").replace("\r", " ").replace("\n", "<br>")


def _table(title: str, head: tuple[str, ...], body: list[tuple[object, ...]]) -> list[str]:
    lines = [f"## {title} ({len(body)})", ""]
    if not body:
        return [*lines, "없음 (none)", ""]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("|" + "---|" * len(head))
    lines.extend("| " + " | ".join(cell(value) for value in row) + " |" for row in body)
    return [*lines, ""]


def to_markdown(export: RecordsExport, tz: str, rooms: Mapping[str, str] | None = None) -> bytes:
    """The report: a header (scope, period, rooms), then one table per kind of record."""
    at, names = local_time(tz), dict(rooms or {})

    def room(room_id: str) -> str:
        return names.get(room_id, room_id)

    lines = _markdown_header(export, tz, at, room)
    lines += _table(
        "결정 (Decisions)",
        ("번호", "일시", "방", "작성", "내용"),
        [
            (d.label, at(d.created_at), room(d.room_id), d.source_sender or d.author, d.text)
            for d in export.decisions
        ],
    )
    lines += _table(
        "할 일 (Actions)",
        ("번호", "상태", "담당", "기한", "내용", "완료"),
        [
            (
                a.label,
                "완료" if a.done else "진행",
                " ".join(a.owners),
                a.due or "",
                a.text,
                at(a.done_at),
            )
            for a in export.actions
        ],
    )
    lines += _table(
        "장애요인 (Blockers)",
        ("번호", "상태", "제기", "내용", "해결"),
        [
            (b.label, "해결" if b.resolved else "미해결", b.opener, b.text, b.resolution or "")
            for b in export.blockers
        ],
    )
    lines += _table(
        "부처 간 이견 (Disagreements)",
        ("번호", "상태", "당사 부처", "쟁점", "입장", "조정 결과"),
        [
            (
                d.label,
                d.status + (" (상정)" if d.escalated_at else ""),
                ", ".join(d.parties),
                d.text,
                "\n".join(f"{p.ministry}: {p.text}" for p in d.positions),
                d.outcome or "",
            )
            for d in export.disputes
        ],
    )
    return "\n".join([*lines, *_markdown_ledgers(export, at, room)]).encode("utf-8")


def _markdown_header(
    export: RecordsExport, tz: str, at: Local, room: Callable[[str], str]
) -> list[str]:
    period = f"{at(export.since) or '처음'} ~ {at(export.until) or '지금'}"
    return [
        f"# 기록 공개 자료 (Records export) · {cell(export.scope.name)}",
        "",
        f"- 기간 (period): {period} ({tz})",
        f"- 생성 (generated): {at(export.generated_at)}",
        *(f"- 방 (room): {cell(room(r))} — `{cell(r)}`" for r in export.scope.room_ids),
        "",
    ]


def _markdown_ledgers(export: RecordsExport, at: Local, room: Callable[[str], str]) -> list[str]:
    held = [(m, h) for m in export.meetings for h in m.held]
    total = export.savings
    lines = _table(
        "회의 (Meetings held)",
        ("회의", "일시", "방", "제목", "참석", "절감 출장"),
        [
            (
                f"#{m.number}",
                at(h.start),
                room(m.room_id),
                m.title,
                " ".join(h.attendees),
                h.savings.trips,
            )
            for m, h in held
        ],
    )
    lines += [
        f"출장 절감 합계 (trips avoided): 회의 {total.meetings}, 출장 {total.trips}회, "
        f"{total.hours:g}시간, {total.km:,} km, {total.krw:,}원",
        "",
    ]
    lines += _table(
        "발송된 요약 (Digests sent)",
        ("날짜", "종류", "대상", "결과"),
        [
            (g.day.isoformat(), g.kind, room(g.target), g.outcome + (" (지연)" if g.late else ""))
            for g in export.digests
        ],
    )
    lines += _table(
        "감사 기록 (Audit log)",
        ("일시", "사용자", "방", "명령", "내용", "결과"),
        [
            (at(e.at), e.user_id, room(e.room_id), e.command, e.arguments, e.outcome)
            for e in export.audit
        ],
    )
    return lines
