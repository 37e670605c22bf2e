"""Bounded waits that never swallow a cancellation.

On Python 3.11 ``asyncio.wait_for`` returns the awaited result instead of raising when the
task is cancelled in the same loop turn as that result arrives (CPython gh-86296, fixed in 3.12
by rebuilding it on ``asyncio.timeout``). A loop that waits that way on a steady stream of
results (telemetry, events, acks) then survives its own cancellation and whoever awaits it at
shutdown waits for ever. ``within`` is the same bounded wait on ``asyncio.timeout``, where a
cancellation always wins.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

__all__ = ["within"]

T = TypeVar("T")


async def within(awaitable: Awaitable[T], timeout_s: float | None) -> T:
    """``await awaitable`` for at most ``timeout_s`` seconds (None: no limit); TimeoutError."""
    async with asyncio.timeout(timeout_s):
        return await awaitable
