"""Settings: read once from the environment (and `.env`) into one frozen, typed object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

USER_ID_RE = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
SERVER_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d+)?$")
SECRET_KEYS = frozenset(
    {"MATRIX_PASSWORD", "MATRIX_ACCESS_TOKEN", "JITSI_APP_SECRET", "SOTONG_RECOVERY_KEY"}
)
E2EE_TRUST_MODES = ("allowlist", "cross-signed")
DEFAULT_DATABASE_URL = "sqlite:///data/sotong.db"
SMTP_SCHEMES = ("smtp://", "smtp+starttls://", "smtps://")
HHMM_RE = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ConfigError(Exception):
    """Raised with every problem found, so the user can fix them all at once."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Settings:
    """The bot's whole configuration; passed down, never read from globals."""

    homeserver: str
    user_id: str
    password: str | None
    access_token: str | None
    database_url: str = DEFAULT_DATABASE_URL
    command_prefix: str = "!"
    timezone: str = "Asia/Seoul"
    language: str = "ko"
    allowed_inviters: tuple[str, ...] = ()
    admin_users: tuple[str, ...] = ()
    chair_power_level: int = 50
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    plan_file: str | None = None
    jitsi_base_url: str = "https://meet.jit.si"
    jitsi_app_id: str | None = None
    jitsi_app_secret: str | None = None
    element_call_url: str | None = None
    meeting_reminders: tuple[int, ...] = (1440, 10)
    meetings_open_to_members: bool = False
    public_base_url: str | None = None
    calendar_feed_days: int = 365
    flood_burst: int = 10
    flood_rate: float = 2.0
    command_max_chars: int = 4000
    record_max_chars: int = 2000
    archive_retention_days: int = 0
    digest_time: str = "08:30"
    digest_quiet: str = "line"
    dispute_remind_days: int = 3
    dispute_exec_days: int = 10
    recovery_key: str | None = None
    e2ee_trust: str = "allowlist"
    mail_listen: str | None = None
    mail_domain: str | None = None
    mail_allowed_senders: tuple[str, ...] = ()
    mail_max_bytes: int = 10 * 1024 * 1024
    smtp_url: str | None = None
    mail_from: str | None = None

    @property
    def web_base_url(self) -> str:
        """Where users reach the bot's web server (calendar feeds)."""
        return (self.public_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1]

    def masked(self) -> dict[str, str]:
        """Effective settings as strings, secrets replaced by `***`."""
        shown: dict[str, str] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in {"password", "access_token", "jitsi_app_secret", "recovery_key"}:
                value = "***" if value else "(unset)"
            elif field.name == "smtp_url" and value and "@" in value:
                value = value.split("://", 1)[0] + "://***@" + value.rsplit("@", 1)[1]
            elif isinstance(value, tuple):
                value = ",".join(map(str, value)) or "(none)"
            shown[field.name] = str(value)
        return shown


def _split_list(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _int_setting(env: Mapping[str, str], key: str, default: int, problems: list[str]) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        problems.append(f"{key}: '{raw}' is not a whole number")
        return default


def _float_setting(env: Mapping[str, str], key: str, default: float, problems: list[str]) -> float:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        problems.append(f"{key}: '{raw}' is not a number")
        return default
    if value < 0:
        problems.append(f"{key}: must not be negative")
    return value


def _minutes_list(raw: str, problems: list[str]) -> tuple[int, ...]:
    if not raw.strip():
        return (1440, 10)
    try:
        minutes = tuple(
            sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True)
        )
    except ValueError:
        problems.append(f"MEETING_REMINDERS: '{raw}' must be minutes, e.g. 1440,10")
        return (1440, 10)
    if any(m <= 0 for m in minutes):
        problems.append("MEETING_REMINDERS: minutes must be positive")
    return minutes


def hhmm(raw: str) -> str | None:
    """`8:30` or `08:30` as `08:30`; None when it is not a time of day."""
    found = HHMM_RE.match(raw.strip())
    return f"{int(found.group(1)):02d}:{found.group(2)}" if found else None


def _digest_time(raw: str, problems: list[str]) -> str:
    if not raw.strip():
        return "08:30"
    normal = hhmm(raw)
    if normal is None:
        problems.append(f"DIGEST_TIME: '{raw}' must be a time of day as HH:MM, e.g. 08:30")
        return "08:30"
    return normal


def _check_identity(env: Mapping[str, str], problems: list[str]) -> None:
    homeserver = env.get("MATRIX_HOMESERVER", "").strip()
    if not homeserver:
        problems.append("MATRIX_HOMESERVER: missing (e.g. https://matrix.example.go.kr)")
    elif not homeserver.startswith(("http://", "https://")):
        problems.append(f"MATRIX_HOMESERVER: '{homeserver}' must start with http:// or https://")
    user_id = env.get("MATRIX_USER_ID", "").strip()
    if not user_id:
        problems.append("MATRIX_USER_ID: missing (e.g. @sotong:example.go.kr)")
    elif not USER_ID_RE.match(user_id):
        problems.append(f"MATRIX_USER_ID: '{user_id}' is not a Matrix user id")
    if not env.get("MATRIX_PASSWORD") and not env.get("MATRIX_ACCESS_TOKEN"):
        problems.append("MATRIX_PASSWORD or MATRIX_ACCESS_TOKEN: one of them is required")


def _check_lists(inviters: tuple[str, ...], admins: tuple[str, ...], problems: list[str]) -> None:
    for entry in inviters:
        if not (USER_ID_RE.match(entry) or SERVER_RE.match(entry)):
            problems.append(f"ALLOWED_INVITERS: '{entry}' is neither a user id nor a server name")
    for entry in admins:
        if not USER_ID_RE.match(entry):
            problems.append(f"ADMIN_USERS: '{entry}' is not a Matrix user id")


def _check_values(settings: Settings, problems: list[str]) -> None:
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"TIMEZONE: '{settings.timezone}' is not a known time zone")
    if settings.language not in {"ko", "en"}:
        problems.append(f"LANGUAGE: '{settings.language}' must be ko or en")
    if not settings.command_prefix or " " in settings.command_prefix:
        problems.append("COMMAND_PREFIX: must be non-empty and contain no spaces")
    if not 0 <= settings.chair_power_level <= 100:
        problems.append("CHAIR_POWER_LEVEL: must be between 0 and 100")
    if not 0 < settings.web_port < 65536:
        problems.append("WEB_PORT: must be a port number (1-65535)")
    if settings.plan_file and not Path(settings.plan_file).is_file():
        problems.append(f"PLAN_FILE: '{settings.plan_file}' does not exist")
    if settings.digest_quiet not in {"line", "none"}:
        problems.append(f"DIGEST_QUIET: '{settings.digest_quiet}' must be line or none")
    if settings.dispute_remind_days < 1 or settings.dispute_exec_days < 1:
        problems.append("DISPUTE_REMIND_DAYS, DISPUTE_EXEC_DAYS: must be at least 1 day")
    if settings.calendar_feed_days <= 0:
        problems.append("CALENDAR_FEED_DAYS: must be a positive number of days")
    if not 100 <= settings.command_max_chars <= 20_000:
        problems.append("COMMAND_MAX_CHARS: must be between 100 and 20000")
    if not 50 <= settings.record_max_chars <= settings.command_max_chars:
        problems.append("RECORD_MAX_CHARS: must be between 50 and COMMAND_MAX_CHARS")
    if settings.archive_retention_days < 0:
        problems.append("ARCHIVE_RETENTION_DAYS: must be 0 (keep forever) or more days")
    if settings.e2ee_trust not in E2EE_TRUST_MODES:
        problems.append(f"E2EE_TRUST: '{settings.e2ee_trust}' must be allowlist or cross-signed")
    _check_recovery_key(settings.recovery_key, problems)
    _check_mail(settings, problems)
    if not settings.database_url.startswith(("sqlite", "postgresql")):
        problems.append("DATABASE_URL: must be a sqlite:/// or postgresql+psycopg:// URL")


def mail_listen_address(raw: str) -> tuple[str, int] | None:
    """`127.0.0.1:2525` or `[::1]:25` as (host, port); None when it is not one."""
    host, colon, port = raw.strip().rpartition(":")
    if not colon or not host or not port.isdigit() or not 0 <= int(port) < 65536:
        return None
    return host.strip("[]"), int(port)


def _check_mail(settings: Settings, problems: list[str]) -> None:
    if settings.smtp_url and not settings.smtp_url.startswith(SMTP_SCHEMES):
        problems.append("SMTP_URL: must start with smtp://, smtp+starttls:// or smtps://")
    if settings.smtp_url and not (settings.mail_from or settings.mail_domain):
        problems.append("MAIL_FROM: required with SMTP_URL unless MAIL_DOMAIN is set")
    if settings.mail_listen is None:
        return
    if mail_listen_address(settings.mail_listen) is None:
        problems.append(
            f"MAIL_LISTEN: '{settings.mail_listen}' must be HOST:PORT, e.g. 127.0.0.1:2525"
        )
    if not settings.mail_domain or not SERVER_RE.match(settings.mail_domain):
        problems.append("MAIL_DOMAIN: required with MAIL_LISTEN (e.g. sotong.example.go.kr)")
    if settings.mail_max_bytes < 1024:
        problems.append("MAIL_MAX_BYTES: must be at least 1024")


def _check_recovery_key(key: str | None, problems: list[str]) -> None:
    if key is None:
        return
    from bot.secret_storage import RecoveryKeyError, decode_recovery_key

    try:
        decode_recovery_key(key)
    except RecoveryKeyError as error:
        problems.append(f"SOTONG_RECOVERY_KEY: {error} (make one with `sotong recovery-key`)")


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    """Build settings from a plain mapping; raise ConfigError listing every problem."""
    problems: list[str] = []
    _check_identity(env, problems)
    inviters = _split_list(env.get("ALLOWED_INVITERS", ""))
    admins = _split_list(env.get("ADMIN_USERS", ""))
    _check_lists(inviters, admins, problems)
    settings = Settings(
        homeserver=env.get("MATRIX_HOMESERVER", "").strip().rstrip("/"),
        user_id=env.get("MATRIX_USER_ID", "").strip(),
        password=env.get("MATRIX_PASSWORD") or None,
        access_token=env.get("MATRIX_ACCESS_TOKEN") or None,
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        command_prefix=env.get("COMMAND_PREFIX", "!").strip() or "!",
        timezone=env.get("TIMEZONE", "").strip() or "Asia/Seoul",
        language=env.get("LANGUAGE", "").strip() or "ko",
        allowed_inviters=inviters,
        admin_users=admins,
        chair_power_level=_int_setting(env, "CHAIR_POWER_LEVEL", 50, problems),
        web_host=env.get("WEB_HOST", "").strip() or "127.0.0.1",
        web_port=_int_setting(env, "WEB_PORT", 8080, problems),
        plan_file=env.get("PLAN_FILE", "").strip() or None,
        jitsi_base_url=(env.get("JITSI_BASE_URL", "").strip() or "https://meet.jit.si"),
        jitsi_app_id=env.get("JITSI_APP_ID") or None,
        jitsi_app_secret=env.get("JITSI_APP_SECRET") or None,
        element_call_url=env.get("ELEMENT_CALL_URL", "").strip() or None,
        meeting_reminders=_minutes_list(env.get("MEETING_REMINDERS", ""), problems),
        meetings_open_to_members=env.get("MEETINGS_OPEN_TO_MEMBERS", "").strip().lower()
        in {"1", "true", "yes", "on"},
        public_base_url=env.get("PUBLIC_BASE_URL", "").strip() or None,
        calendar_feed_days=_int_setting(env, "CALENDAR_FEED_DAYS", 365, problems),
        flood_burst=_int_setting(env, "FLOOD_BURST", 10, problems),
        flood_rate=_float_setting(env, "FLOOD_RATE", 2.0, problems),
        command_max_chars=_int_setting(env, "COMMAND_MAX_CHARS", 4000, problems),
        record_max_chars=_int_setting(env, "RECORD_MAX_CHARS", 2000, problems),
        archive_retention_days=_int_setting(env, "ARCHIVE_RETENTION_DAYS", 0, problems),
        digest_time=_digest_time(env.get("DIGEST_TIME", ""), problems),
        digest_quiet=env.get("DIGEST_QUIET", "").strip().lower() or "line",
        dispute_remind_days=_int_setting(env, "DISPUTE_REMIND_DAYS", 3, problems),
        dispute_exec_days=_int_setting(env, "DISPUTE_EXEC_DAYS", 10, problems),
        recovery_key=env.get("SOTONG_RECOVERY_KEY", "").strip() or None,
        e2ee_trust=env.get("E2EE_TRUST", "").strip().lower() or "allowlist",
        mail_listen=env.get("MAIL_LISTEN", "").strip() or None,
        mail_domain=env.get("MAIL_DOMAIN", "").strip().lower() or None,
        mail_allowed_senders=_split_list(env.get("MAIL_ALLOWED_SENDERS", "").lower()),
        mail_max_bytes=_int_setting(env, "MAIL_MAX_BYTES", 10 * 1024 * 1024, problems),
        smtp_url=env.get("SMTP_URL", "").strip() or None,
        mail_from=env.get("MAIL_FROM", "").strip() or None,
    )
    _check_values(settings, problems)
    if problems:
        raise ConfigError(problems)
    return settings


def load_settings(env_file: Path | None = Path(".env")) -> Settings:
    """Merge `.env` (if present) under the process environment, then validate."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.exists():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return settings_from_mapping(merged)
