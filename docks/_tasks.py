"""Background tasks owned by one object: named, in a TaskGroup, cancelled when it closes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any

_log = logging.getLogger("docks")


CANCEL_RETRY_S = 1.0


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel ``task`` and wait until it has finished.

    A task whose cancellation got swallowed (a library turning it into its own error) is
    cancelled again each ``CANCEL_RETRY_S`` until it ends, so closing never hangs on it.
    """
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=CANCEL_RETRY_S)
        if not task.done():
            _log.warning("task %s ignored its cancellation; cancelling again", task.get_name())
    with contextlib.suppress(asyncio.CancelledError, Exception):
        task.result()


class TaskOwner:
    """The named tasks of one object (a launcher's sorties, a scheduler's runs)."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._group: asyncio.TaskGroup | None = None
        self._running: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Open the task group."""
        self._group = asyncio.TaskGroup()
        await self._group.__aenter__()

    def spawn(self, coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        """Run ``coro`` as a task named ``name``."""
        if self._group is None:
            coro.close()
            raise RuntimeError(f"{self.owner} is not running: use it with 'async with'")
        task = self._group.create_task(coro, name=name)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def aclose(self) -> None:
        """Cancel every task and close the group."""
        for task in list(self._running):
            task.cancel()
        group, self._group = self._group, None
        if group is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await group.__aexit__(None, None, None)
