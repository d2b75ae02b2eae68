"""Disagreements between ministries (`!이견`): raised, heard from each side, mediated.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.disputes.jobs import reconcile_dispute_reminders

__all__ = ["reconcile_dispute_reminders"]
