"""Read-only queries over the ledgers for the records export and `/metrics`: the audit log and
the sent-digest ledger by time range, and outcome counts of reminders and digests.

These read whole ranges (an export is complete, not a page), in id or key order so the same
database always gives the same export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select

from storage.db import Database
from storage.digests import SentDigest
from storage.models import AuditEntry, DigestSent, MeetingNotice


@dataclass(frozen=True)
class AuditRecord:
    """One audit-log entry as exported."""

    id: int
    at: datetime
    user_id: str
    room_id: str
    command: str
    arguments: str
    outcome: str
    reference: str | None


class ReportQueries:
    """Range reads for exports and outcome counts for metrics."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def audit(
        self,
        room_ids: Sequence[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[AuditRecord]:
        """Audit entries of these rooms (all if None) in `[since, until)`, oldest first."""
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if room_ids is not None:
            statement = statement.where(AuditEntry.room_id.in_(list(room_ids)))
        if since is not None:
            statement = statement.where(AuditEntry.at >= since.astimezone(UTC))
        if until is not None:
            statement = statement.where(AuditEntry.at < until.astimezone(UTC))
        async with self.db.session() as session:
            rows = (await session.execute(statement)).scalars()
            return [
                AuditRecord(
                    r.id or 0,
                    r.at,
                    r.user_id,
                    r.room_id,
                    r.command,
                    r.arguments,
                    r.outcome,
                    r.reference,
                )
                for r in rows
            ]

    async def digests(
        self,
        targets: Sequence[str] | None = None,
        since: date | None = None,
        until: date | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[SentDigest]:
        """Ledger rows for these targets and kinds (all if None), days in `[since, until]`,
        by day, kind and target."""
        statement = select(DigestSent).order_by(DigestSent.day, DigestSent.kind, DigestSent.target)
        if targets is not None:
            statement = statement.where(DigestSent.target.in_(list(targets)))
        if kinds is not None:
            statement = statement.where(DigestSent.kind.in_(list(kinds)))
        if since is not None:
            statement = statement.where(DigestSent.day >= since)
        if until is not None:
            statement = statement.where(DigestSent.day <= until)
        async with self.db.session() as session:
            rows = (await session.execute(statement)).scalars()
            return [SentDigest.of(r) for r in rows]

    async def reminder_outcomes(self) -> dict[str, int]:
        """Meeting reminders in the notice ledger by outcome (sent, late, missed)."""
        statement = (
            select(MeetingNotice.outcome, func.count())
            .where(MeetingNotice.kind.like("remind:%"))
            .group_by(MeetingNotice.outcome)
        )
        async with self.db.session() as session:
            rows = (await session.execute(statement)).all()
        return {str(outcome): int(count) for outcome, count in rows}

    async def digest_outcomes(self) -> dict[tuple[str, str], int]:
        """Digests in the ledger by (kind, outcome)."""
        statement = select(DigestSent.kind, DigestSent.outcome, func.count()).group_by(
            DigestSent.kind, DigestSent.outcome
        )
        async with self.db.session() as session:
            rows = (await session.execute(statement)).all()
        return {(str(kind), str(outcome)): int(count) for kind, outcome, count in rows}
