"""Working-group digests: built, split to fit, scheduled on Korean working days.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.digests.chat import digest
from commands.digests.jobs import catch_up_digests, reconcile_digests

__all__ = ["catch_up_digests", "digest", "reconcile_digests"]
