"""Connection settings every engine of the bot shares: URLs per driver and SQLite's pragmas."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def _with_driver(database_url: str, sqlite_driver: str) -> str:
    url = make_url(database_url)
    if url.drivername.startswith("sqlite"):
        url = url.set(drivername=sqlite_driver)
    elif url.drivername in {"postgresql", "postgres", "postgresql+psycopg"}:
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def sync_url(database_url: str) -> str:
    """The URL a synchronous driver understands (Alembic, APScheduler's job store)."""
    return _with_driver(database_url, "sqlite")


def async_url(database_url: str) -> str:
    """The URL for the async engine: aiosqlite for SQLite, psycopg 3 for PostgreSQL."""
    return _with_driver(database_url, "sqlite+aiosqlite")


def ensure_sqlite_dir(database_url: str) -> None:
    """Create the folder of a SQLite file so a fresh checkout just works."""
    url = make_url(database_url)
    if url.drivername.startswith("sqlite") and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).drivername.startswith("sqlite")


def create_sync_engine(database_url: str, **options: Any) -> Engine:
    """A synchronous engine (sqlite3 or psycopg) with the bot's SQLite settings: WAL, no
    fsync per commit, a busy timeout — a commit otherwise costs a disk flush."""
    ensure_sqlite_dir(database_url)
    engine = create_engine(sync_url(database_url), **options)
    if is_sqlite(database_url):
        event.listen(engine, "connect", sqlite_pragmas)
    return engine
