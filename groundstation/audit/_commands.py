"""Every MAVLink command on the event bus becomes an audit record (sent, then its result)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from groundstation.audit._log import STATION, record_audit
from groundstation.db import Database, VehicleRecord
from groundstation.events import CommandCompleted, CommandSent, Event, EventBus

__all__ = ["CommandAuditor"]

_log = logging.getLogger(__name__)


class CommandAuditor:
    """Subscribes to CommandSent/CommandCompleted and appends one audit record per event.

    Records are written in batches on a worker thread; events the bus had to drop (a full
    queue) are themselves recorded as ``mavlink.audit_gap`` so a gap is never silent.
    """

    def __init__(self, bus: EventBus, db: Database, *, batch_size: int = 500, queue_size: int = 20000) -> None:
        self._db = db
        self._sub = bus.subscribe(CommandSent, CommandCompleted, maxsize=queue_size)
        self._batch_size = batch_size
        self._reported_drops = 0
        self.written = 0
        self._progress = asyncio.Condition()

    async def run(self) -> None:
        """Write records until cancelled, then write what is still queued."""
        try:
            while True:
                first = await self._sub.get()
                await self._write([first, *self._drain()])
        except (asyncio.CancelledError, EOFError):
            rest = self._drain(limit=None)
            if rest:
                self._db.run_sync(lambda s: self._store(s, rest))
            raise
        finally:
            self._sub.close()

    def _drain(self, limit: int | None = -1) -> list[Event]:
        out: list[Event] = []
        cap = self._batch_size if limit == -1 else limit
        while cap is None or len(out) < cap:
            event = self._sub.get_nowait()
            if event is None:
                break
            out.append(event)
        return out

    async def _write(self, events: Sequence[Event]) -> None:
        try:
            await self._db.run(lambda s: self._store(s, events))
        except (SQLAlchemyError, OSError):
            _log.exception("could not write %d command audit records", len(events))
            return
        async with self._progress:
            self.written += len(events)
            self._progress.notify_all()

    async def wait_written(self, count: int, timeout_s: float) -> None:
        """Wait (bounded) until at least ``count`` events have been written."""
        async with asyncio.timeout(timeout_s), self._progress:
            await self._progress.wait_for(lambda: self.written >= count)

    def _store(self, session: Session, events: Sequence[Event]) -> None:
        sysids = {e.system_id for e in events if isinstance(e, CommandSent | CommandCompleted)}
        orgs = {
            system_id: org_id
            for system_id, org_id in session.execute(
                select(VehicleRecord.system_id, VehicleRecord.org_id).where(
                    VehicleRecord.system_id.in_(sysids)
                )
            )
        }
        dropped = self._sub.dropped - self._reported_drops
        if dropped:
            self._reported_drops += dropped
            record_audit(session, actor=STATION, action="mavlink.audit_gap", result="DROPPED",
                         params={"events": dropped},
                         detail="command events dropped by a full audit queue")
        for e in events:
            if not isinstance(e, CommandSent | CommandCompleted):
                continue
            params = {"command": e.command, "params": list(e.params)}
            if isinstance(e, CommandCompleted):
                action, result = "mavlink.command", e.result
                params.update(attempts=e.attempts, result_param2=e.result_param2)
            else:
                action, result = "mavlink.command_sent", "SENT"
            record_audit(
                session,
                actor=STATION,
                action=action,
                result=result,
                target_type="vehicle",
                target_id=e.system_id,
                params=params,
                detail=e.command_name,
                org_id=orgs.get(e.system_id),
                at=e.at,
            )
