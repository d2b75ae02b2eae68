"""Disagreements between ministries in the digests: the WG digest lists its open ones (parties,
days open, positions missing); the executive digest lists, across every core task, those
escalated to the committee and those open past DISPUTE_EXEC_DAYS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from commands.digests.items import head, overflow
from commands.digests.model import Dispute, ExecRow
from commands.digests.split import Section, item, section
from commands.i18n import Text
from commands.render import Notice, esc
from storage.disputes import DisputeRecord

T = Text
OPEN_DISPUTES = T("진행 중인 부처 간 이견", "Open disagreements between ministries")
EXEC_DISPUTES = T("위원회 상정·장기 미해결 이견", "Disagreements escalated or open long")
DAYS = T("{n}일째", "day {n}")
MISSING = T("입장 없음: {m}", "no position: {m}")
ESCALATED = T("⬆ 위원회 상정", "⬆ escalated")


def to_dispute(record: DisputeRecord, today: date, zone: tzinfo, long_days: int) -> Dispute:
    """The digest's view of a stored dispute; `long_open` once open `long_days` or more."""
    opened = record.created_at.astimezone(zone).date()
    return Dispute(
        record.label,
        record.text,
        record.parties,
        record.created_at,
        record.missing,
        record.escalated_at is not None,
        (today - opened).days >= long_days,
    )


def _meta(dispute: Dispute, end: datetime, lang: str) -> str:
    days = (end.date() - dispute.opened_at.astimezone(end.tzinfo).date()).days
    marks = [" ↔ ".join(dispute.parties), DAYS.pick(lang).format(n=max(days, 0) + 1)]
    if dispute.missing:
        marks.append(MISSING.pick(lang).format(m=", ".join(dispute.missing)))
    if dispute.escalated:
        marks.append(ESCALATED.pick(lang))
    return " · ".join(marks)


def _item(dispute: Dispute, end: datetime, lang: str, wg: str | None = None) -> Notice:
    meta = _meta(dispute, end, lang)
    where = f"{wg} " if wg else ""
    return item(
        f"{where}[{dispute.id_label}] {dispute.text} — {meta}",
        f"{esc(where)}<b>[{esc(dispute.id_label)}]</b> {esc(dispute.text)} — {esc(meta)}",
    )


def wg_disputes(
    disputes: Sequence[Dispute], end: datetime, lang: str, limit: int | None
) -> Section | None:
    """The WG digest's section, oldest first; None when there are none."""
    if not disputes:
        return None
    listed = sorted(disputes, key=lambda d: d.opened_at)
    items = [_item(d, end, lang) for d in head(listed, limit)]
    return section(OPEN_DISPUTES.pick(lang), [*items, *overflow(listed, limit, lang)])


def exec_disputes(rows: Sequence[ExecRow], end: datetime, lang: str) -> list[Section]:
    """The executive digest's section (empty list when nothing is escalated or open long)."""
    items = [
        _item(d, end, lang, f"[{row.name(lang)}]")
        for row in rows
        for d in sorted(row.disputes, key=lambda d: d.opened_at)
        if d.escalated or d.long_open
    ]
    return [section(EXEC_DISPUTES.pick(lang), items)] if items else []
