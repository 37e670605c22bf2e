"""Time for docks: an injectable clock that can run faster than the wall clock.

Every mechanical duration (a 15 s door, a 30 min charge) and every step timeout of the launch
sequence is measured in *dock seconds* through a ``Clock``. ``ScaledClock(factor=60)`` runs a
minute of dock time in a real second, so tests and the demo fly whole sorties in moments,
while network timeouts (a reply that never comes) stay in real seconds.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Monotonic and wall time in dock seconds, and a matching sleep and timeout."""

    def monotonic(self) -> float:
        """Monotonic dock seconds, for durations and timeouts."""
        ...

    def now(self) -> datetime:
        """Aware UTC wall time in dock time."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep for ``seconds`` of dock time."""
        ...

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        """An ``asyncio.timeout`` of ``seconds`` dock time (None: no limit)."""
        ...

    def real_seconds(self, seconds: float) -> float:
        """How many real seconds ``seconds`` of dock time take."""
        ...


class ScaledClock:
    """A clock running ``factor`` times faster than real time, from ``start`` (default now)."""

    def __init__(self, factor: float = 1.0, *, start: datetime | None = None) -> None:
        if factor <= 0:
            raise ValueError(f"clock factor must be positive, got {factor}")
        if start is not None and start.tzinfo is None:
            raise ValueError("clock start must be an aware datetime")
        self.factor = factor
        self._t0_real = time.monotonic()
        self._start = (start or datetime.now(UTC)).astimezone(UTC)

    def monotonic(self) -> float:
        """Monotonic dock seconds since this clock was made."""
        return (time.monotonic() - self._t0_real) * self.factor

    def now(self) -> datetime:
        """Aware UTC dock time."""
        return self._start + timedelta(seconds=self.monotonic())

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of dock time."""
        await asyncio.sleep(max(0.0, seconds) / self.factor)

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        """An asyncio timeout of ``seconds`` dock time."""
        return asyncio.timeout(None if seconds is None else max(0.0, seconds) / self.factor)

    def real_seconds(self, seconds: float) -> float:
        """Real seconds taken by ``seconds`` of dock time."""
        return seconds / self.factor
