"""Where patrol schedules, their runs and cursors are kept: a small Protocol and a JSON file.

The station implements ``ScheduleStore`` on its database; ``JsonFileStore`` is the library's own
(tests, the demo). Claiming a slot is the one atomic step that makes a slot fire at most once,
across restarts: the run record is written before anything flies.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from docks._exceptions import StoreError
from docks._schedule_model import PatrolSchedule

FILE_VERSION = 1


class RunStatus(StrEnum):
    """What became of one slot of a schedule."""

    CLAIMED = "claimed"  # the slot is taken; deciding
    LAUNCHED = "launched"  # the drone is out
    COMPLETED = "completed"  # flown and back
    SKIPPED = "skipped"  # not flown: weather, battery, zone, busy drone...
    MISSED = "missed"  # the station was not running at the slot
    FAILED = "failed"  # launched or tried, and it went wrong

    @property
    def final(self) -> bool:
        """True when nothing more will happen to this run."""
        return self not in (RunStatus.CLAIMED, RunStatus.LAUNCHED)


class PatrolRun(BaseModel):
    """The record of one slot of one schedule."""

    model_config = ConfigDict(extra="forbid")

    schedule_id: str
    slot: AwareDatetime
    dock_id: str
    route_id: str
    status: RunStatus
    reasons: list[str] = Field(default_factory=list)
    decided_at: AwareDatetime | None = None
    finished_at: AwareDatetime | None = None
    sortie_id: str | None = None
    outcome: str | None = None

    @property
    def run_id(self) -> str:
        """``schedule@slot``: unique per slot."""
        return f"{self.schedule_id}@{self.slot.isoformat()}"


@runtime_checkable
class ScheduleStore(Protocol):
    """Persistence for schedules, runs and cursors (the station implements it on its database)."""

    async def list_schedules(self) -> list[PatrolSchedule]:
        """Every schedule."""
        ...

    async def put_schedule(self, schedule: PatrolSchedule) -> None:
        """Create or replace a schedule."""
        ...

    async def delete_schedule(self, schedule_id: str) -> None:
        """Remove a schedule (its runs stay as history)."""
        ...

    async def claim_slot(self, run: PatrolRun) -> bool:
        """Record ``run`` if its (schedule, slot) has no run yet; False if it already had one."""
        ...

    async def update_run(self, run: PatrolRun) -> None:
        """Replace the stored record of ``run``."""
        ...

    async def list_runs(self, schedule_id: str | None = None) -> list[PatrolRun]:
        """Runs, oldest slot first (of one schedule, or all)."""
        ...

    async def get_cursor(self, schedule_id: str) -> datetime | None:
        """The latest slot of a schedule already dealt with."""
        ...

    async def set_cursor(self, schedule_id: str, slot: datetime) -> None:
        """Move a schedule's cursor forward to ``slot``."""
        ...


class _StoreFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = FILE_VERSION
    schedules: dict[str, PatrolSchedule] = Field(default_factory=dict)
    runs: list[PatrolRun] = Field(default_factory=list)
    cursors: dict[str, AwareDatetime] = Field(default_factory=dict)

    @field_validator("version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v != FILE_VERSION:
            raise ValueError(f"unknown store file version {v}")
        return v


class JsonFileStore:
    """A ``ScheduleStore`` in one JSON file, rewritten atomically (temp file, fsync, rename).

    A file that cannot be read raises ``StoreError`` and is left as it is: nothing stored is lost.
    """

    def __init__(self, path: str | Path, *, history_per_schedule: int = 1000) -> None:
        self.path = Path(path)
        self.history_per_schedule = history_per_schedule
        self._lock = asyncio.Lock()
        self._data = self._load()

    def _load(self) -> _StoreFile:
        if not self.path.exists():
            return _StoreFile()
        try:
            raw = self.path.read_bytes()
            return _StoreFile.model_validate_json(raw)
        except (OSError, ValidationError, ValueError) as exc:
            text = str(exc).replace("\n", " ")[:300]
            raise StoreError(f"schedule store {self.path} is unreadable, left untouched: {text}") from None

    async def _save(self) -> None:
        body = self._data.model_dump_json(indent=1).encode()
        await asyncio.to_thread(_atomic_write, self.path, body)

    async def list_schedules(self) -> list[PatrolSchedule]:
        """Every schedule."""
        return list(self._data.schedules.values())

    async def put_schedule(self, schedule: PatrolSchedule) -> None:
        """Create or replace a schedule."""
        async with self._lock:
            self._data.schedules[schedule.schedule_id] = schedule
            await self._save()

    async def delete_schedule(self, schedule_id: str) -> None:
        """Remove a schedule; its runs stay."""
        async with self._lock:
            self._data.schedules.pop(schedule_id, None)
            await self._save()

    async def claim_slot(self, run: PatrolRun) -> bool:
        """Record ``run`` unless its slot already has a run."""
        async with self._lock:
            if any(r.schedule_id == run.schedule_id and r.slot == run.slot for r in self._data.runs):
                return False
            self._data.runs.append(run.model_copy())
            self._prune(run.schedule_id)
            await self._save()
            return True

    async def update_run(self, run: PatrolRun) -> None:
        """Replace a run's record."""
        async with self._lock:
            for i, stored in enumerate(self._data.runs):
                if stored.schedule_id == run.schedule_id and stored.slot == run.slot:
                    self._data.runs[i] = run.model_copy()
                    await self._save()
                    return
            raise StoreError(f"no run {run.run_id} to update")

    async def list_runs(self, schedule_id: str | None = None) -> list[PatrolRun]:
        """Runs, oldest slot first."""
        runs = [r.model_copy() for r in self._data.runs if schedule_id in (None, r.schedule_id)]
        return sorted(runs, key=lambda r: r.slot)

    async def get_cursor(self, schedule_id: str) -> datetime | None:
        """The latest slot already dealt with."""
        return self._data.cursors.get(schedule_id)

    async def set_cursor(self, schedule_id: str, slot: datetime) -> None:
        """Move the cursor forward (never back)."""
        async with self._lock:
            current = self._data.cursors.get(schedule_id)
            if current is None or slot > current:
                self._data.cursors[schedule_id] = slot
                await self._save()

    def _prune(self, schedule_id: str) -> None:
        mine = [r for r in self._data.runs if r.schedule_id == schedule_id]
        excess = len(mine) - self.history_per_schedule
        if excess > 0:
            finished = sorted((r for r in mine if r.status.final), key=lambda r: r.slot)
            drop = {id(r) for r in finished[:excess]}
            self._data.runs = [r for r in self._data.runs if id(r) not in drop]


def _atomic_write(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


