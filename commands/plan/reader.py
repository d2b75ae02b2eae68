"""Reading TOML so that every problem names its line and key path, and reading goes on.

tomllib gives values but no positions, so `SourceMap` scans the (already valid) text once
for table headers, `key = value` lines and inline tables inside arrays, and maps each key
path to its line. `Reader` is typed access to the parsed data that records a problem, with
`file:line: key.path[0]: message`, instead of raising, so one run reports every mistake.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

KeyPath = tuple[str | int, ...]

_BARE_OR_QUOTED = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_SEGMENT = re.compile(r"""\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*""")
_HEADER = re.compile(r"\s*(\[\[?)([^\[\]]+)\]")
_KEY = re.compile(rf"\s*({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=")
_SYNTAX_LINE = re.compile(r"at line (\d+)")
_KINDS = {
    str: "a string",
    bool: "true or false",
    dict: "a table",
    list: "an array",
    int: "an integer",
    float: "a number",
}


class PlanError(Exception):
    """The plan file is unusable; `problems` lists every mistake found, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def render_path(path: KeyPath) -> str:
    """`('goals', 0, 'wg')` → `goals[0].wg`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _segments(dotted: str) -> tuple[str, ...]:
    return tuple(m.group(1) or m.group(2) or m.group(3) or "" for m in _SEGMENT.finditer(dotted))


def _string_end(text: str, start: int) -> int:
    """The index just past the one-line string that opens at `start`."""
    quote, i = text[start], start + 1
    while i < len(text):
        if quote == '"' and text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        i += 1
    return len(text)


@dataclass
class _ScanState:
    """Where the scan is: bracket depth, an open multi-line string, the array being read."""

    depth: int = 0
    quote: str | None = None
    owner: KeyPath = ()
    items: int = 0

    def top_level(self) -> bool:
        return self.depth == 0 and self.quote is None


class SourceMap:
    """Line numbers of tables, keys and inline-table array items in valid TOML text."""

    def __init__(self, text: str) -> None:
        self._lines = text.split("\n")
        self._where: dict[KeyPath, int] = {}
        self._headers: list[int] = []
        self._arrays: dict[KeyPath, int] = {}
        state, table = _ScanState(), ()
        for number, line in enumerate(self._lines, start=1):
            header = _HEADER.match(line) if state.top_level() else None
            key = _KEY.match(line) if state.top_level() and not header else None
            if header:
                table = self._header(header, number)
            elif key:
                names = _segments(key.group(1))
                for end in range(1, len(names) + 1):
                    self._where.setdefault(table + names[:end], number)
                state.owner, state.items = table + names, 0
                self._track(line[key.end() :], number, state)
            else:
                self._track(line, number, state)

    def _resolve(self, names: tuple[str, ...]) -> KeyPath:
        """A dotted table name as a path: arrays of tables resolve to their latest entry."""
        path: KeyPath = ()
        for name in names:
            path += (name,)
            if path in self._arrays:
                path += (self._arrays[path] - 1,)
        return path

    def _header(self, match: re.Match[str], number: int) -> KeyPath:
        self._headers.append(number)
        names = _segments(match.group(2))
        if match.group(1) == "[":
            table = self._resolve(names)
        else:
            array = self._resolve(names[:-1]) + names[-1:]
            self._where.setdefault(array, number)
            index = self._arrays.get(array, 0)
            self._arrays[array] = index + 1
            table = (*array, index)
        self._where.setdefault(table, number)
        return table

    def _track(self, text: str, number: int, state: _ScanState) -> None:
        """Follow brackets and strings; an inline table opening an array item is recorded."""
        i = 0
        while i < len(text):
            if state.quote:
                end = text.find(state.quote, i)
                if end < 0:
                    return
                i, state.quote = end + 3, None
                continue
            char = text[i]
            if char == "#":
                return
            if text.startswith(('"""', "'''"), i):
                state.quote, i = text[i : i + 3], i + 3
                continue
            if char in "\"'":
                i = _string_end(text, i)
                continue
            if char == "{" and state.depth == 1:
                self._where.setdefault((*state.owner, state.items), number)
                state.items += 1
            state.depth += (char in "[{") - (char in "]}")
            i += 1

    def line(self, path: KeyPath, value: str | None = None) -> int | None:
        """The line of `path` or its nearest recorded ancestor; with `value`, the first line
        from there (within the same table) that holds it quoted."""
        for end in range(len(path), 0, -1):
            start = self._where.get(path[:end])
            if start is not None:
                return self._search(start, value) if value else start
        return None

    def _search(self, start: int, value: str) -> int:
        stop = next((n for n in self._headers if n > start), len(self._lines) + 1)
        wanted = (f'"{value}"', f"'{value}'")
        for number in range(start, stop):
            if any(w in self._lines[number - 1] for w in wanted):
                return number
        return start


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """tomllib's parse, its errors turned into a PlanError with the line it names."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _SYNTAX_LINE.search(str(exc))
        where = f"{source}:{found.group(1)}" if found else source
        raise PlanError([f"{where}: TOML syntax error: {exc}"]) from None
    except RecursionError:
        raise PlanError([f"{source}: TOML syntax error: nested too deeply"]) from None


class Reader:
    """Typed access to parsed TOML; a wrong or missing value becomes a problem, not a raise."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines = SourceMap(text)
        self._problems: list[tuple[int, str]] = []

    @property
    def problems(self) -> list[str]:
        """Every problem so far, in file order (those without a line first)."""
        return [message for _, message in sorted(self._problems, key=lambda p: p[0])]

    def problem(
        self, path: KeyPath, message: str, value: str | None = None, at: KeyPath | None = None
    ) -> None:
        """Record a problem at `path`, located by `at` (default `path`) and `value`."""
        line = self.lines.line(path if at is None else at, value)
        where = f"{self.source}:{line}" if line else self.source
        self._problems.append((line or 0, f"{where}: {render_path(path)}: {message}"))

    def value(self, table: Mapping[str, Any], path: KeyPath, name: str, kind: type) -> Any:
        """`table[name]` if it is of `kind`; None (and a problem if present) otherwise."""
        if name not in table:
            return None
        found = table[name]
        if isinstance(found, kind):
            return found
        got = _KINDS.get(type(found), type(found).__name__)
        self.problem((*path, name), f"expected {_KINDS[kind]}, got {got}")
        return None

    def text(self, table: Mapping[str, Any], path: KeyPath, name: str, required: bool) -> str:
        """A string field, stripped; "" when missing or wrong (a problem if required)."""
        found = self.value(table, path, name, str)
        if found is None and name not in table and required:
            self.problem((*path, name), "required, missing", at=path)
        elif found is not None and not found.strip() and required:
            self.problem((*path, name), "must not be empty")
        return (found or "").strip()

    def flag(
        self, table: Mapping[str, Any], path: KeyPath, name: str, default: bool | None
    ) -> bool | None:
        found = self.value(table, path, name, bool)
        return default if found is None else found

    def table(self, table: Mapping[str, Any], path: KeyPath, name: str) -> dict[str, Any] | None:
        return self.value(table, path, name, dict)

    def tables(
        self, table: Mapping[str, Any], path: KeyPath, name: str
    ) -> list[tuple[KeyPath, dict[str, Any]]]:
        """An array of tables as (path, table) pairs; items that are not tables are reported."""
        items = self.value(table, path, name, list) or []
        pairs = []
        for index, item in enumerate(items):
            if isinstance(item, dict):
                pairs.append(((*path, name, index), item))
            else:
                self.problem((*path, name, index), "expected a table")
        return pairs

    def strings(
        self, table: Mapping[str, Any], path: KeyPath, name: str
    ) -> list[tuple[KeyPath, str]]:
        """An array of strings as (path, string) pairs; other items are reported."""
        items = self.value(table, path, name, list) or []
        pairs = []
        for index, item in enumerate(items):
            if isinstance(item, str):
                pairs.append(((*path, name, index), item))
            else:
                self.problem((*path, name, index), "expected a string")
        return pairs

    def only(self, table: Mapping[str, Any], path: KeyPath, allowed: Collection[str]) -> None:
        """Report fields nobody reads: almost always a typo of one that is."""
        for name in table:
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                self.problem((*path, name), f"unknown field (known: {known})")
