"""Simulated time: runs ``time_factor`` times faster than the monotonic clock."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable
from time import monotonic

from groundstation.sim._exceptions import SimConfigError

__all__ = ["SimClock", "SimTimers"]


class SimClock:
    """Sim seconds since start; the factor can change while running without a jump."""

    def __init__(self, time_factor: float = 1.0, *, real: Callable[[], float] = monotonic) -> None:
        self._real = real
        self._base_real = real()
        self._base_sim = 0.0
        self._factor = 1.0
        self.time_factor = time_factor

    @property
    def time_factor(self) -> float:
        """How many sim seconds pass per real second."""
        return self._factor

    @time_factor.setter
    def time_factor(self, factor: float) -> None:
        if not factor > 0:
            raise SimConfigError(f"time factor must be positive, got {factor!r}")
        now_real = self._real()
        self._base_sim = self._base_sim + (now_real - self._base_real) * self._factor
        self._base_real = now_real
        self._factor = float(factor)

    def now_s(self) -> float:
        """Sim seconds since the clock started."""
        return self._base_sim + (self._real() - self._base_real) * self._factor

    def real_s(self, sim_s: float) -> float:
        """Real seconds that ``sim_s`` sim seconds take at the current factor."""
        return sim_s / self._factor

    async def sleep(self, sim_s: float) -> None:
        """Sleep for a span of sim time (for tools and demos; tests wait on events)."""
        await asyncio.sleep(max(sim_s, 0.0) / self._factor)


class SimTimers:
    """Callbacks due at sim times, run by the vehicle's tick (no asyncio timers involved)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None]]] = []
        self._counter = itertools.count()
        self._cancelled: set[int] = set()

    def call_at(self, due_s: float, callback: Callable[[], None]) -> int:
        """Schedule ``callback`` at sim time ``due_s``; returns a handle for :meth:`cancel`."""
        handle = next(self._counter)
        heapq.heappush(self._heap, (due_s, handle, callback))
        return handle

    def cancel(self, handle: int | None) -> None:
        """Cancel a scheduled callback (no effect when it already ran)."""
        if handle is not None:
            self._cancelled.add(handle)

    def run_due(self, now_s: float) -> None:
        """Run every callback due by ``now_s``, in order."""
        heap = self._heap
        while heap and heap[0][0] <= now_s:
            _, handle, callback = heapq.heappop(heap)
            if handle in self._cancelled:
                self._cancelled.discard(handle)
                continue
            callback()

    def __len__(self) -> int:
        return len(self._heap) - len(self._cancelled)
