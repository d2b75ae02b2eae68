"""Progress of a long command on stderr, readable both on a terminal and in a log."""

from __future__ import annotations

from typing import TextIO

WIDTH = 30
LABEL = 40


class ProgressBar:
    """A bar redrawn in place (`\\r`) on a terminal; one line per step anywhere else (a log
    file, a pipe, CI). `end()` finishes a half-drawn bar line, so an error printed next
    starts on a line of its own."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = _is_tty(stream)
        self.open = False

    def __call__(self, done: int, total: int, label: str) -> None:
        if self.tty:
            self._redraw(done, total, label)
        else:
            step = total if done >= total else done + 1
            self.stream.write(f"[{step}/{total}] {label}\n")
        self.stream.flush()

    def _redraw(self, done: int, total: int, label: str) -> None:
        filled = WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        self.stream.write(f"\r\x1b[K[{bar}] {done}/{total} {label[:LABEL]}")
        self.open = True
        if done >= total:
            self.end()

    def end(self) -> None:
        """Close the bar's line if one is open; harmless otherwise."""
        if self.open:
            self.stream.write("\n")
            self.stream.flush()
            self.open = False


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
