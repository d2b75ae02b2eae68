"""The dispatcher's running commands: each in its own task, known until it has answered (for
the sync loop) and until it has ended (for a clean stop), and the events started here."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

Run = Callable[[asyncio.Future[None]], Awaitable[None]]
"""A command run; it resolves the future it is given once its replies are sent."""
RECENT_EVENTS = 10_000


class CommandTasks:
    """Starts command runs as tasks; `let_answer` and `drain` wait for them."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._unanswered: set[asyncio.Future[None]] = set()

    def start(self, name: str, run: Run) -> None:
        answered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(self._run(run, answered), name=name)
        self._tasks.add(task)
        self._unanswered.add(answered)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _run(run: Run, answered: asyncio.Future[None]) -> None:
        try:
            await run(answered)
        finally:
            if not answered.done():
                answered.set_result(None)

    async def let_answer(self, limit: float) -> None:
        """Wait up to `limit` seconds until the commands started since the last call have
        answered (marking their events done may still be under way)."""
        started, self._unanswered = self._unanswered, set()
        pending = {answered for answered in started if not answered.done()}
        if pending:
            await asyncio.wait(pending, timeout=limit)

    async def drain(self, timeout: float) -> None:
        """Wait for every running command, cancelling any that outlives `timeout`."""
        if not self._tasks:
            return
        _, pending = await asyncio.wait(set(self._tasks), timeout=timeout)
        for task in pending:
            task.cancel()


class RecentEvents:
    """Event ids this process has started handling, the newest `size` of them: a repeat (a
    retried batch, an overlapping gap fill) is recognised without the database."""

    def __init__(self, size: int = RECENT_EVENTS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def add(self, event_id: str) -> None:
        self._ids[event_id] = None
        self._ids.move_to_end(event_id)
        while len(self._ids) > self.size:
            self._ids.popitem(last=False)
