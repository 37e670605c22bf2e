"""QGroundControl plan-file geoFence sections: round trips, QGC's own layout, bad sections."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import given

from geofence import (
    GeoPoint,
    PlanFileError,
    TimeWindow,
    Zone,
    ZoneKind,
    ZoneSet,
    geofence_section_from_plan,
    geofence_section_to_plan,
)
from tests.geofence.conftest import AT, PROPERTY, YONGZHOU, offset, square
from tests.geofence.strategies import zone_lists

LAT, LON = YONGZHOU

# the layout of QGC's plan-file format description (values are our own)
QGC_SECTION = {
    "circles": [{"circle": {"center": [LAT, LON], "radius": 319.85}, "inclusion": False, "version": 1}],
    "polygons": [{"inclusion": True, "polygon": [[LAT + 0.01, LON - 0.01], [LAT + 0.01, LON + 0.01],
                                                 [LAT - 0.01, LON + 0.01], [LAT - 0.01, LON - 0.01]],
                  "version": 1}],
    "breachReturn": [LAT + 0.005, LON, 50.0],
    "version": 2,
}


def test_reads_qgc_layout() -> None:
    fence = geofence_section_from_plan(json.loads(json.dumps(QGC_SECTION)))
    area, circle = fence.zones
    assert (area.id, area.kind) == ("plan-polygon-0", ZoneKind.OPERATING_AREA)
    assert (circle.id, circle.kind, circle.shape.radius_m) == ("plan-circle-0", ZoneKind.NO_FLY, 319.85)
    assert fence.breach_return == GeoPoint(LAT + 0.005, LON, 50.0)


def test_written_section_has_qgc_layout() -> None:
    fence = geofence_section_from_plan(QGC_SECTION)
    out = geofence_section_to_plan(fence.zones, breach_return=fence.breach_return)
    assert out == QGC_SECTION


@PROPERTY
@given(zone_lists(horizontal=True))
def test_round_trip_keeps_shapes_and_kinds(zones: list) -> None:
    back = geofence_section_from_plan(json.loads(json.dumps(geofence_section_to_plan(zones)))).zones
    polygons = [z for z in zones if hasattr(z.shape, "exterior")]
    circles = [z for z in zones if not hasattr(z.shape, "exterior")]
    assert [(z.kind, z.shape) for z in back] == [(z.kind, z.shape) for z in polygons + circles]


def test_operating_area_hole_becomes_an_exclusion_with_the_same_meaning() -> None:
    donut = Zone.polygon("d", "Donut", ZoneKind.OPERATING_AREA, square(LAT, LON, 2_000),
                         [square(LAT, LON, 500)])
    back = geofence_section_from_plan(geofence_section_to_plan([donut])).zones
    assert [z.kind for z in back] == [ZoneKind.OPERATING_AREA, ZoneKind.NO_FLY]
    for east in (0, 1_000, 3_000):
        p = GeoPoint(*offset(LAT, LON, 90, east), 50) if east else GeoPoint(LAT, LON, 50)
        assert bool(ZoneSet([donut]).check_point(p, at=AT)) == bool(ZoneSet(back).check_point(p, at=AT))


@pytest.mark.parametrize("zone, message", [
    (Zone.circle("a", "Low", ZoneKind.ALTITUDE_LIMIT, LAT, LON, 100, ceiling_m=60), "FENCE_ALT_MAX"),
    (Zone.circle("b", "Band", ZoneKind.NO_FLY, LAT, LON, 100, floor_m=30), "floor or ceiling"),
    (Zone.circle("c", "Event", ZoneKind.NO_FLY, LAT, LON, 100,
                 schedule=TimeWindow(AT, AT + timedelta(hours=2))), "no hours"),
])
def test_what_a_plan_cannot_say_is_refused(zone: Zone, message: str) -> None:
    with pytest.raises(PlanFileError, match=f"'{zone.name}'.*{message}"):
        geofence_section_to_plan([zone])


def _with(**changes: object) -> dict:
    section = json.loads(json.dumps(QGC_SECTION))
    section.update(changes)
    return section


@pytest.mark.parametrize("section, message", [
    ([], "not a JSON object"),
    (_with(version=1), "version 1 is not supported"),
    (_with(fenceAction=2), "unknown key 'fenceAction'"),
    (_with(polygons=None), "'polygons' and 'circles' lists"),
    (_with(polygons=[{"inclusion": True, "polygon": [[LAT, LON], [LAT, LON + 0.01]], "version": 1}]),
     "geoFence polygon 0.*at least 3"),
    (_with(polygons=[{"inclusion": "yes", "polygon": [], "version": 1}]), "true or false"),
    (_with(polygons=[{"inclusion": True, "polygon": [[LON, LAT], [LON, LAT + 0.01], [LON + 0.01, LAT]],
                      "version": 1}]), r"look swapped.*\[latitude, longitude\]"),
    (_with(circles=[{"circle": {"center": [LAT, LON], "radius": 0}, "inclusion": False, "version": 1}]),
     "geoFence circle 0.*zero, negative"),
    (_with(circles=[{"circle": {"center": [LAT, LON], "radius": 5e6}, "inclusion": False, "version": 1}]),
     "kilometres given as metres"),
    (_with(circles=[{"circle": {"centre": [LAT, LON], "radius": 5}, "inclusion": False, "version": 1}]),
     "exactly 'center' and 'radius'"),
    (_with(circles=[{"circle": {"center": [LAT, float("nan")], "radius": 5}, "inclusion": False,
                     "version": 1}]), "not a finite"),
    (_with(breachReturn=[LAT, LON]), "breachReturn"),
])
def test_bad_sections_get_a_clear_error(section: object, message: str) -> None:
    with pytest.raises(PlanFileError, match=message):
        geofence_section_from_plan(section)  # type: ignore[arg-type]
