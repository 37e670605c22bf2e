"""Shutdown never hangs on a background task that swallowed its cancellation."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.service.harness import run_service, service_settings


async def test_a_task_that_swallows_its_cancellation_does_not_hang_the_shutdown(
    tmp_path: Path,
) -> None:
    ended = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass  # swallowed, as asyncio.wait_for could on Python 3.11
        try:
            await asyncio.sleep(3600)
        finally:
            ended.set()

    async with asyncio.timeout(30) as limit:
        async with run_service(service_settings(tmp_path), world=False) as svc:
            svc.station.spawn(stubborn(), "stubborn")
            await asyncio.sleep(0)  # let it start
    assert ended.is_set() and not limit.expired()  # ended by the station, not by the limit
