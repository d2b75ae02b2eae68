"""One JSON-schema validator per schema for matrix-nio, instead of one per event.

nio checks every event and response it parses against a JSON schema, and builds a fresh
validator each time (`Validator(schema, ...).validate(instance)`): with jsonschema 4 that
means a new reference registry per event. Profiled on the latency bench (py-spy), building
validators took about a fifth of the bot's main-thread time per `!ping`. The validators are
stateless between calls, so one per schema validates exactly the same, once built.
"""

from __future__ import annotations

import importlib
from typing import Any

import nio.schemas

NIO_MODULES = ("nio.schemas", "nio.responses", "nio.events.misc", "nio.crypto.olm_machine")
"""Where nio imported `validate_json` by name."""

_validators: dict[int, tuple[dict[str, Any], Any]] = {}


def validate_json(instance: Any, schema: dict[str, Any]) -> None:
    """nio's `validate_json`, with the validator kept per schema (nio's schemas are
    module-level constants; the schema is kept with it so its id cannot be reused)."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        validator = nio.schemas.Validator(schema, format_checker=nio.schemas.Checker)
        cached = _validators[id(schema)] = (schema, validator)
    cached[1].validate(instance)


def install() -> None:
    """Use the cached validators wherever nio validates (idempotent)."""
    for name in NIO_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "validate_json"):
            module.validate_json = validate_json
