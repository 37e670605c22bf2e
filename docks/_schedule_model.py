"""A patrol schedule: which dock flies which route, when (cron or once), and what to do about
slots the station missed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from docks._cron import CronSpec

_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class MissedPolicy(StrEnum):
    """What to do with slots that passed while the station was not running."""

    SKIP = "skip"  # record every missed slot; fly none of them
    RUN_LATEST = "run_latest"  # fly the latest one if still within the catch-up window


class PatrolSchedule(BaseModel):
    """One dock flying one route on a cron (in a time zone) or once at a given time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schedule_id: str = Field(pattern=_ID)
    dock_id: str = Field(pattern=_ID)
    route_id: str = Field(min_length=1, max_length=128)
    cron: str | None = None
    at: AwareDatetime | None = None
    timezone: str = "Asia/Shanghai"
    missed: MissedPolicy = MissedPolicy.RUN_LATEST
    enabled: bool = True
    created_at: AwareDatetime

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, v: str | None) -> str | None:
        if v is not None:
            CronSpec.parse(v)
        return v

    @field_validator("timezone")
    @classmethod
    def _zone_exists(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v

    @model_validator(mode="after")
    def _cron_or_once(self) -> PatrolSchedule:
        if (self.cron is None) == (self.at is None):
            raise ValueError("a schedule has either a cron or a one-off time 'at', not both")
        return self

    def slots_after(self, after: datetime) -> Iterator[datetime]:
        """Slots strictly after ``after``, in order (aware UTC)."""
        if self.at is not None:
            if self.at > after:
                yield self.at
            return
        assert self.cron is not None
        yield from CronSpec.parse(self.cron).slots_after(after, ZoneInfo(self.timezone))

    def next_slot(self, after: datetime) -> datetime | None:
        """The first slot after ``after``, or None."""
        return next(self.slots_after(after), None)
