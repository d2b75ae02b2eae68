"""Structured log lines: `key=value` (logfmt, the default) or one JSON object per line.

Every line has `ts`, `level`, `logger` and `msg`; a command's reference id (the one users are
shown when something goes wrong) becomes its own `ref` key, whether it was passed as
`extra={"ref": …}` or written as `[ref …]` in the message, so `grep ref=1a2b3c4d` finds every
line of that failure. Tracebacks are kept on the same line (`exc`), escaped.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

REF_RE = re.compile(r"\[ref ([0-9A-Za-z]+)\]")
BARE = re.compile(r"[^\s\"=\\]+")


def fields_of(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """The structured fields of a record, in a fixed order."""
    message = record.getMessage()
    fields: dict[str, Any] = {
        "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
        "level": record.levelname,
        "logger": record.name,
    }
    found = getattr(record, "ref", None) or (m.group(1) if (m := REF_RE.search(message)) else None)
    if found:
        fields["ref"] = str(found)
    fields["msg"] = message
    if record.exc_info:
        fields["exc"] = formatter.formatException(record.exc_info)
    return fields


def logfmt_value(value: Any) -> str:
    """A value as logfmt: bare when it can be, else quoted with escapes."""
    text = str(value)
    if text and BARE.fullmatch(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


class KeyValueFormatter(logging.Formatter):
    """`ts=… level=INFO logger=bot.dispatch ref=1a2b3c4d msg="command failed …"`."""

    def format(self, record: logging.LogRecord) -> str:
        fields = fields_of(record, self)
        return " ".join(f"{key}={logfmt_value(value)}" for key, value in fields.items())


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the same keys as the logfmt lines."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(fields_of(record, self), ensure_ascii=False)


FORMATTERS: dict[str, type[logging.Formatter]] = {
    "kv": KeyValueFormatter,
    "json": JsonFormatter,
}
