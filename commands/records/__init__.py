"""Working-group records: actions, decisions and blockers.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations
