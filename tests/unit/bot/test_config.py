"""Settings: every problem reported at once, defaults as documented, secrets masked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, settings_from_mapping

GOOD = {
    "MATRIX_HOMESERVER": "https://matrix.gov.kr/",
    "MATRIX_USER_ID": "@sotong:gov.kr",
    "MATRIX_PASSWORD": "hunter2",
}


def test_defaults_are_the_documented_ones() -> None:
    settings = settings_from_mapping(GOOD)
    assert settings.homeserver == "https://matrix.gov.kr"
    assert settings.database_url == "sqlite:///data/sotong.db"
    assert (settings.command_prefix, settings.timezone, settings.language) == (
        "!",
        "Asia/Seoul",
        "ko",
    )
    assert settings.chair_power_level == 50 and settings.web_port == 8080
    assert settings.server_name == "gov.kr"


def test_lists_are_split_and_trimmed() -> None:
    settings = settings_from_mapping(
        {**GOOD, "ALLOWED_INVITERS": " gov.kr, @kim:moef.go.kr ,", "ADMIN_USERS": "@a:gov.kr"}
    )
    assert settings.allowed_inviters == ("gov.kr", "@kim:moef.go.kr")
    assert settings.admin_users == ("@a:gov.kr",)


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping(
            {
                "MATRIX_USER_ID": "sotong",
                "CHAIR_POWER_LEVEL": "high",
                "TIMEZONE": "Mars/Base",
                "LANGUAGE": "fr",
                "ADMIN_USERS": "admin",
            }
        )
    problems = "\n".join(caught.value.problems)
    for key in (
        "MATRIX_HOMESERVER",
        "MATRIX_USER_ID",
        "MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN",
        "CHAIR_POWER_LEVEL",
        "TIMEZONE",
        "LANGUAGE",
        "ADMIN_USERS",
    ):
        assert key in problems
    assert len(caught.value.problems) == 7


def test_masked_settings_hide_secrets() -> None:
    shown = settings_from_mapping({**GOOD, "MATRIX_ACCESS_TOKEN": "syt_secret"}).masked()
    assert shown["password"] == "***" and shown["access_token"] == "***"
    assert "hunter2" not in str(shown) and "syt_secret" not in str(shown)


def _sotong(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli.main", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_exits_2_with_all_problems_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MATRIX_USER_ID=nobody\nWEB_PORT=0\n")
    result = _sotong(["check-config"], tmp_path, {"PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert "MATRIX_HOMESERVER" in result.stderr and "WEB_PORT" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_check_config_masks_the_password(tmp_path: Path) -> None:
    env_file = "".join(f"{k}={v}\n" for k, v in GOOD.items())
    (tmp_path / ".env").write_text(env_file)
    result = _sotong(["check-config"], tmp_path, {"PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "password = ***" in result.stdout and "hunter2" not in result.stdout


def test_digest_time_and_quiet_mode_are_validated() -> None:
    settings = settings_from_mapping({**GOOD, "DIGEST_TIME": "7:05", "DIGEST_QUIET": "None"})
    assert (settings.digest_time, settings.digest_quiet) == ("07:05", "none")
    assert settings_from_mapping(GOOD).digest_time == "08:30"
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({**GOOD, "DIGEST_TIME": "24:00", "DIGEST_QUIET": "loud"})
    problems = "\n".join(caught.value.problems)
    assert "DIGEST_TIME: '24:00'" in problems and "DIGEST_QUIET: 'loud'" in problems


def test_mail_settings_are_off_by_default_and_validated() -> None:
    assert settings_from_mapping(GOOD).mail_listen is None
    settings = settings_from_mapping(
        {
            **GOOD,
            "MAIL_LISTEN": "127.0.0.1:2525",
            "MAIL_DOMAIN": "Sotong.Example.go.kr",
            "MAIL_ALLOWED_SENDERS": "MOEF.go.kr, partner@corp.kr",
        }
    )
    assert settings.mail_domain == "sotong.example.go.kr"
    assert settings.mail_allowed_senders == ("moef.go.kr", "partner@corp.kr")
    assert settings.mail_max_bytes == 10 * 1024 * 1024
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({**GOOD, "MAIL_LISTEN": "2525", "MAIL_MAX_BYTES": "10"})
    problems = "\n".join(caught.value.problems)
    assert "MAIL_LISTEN: '2525'" in problems and "MAIL_DOMAIN: required" in problems
    assert "MAIL_MAX_BYTES" in problems
