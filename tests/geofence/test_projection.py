"""LocalProjection: round trips under 1 cm anywhere, antimeridian, poles and clear refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geofence import LocalProjection, ProjectionError
from geofence._geo import geodesic_distance_m
from tests.geofence.conftest import PROPERTY, offset

lats = st.floats(-90.0, 90.0)
lons = st.floats(-180.0, 180.0)


@PROPERTY
@given(lats, lons, st.lists(st.tuples(st.floats(0, 360), st.floats(0, 199_000)), min_size=1, max_size=20))
def test_round_trip_under_a_centimetre_anywhere(lat: float, lon: float, offsets: list) -> None:
    projection = LocalProjection.for_center(lat, lon)
    points = [offset(lat, lon, az, d) for az, d in offsets]
    p_lat = np.array([p[0] for p in points])
    p_lon = np.array([p[1] for p in points])
    x, y = projection.to_metres(p_lat, p_lon)
    back_lat, back_lon = projection.to_wgs84(x, y)
    assert geodesic_distance_m(p_lat, p_lon, back_lat, back_lon).max() < 0.01


@PROPERTY
@given(lats, lons, st.floats(0, 360), st.floats(1, 150_000))
def test_distance_from_centre_within_half_a_permille(lat: float, lon: float, az: float, d: float) -> None:
    projection = LocalProjection.for_center(lat, lon)
    p = offset(lat, lon, az, d)
    x, y = projection.to_metres(*p)
    assert math.hypot(x, y) == pytest.approx(d, rel=5e-4)


def test_scalars_in_scalars_out() -> None:
    projection = LocalProjection.for_center(26.42, 111.61)
    x, y = projection.to_metres(26.42, 111.61)
    assert isinstance(x, float) and abs(x) < 1e-6 and abs(y) < 1e-6
    lat, lon = projection.to_wgs84(1000.0, 0.0)
    assert isinstance(lat, float) and lon > 111.61


def test_east_is_positive_x_and_north_positive_y() -> None:
    projection = LocalProjection.for_center(26.42, 111.61)
    x_e, y_e = projection.to_metres(*offset(26.42, 111.61, 90.0, 1000.0))
    x_n, y_n = projection.to_metres(*offset(26.42, 111.61, 0.0, 1000.0))
    assert x_e == pytest.approx(1000.0, abs=1) and abs(y_e) < 1
    assert y_n == pytest.approx(1000.0, abs=1) and abs(x_n) < 1e-6


def test_points_straddling_the_antimeridian_get_a_centre_on_it() -> None:
    projection = LocalProjection.for_points([-16.9, -17.1], [179.95, -179.95])
    assert abs(abs(projection.centre.lon_deg) - 180.0) < 1e-3
    x_w, _ = projection.to_metres(-17.0, 179.95)
    x_e, _ = projection.to_metres(-17.0, -179.95)
    assert x_e - x_w == pytest.approx(10_640, rel=0.01)  # 0.1 degree of longitude at 17 S


def test_around_the_north_pole() -> None:
    ring_lon = np.arange(0.0, 360.0, 45.0) - 180.0
    projection = LocalProjection.for_points(np.full(ring_lon.size, 89.9), ring_lon)
    assert projection.centre.lat_deg == pytest.approx(90.0)
    x, y = projection.to_metres(np.full(ring_lon.size, 89.9), ring_lon)
    assert np.hypot(x, y) == pytest.approx(np.full(ring_lon.size, 11_170), rel=0.01)


def test_too_spread_out_points_are_refused() -> None:
    with pytest.raises(ProjectionError, match="split the area"):
        LocalProjection.for_points([26.0, 30.0], [111.0, 116.0])


def test_points_beyond_the_accurate_radius_are_refused() -> None:
    projection = LocalProjection.for_center(26.42, 111.61)
    with pytest.raises(ProjectionError, match="accurate only within 200 km"):
        projection.to_metres(np.array([26.42, 30.0]), np.array([111.61, 111.61]))
    with pytest.raises(ProjectionError):
        projection.to_wgs84(300_000.0, 0.0)


@pytest.mark.parametrize("lat, lon", [(math.nan, 111.0), (26.0, math.inf), (91.0, 111.0), (26.0, 181.0)])
def test_bad_coordinates_are_refused(lat: float, lon: float) -> None:
    projection = LocalProjection.for_center(26.42, 111.61)
    with pytest.raises(ProjectionError, match="NaN or out of range"):
        projection.to_metres(lat, lon)


@pytest.mark.parametrize("lat, lon", [(math.nan, 0.0), (95.0, 0.0), (0.0, 200.0)])
def test_bad_centres_are_refused(lat: float, lon: float) -> None:
    with pytest.raises(ProjectionError):
        LocalProjection.for_center(lat, lon)


def test_radius_limit_is_bounded() -> None:
    with pytest.raises(ProjectionError, match="1000 km"):
        LocalProjection.for_center(0.0, 0.0, max_radius_m=5_000_000)
