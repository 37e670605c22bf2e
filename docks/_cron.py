"""Cron expressions (five fields: minute hour day-of-month month day-of-week) in a time zone.

``*``, lists ``a,b``, ranges ``a-b``, steps ``*/n`` and ``a-b/n``, month and weekday names
(``JAN``, ``MON``), Sunday as 0 or 7. As in cron, when both day fields are restricted a day
matches if either does. Slots are computed in local wall time and returned in UTC; a local time
that does not exist (a DST gap) is skipped, an ambiguous one fires once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1)}
_DAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
SEARCH_DAYS = 366 * 8 + 2  # enough to find Feb 29 on a given weekday


def _field(text: str, low: int, high: int, names: dict[str, int], what: str) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ValueError(f"empty list item in {what} field {text!r}")
        rng, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"bad step {step_text!r} in {what} field")
            step = int(step_text)
        if rng == "*":
            start, end = low, high
        else:
            first, dash, last = rng.partition("-")
            start = _value(first, names, what)
            end = _value(last, names, what) if dash else (high if step_text else start)
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise ValueError(f"{what} {rng!r} outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int], what: str) -> int:
    if text.isdigit():
        return int(text)
    if text.upper() in names:
        return names[text.upper()]
    raise ValueError(f"bad {what} value {text!r}")


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed five-field cron expression."""

    text: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    @classmethod
    def parse(cls, text: str) -> CronSpec:
        """Parse ``text`` or raise ``ValueError`` saying what is wrong."""
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(f"cron needs 5 fields (minute hour day month weekday), got {text!r}")
        minute, hour, day, month, weekday = fields
        weekdays = _field(weekday, 0, 7, _DAYS, "weekday")
        return cls(
            text=" ".join(fields),
            minutes=_field(minute, 0, 59, {}, "minute"),
            hours=_field(hour, 0, 23, {}, "hour"),
            days=_field(day, 1, 31, {}, "day"),
            months=_field(month, 1, 12, _MONTHS, "month"),
            weekdays=frozenset(d % 7 for d in weekdays),
            any_day=day == "*",
            any_weekday=weekday == "*",
        )

    def day_matches(self, day: date) -> bool:
        """True if the cron fires on this local date."""
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.weekday() + 1) % 7 in self.weekdays
        if self.any_day and self.any_weekday:
            return True
        if self.any_day:
            return dow
        if self.any_weekday:
            return dom
        return dom or dow

    def matches(self, at: datetime, tz: ZoneInfo) -> bool:
        """True if ``at`` (aware) is a slot of this cron in ``tz``."""
        local = at.astimezone(tz)
        return (
            local.second == 0 and local.microsecond == 0 and local.minute in self.minutes
            and local.hour in self.hours and self.day_matches(local.date())
        )

    def slots_after(self, after: datetime, tz: ZoneInfo) -> Iterator[datetime]:
        """Slots strictly after ``after`` (aware), in order, as aware UTC datetimes."""
        if after.tzinfo is None:
            raise ValueError("slots_after needs an aware datetime")
        local_after = after.astimezone(tz).replace(tzinfo=None)
        day = local_after.date()
        for _ in range(SEARCH_DAYS):
            if self.day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        naive = datetime.combine(day, time(hour, minute))
                        if naive <= local_after:
                            continue
                        aware = naive.replace(tzinfo=tz)
                        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
                            continue  # the wall time does not exist that day (DST gap)
                        slot = aware.astimezone(UTC)
                        if slot > after:
                            yield slot
            day += timedelta(days=1)

    def next_after(self, after: datetime, tz: ZoneInfo) -> datetime | None:
        """The first slot strictly after ``after``, or None within eight years."""
        return next(self.slots_after(after, tz), None)
