"""Dialect-aware INSERT … ON CONFLICT, so repositories stay backend-neutral."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

Executor = AsyncSession | AsyncConnection


def insert_for(dialect: str, table: Any) -> Any:
    """The INSERT construct of `dialect` that knows ON CONFLICT."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)


def _insert_for(session: Executor, table: Any) -> Any:
    owner = session if isinstance(session, AsyncConnection) else session.bind
    return insert_for(owner.dialect.name if owner is not None else "sqlite", table)


async def insert_ignore(session: Executor, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless its key exists; True when this call inserted it."""
    statement = (
        _insert_for(session, table)
        .values(**values)
        .on_conflict_do_nothing()
        .returning(*table.primary_key.columns)
    )
    result = await session.execute(statement)
    return result.first() is not None


async def upsert(session: Executor, table: Any, values: dict[str, Any], keys: list[str]) -> None:
    """Insert a row, or update every non-key column of the existing one."""
    statement = _insert_for(session, table).values(**values)
    updates = {name: statement.excluded[name] for name in values if name not in keys}
    await session.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates))
