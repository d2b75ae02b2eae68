"""Scheduled jobs are rebuilt: their functions moved into feature packages.

A stored APScheduler job names its function by module path (`commands.meeting_jobs:fire`,
now `commands.meetings.jobs:fire`); a job under the old path could not be restored and would
be dropped when due. The tables are the source of truth and every start-up reconciles the
jobs from them (reminders, digests, retention), so the stored jobs are simply removed here.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
JOB_TABLE = "apscheduler_jobs"


def upgrade() -> None:
    bind = op.get_bind()
    if sa.inspect(bind).has_table(JOB_TABLE):
        op.execute(sa.text(f"DELETE FROM {JOB_TABLE}"))


def downgrade() -> None:
    """Nothing to restore: the next start-up reconciles the jobs again."""
