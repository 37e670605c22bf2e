"""When a zone applies: a one-off time window or a weekly recurring schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from geofence._exceptions import GeofenceError

DEFAULT_SCHEDULE_TZ = "Asia/Shanghai"
"""Local time zone of weekly schedules unless one is given (the station's display zone)."""


def require_aware(moment: datetime, what: str) -> datetime:
    """Refuse naive datetimes: a zone's hours are meaningless without a time zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise GeofenceError(f"{what} {moment.isoformat()} has no time zone; give an aware datetime")
    return moment


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """A one-off window (e.g. a temporary zone around an event): active for start <= t < end."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "time window start")
        require_aware(self.end, "time window end")
        if not self.start < self.end:
            raise GeofenceError(
                f"time window ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})")

    def is_active(self, at: datetime) -> bool:
        """True while ``at`` lies inside the window."""
        return self.start <= require_aware(at, "check time") < self.end

    def describe(self) -> str:
        """Short human text of the window."""
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


@dataclass(frozen=True, slots=True)
class WeeklySchedule:
    """Recurring local hours on chosen weekdays (0 = Monday); end before start runs past midnight.

    ``valid_from``/``valid_until`` optionally bound the whole recurrence.
    """

    weekdays: frozenset[int]
    start: time
    end: time
    tz: str = DEFAULT_SCHEDULE_TZ
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not self.weekdays or not all(isinstance(d, int) and 0 <= d <= 6 for d in self.weekdays):
            raise GeofenceError(f"weekly schedule weekdays {sorted(self.weekdays)} must be 0..6 (Monday=0)")
        if self.start == self.end:
            raise GeofenceError("weekly schedule start and end are equal: give distinct times")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise GeofenceError("weekly schedule times are local wall-clock times: set tz instead")
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise GeofenceError(f"unknown time zone {self.tz!r} in weekly schedule") from exc
        for bound, name in ((self.valid_from, "valid_from"), (self.valid_until, "valid_until")):
            if bound is not None:
                require_aware(bound, f"weekly schedule {name}")
        if self.valid_from and self.valid_until and not self.valid_from < self.valid_until:
            raise GeofenceError("weekly schedule valid_until is not after valid_from")

    def is_active(self, at: datetime) -> bool:
        """True when ``at`` falls on one of the weekly hours (and inside the validity bounds)."""
        require_aware(at, "check time")
        if self.valid_from is not None and at < self.valid_from:
            return False
        if self.valid_until is not None and at >= self.valid_until:
            return False
        local = at.astimezone(ZoneInfo(self.tz))
        clock = local.time().replace(tzinfo=None)
        if self.start < self.end:
            return local.weekday() in self.weekdays and self.start <= clock < self.end
        if clock >= self.start:  # evening part of an overnight window starts on its own day
            return local.weekday() in self.weekdays
        if clock < self.end:  # early-morning part belongs to the previous day's window
            return (local - timedelta(days=1)).weekday() in self.weekdays
        return False

    def describe(self) -> str:
        """Short human text of the schedule."""
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = ",".join(names[d] for d in sorted(self.weekdays))
        return f"{days} {self.start.strftime('%H:%M')}-{self.end.strftime('%H:%M')} {self.tz}"


Schedule = TimeWindow | WeeklySchedule
