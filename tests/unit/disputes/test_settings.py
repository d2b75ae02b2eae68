"""The disagreement settings: defaults, overrides and a clear error for a bad value."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, settings_from_mapping
from tests.support.transcript import BASE_ENV


def test_defaults_and_overrides() -> None:
    default = settings_from_mapping(BASE_ENV)
    assert (default.dispute_remind_days, default.dispute_exec_days) == (3, 10)
    chosen = settings_from_mapping({**BASE_ENV, "DISPUTE_REMIND_DAYS": "5"})
    assert chosen.dispute_remind_days == 5


def test_a_bad_value_is_reported() -> None:
    with pytest.raises(ConfigError, match="DISPUTE_REMIND_DAYS"):
        settings_from_mapping({**BASE_ENV, "DISPUTE_REMIND_DAYS": "0"})
    with pytest.raises(ConfigError, match="DISPUTE_EXEC_DAYS: 'x' is not a whole number"):
        settings_from_mapping({**BASE_ENV, "DISPUTE_EXEC_DAYS": "x"})
