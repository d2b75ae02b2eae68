"""CPU time and memory of a process, read from /proc (Linux), for the benches' figures."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used so far (its threads included)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory in MiB (`VmHWM`: the peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


class CpuMeter:
    """Accumulates one process's CPU time over chosen stretches, e.g. one bot's blocks."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.total = 0.0
        self._since: float | None = None

    def start(self) -> None:
        self._since = cpu_seconds(self.pid)

    def stop(self) -> None:
        if self._since is not None:
            self.total += cpu_seconds(self.pid) - self._since
            self._since = None

    def per(self, count: int) -> float:
        """Milliseconds per unit of work."""
        return 1000 * self.total / count if count else float("nan")
