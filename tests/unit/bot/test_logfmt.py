"""Structured log lines: logfmt or JSON, one line each, with the command's reference id."""

from __future__ import annotations

import json
import logging
import shlex
import sys

from bot.logfmt import JsonFormatter, KeyValueFormatter, logfmt_value


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("bot.dispatch", logging.ERROR, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_logfmt_line_carries_the_reference_as_a_key() -> None:
    line = KeyValueFormatter().format(
        record("command failed [ref %s] in %s: %r", "1a2b3c4d", "!r:gov.kr", "!협업지도 x")
    )
    assert "\n" not in line
    fields = dict(part.split("=", 1) for part in shlex.split(line))
    assert fields["level"] == "ERROR" and fields["logger"] == "bot.dispatch"
    assert fields["ref"] == "1a2b3c4d"
    assert fields["msg"] == "command failed [ref 1a2b3c4d] in !r:gov.kr: '!협업지도 x'"


def test_an_explicit_ref_and_a_traceback_stay_on_one_line() -> None:
    try:
        raise ValueError('bad "value"\nsecond line')
    except ValueError:
        failing = record("boom", ref="cafe0001")
        failing.exc_info = sys.exc_info()
    line = KeyValueFormatter().format(failing)
    assert "\n" not in line and "ref=cafe0001" in line and 'exc="Traceback' in line
    document = json.loads(JsonFormatter().format(failing))
    assert document["ref"] == "cafe0001" and "ValueError" in document["exc"]
    assert list(document)[:4] == ["ts", "level", "logger", "ref"]


def test_values_are_bare_only_when_safe() -> None:
    assert logfmt_value("INFO") == "INFO"
    assert logfmt_value("two words") == '"two words"'
    assert logfmt_value('a="b"') == '"a=\\"b\\""'
    assert logfmt_value("") == '""'
