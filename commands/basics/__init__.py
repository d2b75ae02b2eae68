"""The bot's basic commands: help, ping, status.

What other packages may use is named here; the rest is the package's own.
"""

from __future__ import annotations
