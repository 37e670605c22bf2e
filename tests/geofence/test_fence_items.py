"""Zones to and from MAVLink fence items: round trips, what autopilots cannot take, bad items."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geofence import (
    FenceItemError,
    GeoPoint,
    MavCmd,
    MavFrame,
    MissionItem,
    MissionType,
    TimeWindow,
    Zone,
    ZoneKind,
    ZoneSet,
    ZoneSource,
    fence_items_to_zones,
    return_point_from_fence_items,
    zones_to_fence_items,
)
from tests.geofence.conftest import AT, PROPERTY, YONGZHOU, offset, ring, square

LAT, LON = YONGZHOU


def area() -> Zone:
    return Zone.polygon("city", "City", ZoneKind.OPERATING_AREA, square(LAT, LON, 10_000))


def prison() -> Zone:
    return Zone.circle("prison", "Prison", ZoneKind.NO_FLY, LAT, LON, 500)


def test_items_follow_the_mavlink_definitions() -> None:
    items = zones_to_fence_items([area(), prison()], GeoPoint(LAT + 0.01, LON, 150))
    assert [i.command for i in items] == [MavCmd.NAV_FENCE_RETURN_POINT] + [
        MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION] * 4 + [MavCmd.NAV_FENCE_CIRCLE_EXCLUSION]
    assert all(i.mission_type is MissionType.FENCE and i.frame is MavFrame.GLOBAL for i in items)
    assert [i.param1 for i in items[1:5]] == [4.0] * 4  # vertex count on every vertex
    assert items[5].param1 == 500.0  # circle radius
    assert items[0].z == 150.0 and items[0].x == round((LAT + 0.01) * 1e7)


def test_round_trip_keeps_shapes_and_kinds() -> None:
    zones = [area(), prison(),
             Zone.polygon("hall", "Hall", ZoneKind.NO_FLY, ring(LAT, LON + 0.02, 300, [0, 120, 240])),
             Zone.circle("park", "Park", ZoneKind.OPERATING_AREA, LAT, LON - 0.2, 2_000)]
    back = fence_items_to_zones(zones_to_fence_items(zones))
    assert [z.kind for z in back] == [z.kind for z in zones]
    assert all(z.source is ZoneSource.VEHICLE for z in back)
    for original, read in zip(zones, back, strict=True):
        if original.kind is ZoneKind.OPERATING_AREA or isinstance(original.shape, type(read.shape)):
            assert type(read.shape) is type(original.shape)
    assert back[1].shape == prison().shape
    for (lat, lon), (lat2, lon2) in zip(zones[2].shape.exterior, back[2].shape.exterior, strict=True):
        assert abs(lat - lat2) <= 0.5e-7 and abs(lon - lon2) <= 0.5e-7


@PROPERTY
@given(st.lists(st.tuples(st.floats(0, 360), st.floats(0, 30_000), st.floats(5, 3_000),
                          st.booleans(), st.booleans()), min_size=1, max_size=12))
def test_round_trip_property(specs: list) -> None:
    zones = []
    for i, (az, d, r, circle, inclusion) in enumerate(specs):
        kind = ZoneKind.OPERATING_AREA if inclusion else ZoneKind.NO_FLY
        c = offset(LAT, LON, az, d)
        zones.append(Zone.circle(f"z{i}", "Z", kind, *c, r) if circle else
                     Zone.polygon(f"z{i}", "Z", kind, ring(*c, r, [10, 100, 200, 300])))
    back = fence_items_to_zones(zones_to_fence_items(zones))
    assert len(back) == len(zones)
    for original, read in zip(zones, back, strict=True):
        assert read.kind is original.kind
        if isinstance(original.shape, type(read.shape)) and hasattr(read.shape, "radius_m"):
            assert read.shape.radius_m == pytest.approx(original.shape.radius_m, rel=1e-6)
            assert read.shape.center_lat_deg == pytest.approx(original.shape.center_lat_deg, abs=1e-7)
        else:
            assert len(read.shape.exterior) == len(original.shape.exterior)


def test_operating_area_hole_becomes_an_exclusion_and_means_the_same() -> None:
    donut = Zone.polygon("d", "Donut", ZoneKind.OPERATING_AREA, square(LAT, LON, 2_000),
                         [square(LAT, LON, 500)])
    back = fence_items_to_zones(zones_to_fence_items([donut]))
    assert [z.kind for z in back] == [ZoneKind.OPERATING_AREA, ZoneKind.NO_FLY]
    original, restored = ZoneSet([donut]), ZoneSet(back)
    for east in (0, 400, 600, 1_500, 2_500):
        p = GeoPoint(*offset(LAT, LON, 90, east), 50) if east else GeoPoint(LAT, LON, 50)
        assert bool(original.check_point(p, at=AT)) == bool(restored.check_point(p, at=AT))


def test_each_operating_area_gets_its_own_inclusion_group() -> None:
    two = [area(), Zone.circle("park", "Park", ZoneKind.OPERATING_AREA, LAT, LON + 0.3, 1_000)]
    items = zones_to_fence_items(two)
    assert [i.param2 for i in items] == [0.0] * 4 + [1.0]


def test_inclusions_sharing_a_group_are_intersected() -> None:
    items = zones_to_fence_items([area(), Zone.circle("c", "C", ZoneKind.OPERATING_AREA,
                                                      *offset(LAT, LON, 90, 10_000), 3_000)])
    same_group = [dataclasses.replace(i, param2=0.0) for i in items]
    [common] = fence_items_to_zones(same_group)
    assert common.kind is ZoneKind.OPERATING_AREA and "intersection" in common.source_detail
    zs = ZoneSet([common])
    assert zs.check_point(GeoPoint(*offset(LAT, LON, 90, 9_000), 50), at=AT) == []
    assert zs.check_point(GeoPoint(*offset(LAT, LON, 90, 11_000), 50), at=AT)  # outside the square
    disjoint = [dataclasses.replace(i, param2=0.0) for i in zones_to_fence_items(
        [area(), Zone.circle("c", "C", ZoneKind.OPERATING_AREA, LAT, LON + 0.5, 1_000)])]
    with pytest.raises(FenceItemError, match="no common area"):
        fence_items_to_zones(disjoint)


def test_return_point_round_trip() -> None:
    items = zones_to_fence_items([prison()], GeoPoint(LAT, LON + 0.01, 180))
    assert return_point_from_fence_items(items) == GeoPoint(LAT, LON + 0.01, 180)
    assert return_point_from_fence_items(items[1:]) is None
    relative = [dataclasses.replace(items[0], frame=MavFrame.GLOBAL_RELATIVE_ALT, z=50.0)]
    assert return_point_from_fence_items(relative, home_amsl_m=100).alt_m == 150
    with pytest.raises(FenceItemError, match="relative to home"):
        return_point_from_fence_items(relative)
    terrain = [dataclasses.replace(items[0], frame=MavFrame.GLOBAL_TERRAIN_ALT_INT)]
    with pytest.raises(FenceItemError, match="above terrain"):
        return_point_from_fence_items(terrain)
    assert fence_items_to_zones([dataclasses.replace(i, frame=MavFrame.GLOBAL_TERRAIN_ALT)
                                 for i in items[1:]])  # vertices in any global frame
    with pytest.raises(FenceItemError, match="at most one"):
        return_point_from_fence_items(items[:1] * 2)


@pytest.mark.parametrize("zone, message", [
    (Zone.polygon("a", "Low", ZoneKind.ALTITUDE_LIMIT, square(LAT, LON, 100), ceiling_m=60),
     "FENCE_ALT_MAX"),
    (Zone.circle("b", "Band", ZoneKind.NO_FLY, LAT, LON, 100, ceiling_m=120), "horizontal_only"),
    (Zone.circle("c", "Event", ZoneKind.NO_FLY, LAT, LON, 100,
                 schedule=TimeWindow(AT, AT + timedelta(hours=1))), "no hours"),
    (Zone.polygon("d", "Ring", ZoneKind.NO_FLY, square(LAT, LON, 1_000), [square(LAT, LON, 100)]),
     "with holes"),
])
def test_what_fence_items_cannot_say_is_refused(zone: Zone, message: str) -> None:
    with pytest.raises(FenceItemError, match=message):
        zones_to_fence_items([zone])


def test_horizontal_only_uploads_banded_zones_at_all_heights() -> None:
    zone = Zone.circle("b", "Band", ZoneKind.NO_FLY, LAT, LON, 100, ceiling_m=120)
    [item] = zones_to_fence_items([zone], horizontal_only=True)
    assert item.command is MavCmd.NAV_FENCE_CIRCLE_EXCLUSION


def test_home_outside_the_fence_is_refused_as_px4_would() -> None:
    zones_to_fence_items([area(), prison()], home=GeoPoint(LAT + 0.02, LON, 0))
    with pytest.raises(FenceItemError, match="'Prison'.*inside_no_fly; PX4 rejects"):
        zones_to_fence_items([area(), prison()], home=GeoPoint(LAT, LON, 0))
    with pytest.raises(FenceItemError, match="outside_operating_area"):
        zones_to_fence_items([area()], home=GeoPoint(LAT + 1, LON, 0))


def _vertex(n: float, lat: float, lon: float, **kw: object) -> MissionItem:
    return MissionItem(command=MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION, frame=MavFrame.GLOBAL,
                       param1=n, x=round(lat * 1e7), y=round(lon * 1e7),
                       mission_type=MissionType.FENCE, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("items, message", [
    ([_vertex(3, LAT, LON), _vertex(3, LAT + 0.01, LON)], "only 2 items remain"),
    ([_vertex(2, LAT, LON), _vertex(2, LAT + 0.01, LON)], "whole number >= 3"),
    ([_vertex(3, LAT, LON), _vertex(4, LAT + 0.01, LON), _vertex(3, LAT, LON + 0.01)], "item 1: breaks"),
    ([_vertex(3, LAT, LON), _vertex(3, LAT + 0.01, LON), _vertex(3, LAT + 0.02, LON)], "invalid|degenerate"),
    ([dataclasses.replace(_vertex(3, LAT, LON), mission_type=MissionType.MISSION)], "not FENCE"),
    ([dataclasses.replace(_vertex(3, LAT, LON), command=MavCmd.NAV_WAYPOINT)], "not a fence command"),
    ([dataclasses.replace(_vertex(3, LAT, LON), frame=1)], "not a global"),
    ([_vertex(3, 95.0, LON)], "out of range"),
    ([MissionItem(command=MavCmd.NAV_FENCE_CIRCLE_EXCLUSION, frame=MavFrame.GLOBAL, param1=0.0,
                  x=round(LAT * 1e7), y=round(LON * 1e7), mission_type=MissionType.FENCE)],
     "radius 0.0"),
    ([MissionItem(command=MavCmd.NAV_FENCE_CIRCLE_INCLUSION, frame=MavFrame.GLOBAL, param1=10.0,
                  param2=1.5, x=round(LAT * 1e7), y=round(LON * 1e7),
                  mission_type=MissionType.FENCE)], "inclusion group 1.5"),
])
def test_malformed_items_are_refused_naming_the_item(items: list, message: str) -> None:
    with pytest.raises(Exception, match=message) as caught:
        fence_items_to_zones(items)
    assert isinstance(caught.value, ValueError)
