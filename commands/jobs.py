"""Scheduled work as commands see it: a way to (un)schedule jobs, and the services a job gets.

Jobs are stored in the database job store by textual reference (`module:function`) with
plain ids as arguments, so they survive restarts; when one fires it finds the running
bot's services in `JOB_CONTEXT`, which the bot sets before its scheduler starts.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from commands.plan import Plan
from storage.repositories import Repositories


class Scheduling(Protocol):
    """The one scheduler, as commands and jobs use it."""

    async def at(self, job_id: str, when: datetime, func: str, args: list[Any]) -> None: ...

    async def cancel_prefix(self, prefix: str) -> int: ...

    async def job_ids(self) -> set[str]: ...


@dataclass(frozen=True)
class JobContext:
    """What a firing job needs: the same services a command gets, minus the invocation."""

    messenger: Any
    repos: Repositories
    settings: Any
    clock: Callable[[], datetime]
    plan: Plan | None
    jobs: Scheduling


JOB_CONTEXT: ContextVar[JobContext] = ContextVar("sotong_job_context")
