"""Search over the message archive, and the archive's retention.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations

from commands.search.retention import reconcile_retention

__all__ = ["reconcile_retention"]
