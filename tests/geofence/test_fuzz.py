"""Hostile input to every reader: garbage gets the reader's own error, never a crash."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from geofence import (
    FenceItemError,
    GeoJSONError,
    KMLError,
    MavCmd,
    MavFrame,
    MissionItem,
    MissionType,
    PlanFileError,
    ZoneKind,
    fence_items_to_zones,
    geofence_section_from_plan,
    zones_from_geojson,
    zones_from_kml,
    zones_to_geojson,
    zones_to_kml,
)
from tests.geofence.conftest import PROPERTY
from tests.geofence.strategies import zone_lists

json_values = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=True) | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(["type", "features", "geometry", "coordinates", "properties", "id", "kind",
                         "radius_m", "polygons", "circles", "version", "polygon", "circle",
                         "inclusion", "center", "radius", "breachReturn", "name"]), inner, max_size=6),
    max_leaves=30)


@settings(PROPERTY, max_examples=300)
@given(json_values)
def test_geojson_reader_refuses_garbage_with_its_error(value: object) -> None:
    try:
        zones_from_geojson(value if isinstance(value, dict) else json.dumps(value),
                           default_kind=ZoneKind.NO_FLY)
    except GeoJSONError:
        pass


@settings(PROPERTY, max_examples=300)
@given(json_values)
def test_plan_reader_refuses_garbage_with_its_error(value: object) -> None:
    try:
        geofence_section_from_plan(value)  # type: ignore[arg-type]
    except PlanFileError:
        pass


@PROPERTY
@given(zone_lists(), st.data())
def test_mutated_geojson_fails_cleanly(zones: list, data: st.DataObject) -> None:
    text = json.dumps(zones_to_geojson(zones))
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=5))
    try:
        zones_from_geojson(text[:cut] + junk + text[cut + len(junk):])
    except GeoJSONError:
        pass


@PROPERTY
@given(zone_lists(), st.data())
def test_mutated_kml_fails_cleanly(zones: list, data: st.DataObject) -> None:
    text = zones_to_kml(zones)
    cut = data.draw(st.integers(0, len(text)))
    junk = data.draw(st.text(max_size=5))
    try:
        zones_from_kml(text[:cut] + junk + text[cut + len(junk):])
    except KMLError:
        pass


@settings(PROPERTY, max_examples=200)
@given(st.binary(max_size=200))
def test_kml_reader_refuses_random_bytes(data: bytes) -> None:
    try:
        zones_from_kml(data)
    except KMLError:
        pass


fence_commands = st.sampled_from([*range(5000, 5005), 16])
fence_items = st.builds(
    MissionItem, command=fence_commands, frame=st.sampled_from([MavFrame.GLOBAL, MavFrame.GLOBAL_INT, 1]),
    param1=st.floats(allow_nan=True) | st.sampled_from([3.0, 4.0, 100.0]),
    param2=st.floats(allow_nan=True) | st.just(0.0),
    x=st.integers(-2_000_000_000, 2_000_000_000), y=st.integers(-2_000_000_000, 2_000_000_000),
    mission_type=st.sampled_from([MissionType.FENCE, MissionType.MISSION]))


@settings(PROPERTY, max_examples=300)
@given(st.lists(fence_items, max_size=8))
def test_fence_item_reader_refuses_garbage_with_its_error(items: list) -> None:
    try:
        fence_items_to_zones(items)
    except FenceItemError:
        pass


def test_fence_command_enum_is_what_the_fuzzer_uses() -> None:
    assert MavCmd.NAV_FENCE_RETURN_POINT == 5000 and MavCmd.NAV_FENCE_CIRCLE_EXCLUSION == 5004
