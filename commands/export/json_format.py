"""The records export as JSON, and back: complete (every field of every record) and stable (the
same records give the same text: fields in declaration order, times in UTC ISO 8601).

Encoding and decoding are driven by the dataclasses' type hints, so a field added to a record
is exported and re-imported without touching this module, and `read_export(write_export(x))`
equals `x` — what an archive that re-imports a disclosure needs.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import UTC, date, datetime
from typing import Any

from commands.export.data import RecordsExport

FORMAT = "sotong-records-export"
VERSION = 1


class ExportFormatError(ValueError):
    """The text is not a records export this version can read."""


def encode(value: Any) -> Any:
    """A value as plain JSON data."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in an export")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    return value


def decode(kind: Any, data: Any) -> Any:
    """Plain JSON data back into a value of type `kind` (a dataclass, a tuple, a union with
    None, a date or time, or a plain scalar)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return decode(next(arg for arg in args if arg is not type(None)), data)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item) for item in data)
        return tuple(decode(arg, item) for arg, item in zip(args, data, strict=True))
    if origin is dict:
        return {str(key): decode(args[1], item) for key, item in data.items()}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        fields = [f for f in dataclasses.fields(kind) if f.name in data or not _defaulted(f)]
        return kind(**{f.name: decode(hints[f.name], data[f.name]) for f in fields})
    if kind is datetime:
        return datetime.fromisoformat(data)
    if kind is date:
        return date.fromisoformat(data)
    if kind is float:
        return float(data)
    return data


def _defaulted(field: dataclasses.Field[Any]) -> bool:
    """A field with a default: an export written before the field existed may lack it."""
    return (
        field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING
    )


def write_export(export: RecordsExport) -> str:
    """The export as indented UTF-8 JSON text (Hangul kept readable)."""
    document = {"format": FORMAT, "version": VERSION, "export": encode(export)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def read_export(text: str | bytes) -> RecordsExport:
    """An export read back from `write_export`'s text; ExportFormatError if it is not one."""
    try:
        document = json.loads(text)
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise ExportFormatError("not a Sotong records export of version 1")
        return typing.cast(RecordsExport, decode(RecordsExport, document["export"]))
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as error:
        raise ExportFormatError(f"malformed records export: {error!r}") from error
