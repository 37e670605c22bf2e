"""Zone attributes as plain key/value properties, shared by the GeoJSON and KML formats.

Keys: ``name``, ``kind`` (no_fly / operating_area / altitude_limit), ``floor_m``, ``ceiling_m``,
``altitude_ref`` (amsl / home), ``schedule`` (an object, see below), ``source``,
``source_detail``; circles add ``radius_m``. Schedules are written as
``{"type": "window", "start": ISO-8601, "end": ISO-8601}`` or ``{"type": "weekly",
"weekdays": [0..6 (Monday=0)], "start": "HH:MM", "end": "HH:MM", "tz": "Asia/Shanghai",
"valid_from": ISO-8601 (optional), "valid_until": ISO-8601 (optional)}``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from geofence._exceptions import FormatError, GeofenceError
from geofence._geo import coordinate_problem
from geofence._schedule import Schedule, TimeWindow, WeeklySchedule
from geofence._zone import AltitudeRef, Shape, Zone, ZoneKind, ZoneSource

KNOWN_KEYS = frozenset({"id", "name", "kind", "floor_m", "ceiling_m", "altitude_ref", "schedule",
                        "source", "source_detail", "radius_m"})
_LOOKS_LIKE_OURS = re.compile(r"floor|ceil|radius|alt|kind|schedule|zone", re.IGNORECASE)
"""Unknown keys that look like a misspelt zone attribute are refused rather than ignored."""

ErrorFactory = Callable[[str], FormatError]


@dataclass(frozen=True, slots=True)
class ReadContext:
    """How a reader builds zones: its error type and the defaults the caller chose."""

    error: ErrorFactory
    default_kind: ZoneKind | None
    source: ZoneSource
    source_detail: str


def zone_properties(zone: Zone) -> dict[str, Any]:
    """A zone's attributes (everything but its id and shape) as JSON-ready properties."""
    props: dict[str, Any] = {"name": zone.name, "kind": zone.kind.value}
    if zone.floor_m is not None:
        props["floor_m"] = zone.floor_m
    if zone.ceiling_m is not None:
        props["ceiling_m"] = zone.ceiling_m
    if zone.floor_m is not None or zone.ceiling_m is not None:
        props["altitude_ref"] = zone.altitude_ref.value
    if zone.schedule is not None:
        props["schedule"] = schedule_to_dict(zone.schedule)
    props["source"] = zone.source.value
    if zone.source_detail:
        props["source_detail"] = zone.source_detail
    return props


def schedule_to_dict(schedule: Schedule) -> dict[str, Any]:
    """A schedule as a JSON-ready object."""
    if isinstance(schedule, TimeWindow):
        return {"type": "window", "start": schedule.start.isoformat(), "end": schedule.end.isoformat()}
    out: dict[str, Any] = {
        "type": "weekly", "weekdays": sorted(schedule.weekdays),
        "start": schedule.start.strftime("%H:%M"), "end": schedule.end.strftime("%H:%M"),
        "tz": schedule.tz,
    }
    if schedule.valid_from is not None:
        out["valid_from"] = schedule.valid_from.isoformat()
    if schedule.valid_until is not None:
        out["valid_until"] = schedule.valid_until.isoformat()
    return out


def zone_from_properties(
    props: Mapping[str, Any], shape: Shape, *, zone_id: str, where: str, context: ReadContext,
) -> Zone:
    """A zone from properties and a shape; any problem becomes the reader's error naming ``where``."""
    error, default_kind = context.error, context.default_kind
    source, source_detail = context.source, context.source_detail
    unknown = [k for k in props if k not in KNOWN_KEYS and _LOOKS_LIKE_OURS.search(k)]
    if unknown:
        raise error(f"{where}: unknown property {unknown[0]!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
    kind_value = props.get("kind", default_kind.value if default_kind else None)
    if kind_value is None:
        raise error(f"{where}: no 'kind' property and no default kind given")
    try:
        return Zone(
            id=zone_id,
            name=str(props.get("name") or zone_id),
            kind=ZoneKind(kind_value),
            shape=shape,
            floor_m=_number(props.get("floor_m"), "floor_m"),
            ceiling_m=_number(props.get("ceiling_m"), "ceiling_m"),
            altitude_ref=AltitudeRef(props.get("altitude_ref", AltitudeRef.AMSL.value)),
            schedule=schedule_from_dict(props["schedule"]) if props.get("schedule") else None,
            source=ZoneSource(props.get("source", source.value)),
            source_detail=str(props.get("source_detail", source_detail)),
        )
    except (GeofenceError, ValueError, TypeError, KeyError) as exc:
        raise error(f"{where}: {exc}") from exc


def schedule_from_dict(data: Any) -> Schedule:
    """A schedule from its JSON object form (see the module docstring)."""
    if not isinstance(data, Mapping):
        raise TypeError(f"schedule {data!r} is not an object")
    kind = data.get("type")
    if kind == "window":
        return TimeWindow(_instant(data.get("start")), _instant(data.get("end")))
    if kind == "weekly":
        days = data.get("weekdays")
        if not isinstance(days, list) or not all(isinstance(d, int) for d in days):
            raise ValueError(f"weekly schedule weekdays {days!r} are not a list of 0..6")
        bounds = {k: _instant(data[k]) for k in ("valid_from", "valid_until") if data.get(k)}
        return WeeklySchedule(frozenset(days), _clock(data.get("start")), _clock(data.get("end")),
                              tz=str(data.get("tz", "Asia/Shanghai")), **bounds)
    raise ValueError(f"schedule type {kind!r} is neither 'window' nor 'weekly'")


def check_lat_lon(lat: float, lon: float, where: str, error: ErrorFactory, order: str) -> None:
    """Refuse a bad position, naming where it is and the coordinate order the format uses."""
    problem = coordinate_problem(lat, lon)
    if problem:
        raise error(f"{where}: {problem} (this format stores {order})")


def number(value: Any, what: str, where: str, error: ErrorFactory) -> float:
    """A finite float, or ``error`` naming the value."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise error(f"{where}: {what} {value!r} is not a number")
    try:
        result = float(value)
    except ValueError:
        raise error(f"{where}: {what} {value!r} is not a number") from None
    if not math.isfinite(result):
        raise error(f"{where}: {what} {value!r} is not a finite number")
    return result


def _number(value: Any, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise TypeError(f"{what} {value!r} is not a number")
    return float(value)


def _instant(value: Any) -> datetime:
    if not isinstance(value, str):
        raise TypeError(f"time {value!r} is not an ISO-8601 string")
    return datetime.fromisoformat(value)


def _clock(value: Any) -> time:
    if not isinstance(value, str):
        raise TypeError(f"clock time {value!r} is not an 'HH:MM' string")
    return time.fromisoformat(value)
