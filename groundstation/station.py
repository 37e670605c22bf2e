"""The running station: everything the API and the extensions reach, built by one lifespan.

    async with Station.running(settings) as station:
        station.fleet.vehicles, station.bus, station.db.session(), station.zones.zoneset()

Extensions (dispatch, docks, demo) are ``Callable[[Station], AbstractAsyncContextManager]``:
they are entered after the fleet is up, in order, and left before it closes. They keep their
own objects in ``station.services`` under a name of their choice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

import anyio.to_thread
from pydantic import SecretStr

from docks import cancel_and_wait
from groundstation.audit import CommandAuditor
from groundstation.auth import PasswordHashing, TokenIssuer, load_or_create_secret
from groundstation.config import Settings
from groundstation.db import Database
from groundstation.events import Event, EventBus
from groundstation.flightlog import FlightRecorder
from groundstation.mavlink import Fleet
from groundstation.zonebook import ZoneBook

__all__ = ["Station", "StationExtension"]

_log = logging.getLogger(__name__)

StationExtension = Callable[["Station"], AbstractAsyncContextManager[Any]]


class Station:
    """Settings, database, event bus, fleet, zones, auth and background tasks of one station."""

    def __init__(self, settings: Settings, db: Database, bus: EventBus, tokens: TokenIssuer) -> None:
        self.settings = settings
        self.db = db
        self.bus = bus
        self.tokens = tokens
        self.passwords = PasswordHashing()
        self.zones = ZoneBook(db)
        self.auditor = CommandAuditor(bus, db)
        self.recorder = FlightRecorder(settings, db, bus)
        self.fleet: Fleet = Fleet(settings.mavlink, bus)
        self.services: dict[str, Any] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @classmethod
    @contextlib.asynccontextmanager
    async def running(
        cls, settings: Settings, extensions: Sequence[StationExtension] = ()
    ) -> AsyncIterator[Station]:
        """Open the database (migrating it), the fleet and background work; close on exit."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings)
        await anyio.to_thread.run_sync(db.open)
        secret: SecretStr = load_or_create_secret(settings.service.jwt_secret, settings.data_dir)
        station = cls(settings, db, EventBus(), TokenIssuer(secret, settings.service.token_ttl_s))
        try:
            await station.recorder.recover()
            station.spawn(station.auditor.run(), "audit of MAVLink commands")
            async with station.fleet:
                station.recorder.attach(station.fleet)
                station.spawn(station.recorder.run(), "flight recorder")
                async with contextlib.AsyncExitStack() as stack:
                    for extension in extensions:
                        await stack.enter_async_context(extension(station))
                    yield station
                await station.stop_tasks()
        finally:
            await station.stop_tasks()
            await anyio.to_thread.run_sync(station.recorder.close_all)
            db.close()

    def spawn(
        self, coro: Coroutine[Any, Any, None], name: str, *, log_errors: bool = True
    ) -> asyncio.Task[None]:
        """Run background work owned by the station (cancelled at shutdown).

        With ``log_errors`` a failure is logged; without, the caller reads ``task.exception()``.
        """
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done if log_errors else self._tasks.discard)
        return task

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            _log.error("station task %r failed", task.get_name(), exc_info=task.exception())

    async def stop_tasks(self) -> None:
        """Cancel and wait for every background task (one that swallows its cancellation is
        cancelled again until it ends; the caller's own cancellation still propagates)."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            await cancel_and_wait(task)

    def publish(self, event: Event) -> None:
        """Publish an event on the station's bus."""
        self.bus.publish(event)
