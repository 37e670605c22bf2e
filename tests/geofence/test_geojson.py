"""GeoJSON (RFC 7946) import and export: round trips, lat/lon order, bad documents."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given

from geofence import GeoJSONError, ZoneKind, ZoneSource, zones_from_geojson, zones_to_geojson
from tests.geofence.conftest import PROPERTY, YONGZHOU, square
from tests.geofence.strategies import same_zone, zone_lists

LAT, LON = YONGZHOU


@PROPERTY
@given(zone_lists())
def test_round_trip_keeps_every_attribute(zones: list) -> None:
    text = json.dumps(zones_to_geojson(zones))
    back = zones_from_geojson(text)
    assert len(back) == len(zones)
    assert all(same_zone(a, b) for a, b in zip(zones, back, strict=True))


def _feature(coords: list, geometry: str = "Polygon", **props: object) -> dict:
    return {"type": "Feature", "id": "f1", "geometry": {"type": geometry, "coordinates": coords},
            "properties": {"name": "School", "kind": "no_fly", **props}}


def _square_lon_lat() -> list:
    ring = [[lon, lat] for lat, lon in square(LAT, LON, 200)]
    return [ring + [ring[0]]]


def test_reads_a_hand_written_feature_collection() -> None:
    doc = {"type": "FeatureCollection", "features": [
        _feature(_square_lon_lat(), ceiling_m=120, altitude_ref="home", operator="Education bureau"),
        _feature([LON, LAT], "Point", radius_m=500, kind="operating_area"),
    ]}
    doc["features"][1]["id"] = 7
    first, second = zones_from_geojson(doc, source_detail="city list")
    assert first.kind is ZoneKind.NO_FLY and first.ceiling_m == 120 and first.source_detail == "city list"
    assert first.source is ZoneSource.IMPORTED_FILE
    assert second.id == "7" and second.shape.radius_m == 500


def test_lat_lon_order_is_flagged_not_swapped() -> None:
    swapped = [[[lat, lon] for lon, lat in _square_lon_lat()[0]]]
    with pytest.raises(GeoJSONError, match=r"feature 0 \('School'\).*look swapped.*\[longitude, latitude\]"):
        zones_from_geojson(json.dumps({"type": "FeatureCollection", "features": [_feature(swapped)]}))


def test_ambiguous_order_is_flagged_with_a_hint_of_the_area() -> None:
    # near Zurich (47.4 N, 8.5 E) both orders are in range: only the expected area tells
    ring = [[47.40, 8.54], [47.40, 8.56], [47.41, 8.56], [47.41, 8.54], [47.40, 8.54]]
    doc = _feature([ring])
    assert zones_from_geojson(doc)  # readable as lon/lat (in the Arctic Ocean off Somalia...)
    with pytest.raises(GeoJSONError, match=r"\[latitude, longitude\] order"):
        zones_from_geojson(doc, near=(47.4, 8.55))
    correct = _feature([[[lon, lat] for lat, lon in ring]])
    assert zones_from_geojson(correct, near=(47.4, 8.55))


@pytest.mark.parametrize("doc, message", [
    (b"\xff\xfe", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"type": "Polygon", "coordinates": []}', "FeatureCollection or Feature"),
    ({"type": "FeatureCollection"}, "no 'features' list"),
    ({"type": "FeatureCollection", "features": [1]}, "feature 0: not a GeoJSON Feature"),
    (_feature([[[111.6, 26.4], [111.61, 26.4]]]), "at least 3"),
    (_feature([[[111.6, 26.4], [111.61, 26.41], [111.61, 26.4], [111.6, 26.41]]]), "crosses itself"),
    (_feature([[[111.6, "x"], [111.61, 26.4], [111.6, 26.41]]]), "latitude 'x' is not a number"),
    (_feature([[[111.6, float("nan")], [111.61, 26.4], [111.6, 26.41]]]), "not a finite"),
    (_feature([LON, LAT], "Point"), "needs a 'radius_m'"),
    (_feature([LON, LAT], "Point", radius_m=0), "zero, negative"),
    (_feature([LON, LAT], "Point", radius_m=1e9), "kilometres given as metres"),
    (_feature([[LON, LAT], [LON, LAT + 1]], "LineString"), "'LineString' is not a zone"),
    (_feature(_square_lon_lat(), ceilling_m=100), "unknown property 'ceilling_m'"),
    (_feature(_square_lon_lat(), kind="forbidden"), "'forbidden' is not a valid ZoneKind"),
    (_feature(_square_lon_lat(), schedule={"type": "monthly"}), "schedule type 'monthly'"),
    ({**_feature(_square_lon_lat()), "geometry": None}, "has no geometry"),
    ({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:3857"}},
      "features": []}, "EPSG:3857"),
])
def test_bad_documents_get_a_clear_error(doc: object, message: str) -> None:
    with pytest.raises(GeoJSONError, match=message):
        zones_from_geojson(doc)  # type: ignore[arg-type]


def test_missing_kind_needs_a_default() -> None:
    feature = _feature(_square_lon_lat())
    del feature["properties"]["kind"]
    with pytest.raises(GeoJSONError, match="no 'kind' property"):
        zones_from_geojson(feature)
    [zone] = zones_from_geojson(feature, default_kind=ZoneKind.NO_FLY)
    assert zone.kind is ZoneKind.NO_FLY


def test_multipolygon_becomes_one_zone_per_part() -> None:
    part = _square_lon_lat()
    other = [[[lon + 0.1, lat] for lon, lat in part[0]]]
    a, b = zones_from_geojson(_feature([part, other], "MultiPolygon"))
    assert (a.id, b.id) == ("f1/1", "f1/2")


def test_writer_winds_outlines_counter_clockwise() -> None:
    zones = zones_from_geojson(_feature([list(reversed(_square_lon_lat()[0]))]))
    ring = zones_to_geojson(zones)["features"][0]["geometry"]["coordinates"][0]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    assert area2 > 0
