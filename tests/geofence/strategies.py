"""Hypothesis strategies: valid zones of every kind, anywhere on Earth."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from hypothesis import strategies as st

from geofence import (
    AltitudeRef,
    CircleShape,
    PolygonShape,
    TimeWindow,
    WeeklySchedule,
    Zone,
    ZoneKind,
    ZoneSource,
)
from tests.geofence.conftest import ring

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
                max_size=20).filter(lambda s: s.strip() == s and s.strip())
ids = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)


@st.composite
def schedules(draw: st.DrawFn) -> TimeWindow | WeeklySchedule | None:
    choice = draw(st.sampled_from(["none", "window", "weekly"]))
    if choice == "none":
        return None
    if choice == "window":
        start = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 500_000)))
        return TimeWindow(start, start + timedelta(minutes=draw(st.integers(1, 10_000))))
    start = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    end = time(draw(st.integers(0, 23)), draw(st.integers(0, 59)))
    if start == end:
        end = time((start.hour + 1) % 24, start.minute)
    days = frozenset(draw(st.lists(st.integers(0, 6), min_size=1, max_size=7)))
    return WeeklySchedule(days, start, end, tz=draw(st.sampled_from(["Asia/Shanghai", "UTC"])))


@st.composite
def zones(draw: st.DrawFn, *, horizontal: bool = False, lat_range: float = 85.0) -> Zone:
    """A valid zone; ``horizontal`` keeps to what fence items and plan files can say."""
    lat = draw(st.floats(-lat_range, lat_range))
    lon = draw(st.floats(-180.0, 180.0))
    kinds = [ZoneKind.NO_FLY, ZoneKind.OPERATING_AREA] if horizontal else list(ZoneKind)
    kind = draw(st.sampled_from(kinds))
    radius = draw(st.floats(10.0, 50_000.0))
    shape: CircleShape | PolygonShape
    if draw(st.booleans()):
        shape = CircleShape(lat, lon, radius)
    else:
        n = draw(st.integers(3, 12))
        azimuths = [i * 360.0 / n + draw(st.floats(-10, 10)) for i in range(n)]
        holes = ()
        if not horizontal and n >= 6 and draw(st.booleans()):
            holes = (tuple(ring(lat, lon, radius * 0.2, [0.0, 120.0, 240.0])),)
        shape = PolygonShape(tuple(ring(lat, lon, radius, azimuths)), holes)
    floor = ceiling = None
    if not horizontal:
        floor = draw(st.one_of(st.none(), st.floats(-100, 500)))
        ceiling = draw(st.one_of(st.none(), st.floats(600, 5_000)))
        if kind is ZoneKind.ALTITUDE_LIMIT and floor is None and ceiling is None:
            ceiling = 120.0
    return Zone(
        id=draw(ids), name=draw(names), kind=kind, shape=shape, floor_m=floor, ceiling_m=ceiling,
        altitude_ref=draw(st.sampled_from(list(AltitudeRef))),
        schedule=None if horizontal else draw(schedules()),
        source=draw(st.sampled_from(list(ZoneSource))), source_detail=draw(st.sampled_from(["", "list 7"])),
    )


def zone_lists(**kw: object) -> st.SearchStrategy[list[Zone]]:
    return st.lists(zones(**kw), min_size=1, max_size=6, unique_by=lambda z: z.id)  # type: ignore[arg-type]


def same_ring(a: tuple, b: tuple) -> bool:
    """Equal rings, allowing the other winding with the same first vertex."""
    return tuple(a) == tuple(b) or (tuple(a) == (b[0], *reversed(b[1:])))


def same_zone(a: Zone, b: Zone) -> bool:
    """Equal zones, up to ring winding."""
    if (a.id, a.name, a.kind, a.floor_m, a.ceiling_m, a.schedule, a.source, a.source_detail) != (
            b.id, b.name, b.kind, b.floor_m, b.ceiling_m, b.schedule, b.source, b.source_detail):
        return False
    if (a.floor_m, a.ceiling_m) != (None, None) and a.altitude_ref is not b.altitude_ref:
        return False
    if isinstance(a.shape, CircleShape):
        return a.shape == b.shape
    return (isinstance(b.shape, PolygonShape) and same_ring(a.shape.exterior, b.shape.exterior)
            and len(a.shape.holes) == len(b.shape.holes)
            and all(same_ring(x, y) for x, y in zip(a.shape.holes, b.shape.holes, strict=True)))
