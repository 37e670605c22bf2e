"""Waiting in tests on a condition, woken by an object's events (never a fixed sleep)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Protocol


class Observable(Protocol):
    """Anything with ``add_listener(callback) -> remover`` (docks, drivers, simulators, schedulers)."""

    def add_listener(self, callback: Callable[[Any], None]) -> Callable[[], None]: ...


async def wait_until(source: Observable, predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    """Return once ``predicate()`` holds; re-checked on each event of ``source`` (real seconds)."""
    changed = asyncio.Event()
    remove = source.add_listener(lambda *_args: changed.set())
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                changed.clear()
                if predicate():
                    return
                await changed.wait()
    finally:
        remove()
