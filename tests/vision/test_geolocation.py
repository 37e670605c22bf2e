"""Geolocation of a detection: pixel to bearing, box size to range, position and uncertainty,
and the no-fly check; checked against numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geofence import ViolationKind, ZoneSet, zones_from_geojson
from vision._types import Box
from vision.geolocation import (
    CameraPose,
    GeolocationError,
    SizePrior,
    bearing_of_pixel,
    check_zones,
    locate,
)

# A 640x512 camera with a 60 deg horizontal field of view:
#   focal length f = (640 / 2) / tan(30 deg) = 320 / 0.5773503 = 554.25626 px
F_PX = 554.25626


def pose(**kw: float) -> CameraPose:
    values = {"lat_deg": 26.42, "lon_deg": 111.61, "alt_amsl_m": 300.0, "yaw_deg": 90.0,
              "hfov_deg": 60.0, "width_px": 640, "height_px": 512}
    values.update(kw)
    return CameraPose(**values)  # type: ignore[arg-type]


def test_focal_length_from_the_field_of_view() -> None:
    assert pose().focal_px == pytest.approx(F_PX, abs=1e-4)


def test_pixel_ten_degrees_right_of_centre_on_a_level_camera_facing_east() -> None:
    # x = 320 + f tan(10 deg) = 320 + 554.25626 * 0.17632698 = 417.73033; y on the centre row
    b = bearing_of_pixel(pose(), 417.73033, 256.0)
    assert b.azimuth_deg == pytest.approx(100.0, abs=1e-4)
    assert b.elevation_deg == pytest.approx(0.0, abs=1e-6)


def test_pixel_above_centre_is_above_the_horizon() -> None:
    # y = 256 - f tan(5 deg) = 256 - 554.25626 * 0.08748866 = 207.50880
    b = bearing_of_pixel(pose(), 320.0, 207.50880)
    assert b.azimuth_deg == pytest.approx(90.0, abs=1e-6)
    assert b.elevation_deg == pytest.approx(5.0, abs=1e-4)


def test_level_drone_rolled_right_turns_the_image_centre_row() -> None:
    # body rolled 90 deg right: the camera's right (+x) points down, so a pixel right of the
    # centre looks below the horizon by the angle it had sideways (10 deg), still east.
    b = bearing_of_pixel(pose(roll_deg=90.0), 417.73033, 256.0)
    assert b.azimuth_deg == pytest.approx(90.0, abs=1e-4)
    assert b.elevation_deg == pytest.approx(-10.0, abs=1e-4)


def test_hand_computed_position_looking_down_thirty_degrees() -> None:
    # Camera 300 m AMSL at (26.42, 111.61), facing east (yaw 90), gimbal pitched 30 deg down.
    # A 7x7 px box centred on the image centre:
    #   bearing: azimuth 90, elevation -30
    #   angle  = 7 / 554.25626 = 0.01262955 rad
    #   range  = 0.35 / (2 tan(0.01262955 / 2)) = 27.71244 m
    #   horizontal 27.71244 cos 30 = 23.99968 m east; altitude 300 - 27.71244 sin 30 = 286.14378
    #   at 26.42 N the WGS84 parallel has N cos(lat) pi/180 = 99 759.02 m per degree, so
    #   longitude 111.61 + 23.99968 / 99759.02 = 111.61024058
    #   range spread: 27.71244 * hypot(0.12/0.35, 1.5/7) = 27.71244 * 0.404318 = 11.20463 m
    #   ellipse (2 sigma, 1 deg pointing): along 2 hypot(11.20463 cos 30, 27.71244 * 0.0174533
    #   * sin 30) = 19.4128 m; across 2 * 27.71244 * 0.0174533 = 0.96735 m
    e = locate(pose(gimbal_pitch_deg=-30.0), Box(316.5, 252.5, 7.0, 7.0))
    assert e.bearing.azimuth_deg == pytest.approx(90.0, abs=1e-6)
    assert e.bearing.elevation_deg == pytest.approx(-30.0, abs=1e-6)
    assert e.range_m == pytest.approx(27.71244, abs=1e-4)
    assert e.alt_amsl_m == pytest.approx(286.14378, abs=1e-4)
    assert e.lat_deg == pytest.approx(26.42, abs=1e-8)
    assert e.lon_deg == pytest.approx(111.61024058, abs=1e-8)  # 1 mm
    assert e.range_sigma_m == pytest.approx(11.20463, abs=1e-3)
    assert e.along_m == pytest.approx(19.4128, abs=1e-3)
    assert e.across_m == pytest.approx(0.96735, abs=1e-4)
    assert e.radius_m == e.along_m


def test_a_bigger_prior_means_farther() -> None:
    box = Box(300, 250, 12, 8)
    near = locate(pose(), box, SizePrior(size_m=0.35))
    far = locate(pose(), box, SizePrior(size_m=0.70))
    assert far.range_m == pytest.approx(2 * near.range_m, rel=1e-3)


@given(yaw=st.floats(-720, 720), gimbal_yaw=st.floats(-180, 180),
       gimbal_pitch=st.floats(-89, 89))
def test_image_centre_of_an_unrolled_drone_looks_along_heading_and_gimbal(
        yaw: float, gimbal_yaw: float, gimbal_pitch: float) -> None:
    b = bearing_of_pixel(pose(yaw_deg=yaw, gimbal_yaw_deg=gimbal_yaw,
                              gimbal_pitch_deg=gimbal_pitch), 320.0, 256.0)
    expected = (yaw + gimbal_yaw) % 360.0
    diff = (b.azimuth_deg - expected + 180.0) % 360.0 - 180.0
    assert abs(diff) < 1e-6
    assert b.elevation_deg == pytest.approx(gimbal_pitch, abs=1e-6)


@given(yaw=st.floats(0, 360), size_px=st.floats(2, 200))
def test_level_camera_range_shrinks_with_box_size(yaw: float, size_px: float) -> None:
    e = locate(pose(yaw_deg=yaw), Box(320 - size_px / 2, 256 - size_px / 2, size_px, size_px))
    bigger = locate(pose(yaw_deg=yaw), Box(320 - size_px, 256 - size_px, 2 * size_px, 2 * size_px))
    assert bigger.range_m < e.range_m
    assert e.alt_amsl_m == pytest.approx(300.0, abs=1e-6)


@pytest.mark.parametrize("bad", [
    {"lat_deg": 95.0}, {"hfov_deg": 0.0}, {"yaw_deg": math.nan}, {"width_px": 1},
])
def test_bad_pose_is_refused_with_a_reason(bad: dict[str, float]) -> None:
    with pytest.raises(GeolocationError):
        pose(**bad)


def test_box_running_over_the_edge_is_taken_at_the_edge() -> None:
    # centre at x = -2 (box from -10 to 6): located as if at x = 0, the left edge, 30 deg left
    e = locate(pose(), Box(-10, 250, 16, 12))
    assert e.bearing.azimuth_deg == pytest.approx(60.0, abs=1e-6)


def test_box_outside_the_image_or_empty_is_refused() -> None:
    with pytest.raises(GeolocationError, match="outside"):
        locate(pose(), Box(700, 10, 10, 10))
    with pytest.raises(GeolocationError, match="no size"):
        locate(pose(), Box(10, 10, 0, 0))


def _no_fly_circle(lat: float, lon: float, radius_m: float) -> ZoneSet:
    doc = {"type": "Feature", "id": "nf1",
           "geometry": {"type": "Point", "coordinates": [lon, lat]},
           "properties": {"kind": "no_fly", "name": "prison", "radius_m": radius_m}}
    return ZoneSet(zones_from_geojson(doc))


def test_estimate_inside_a_no_fly_zone_is_reported_certain() -> None:
    e = locate(pose(gimbal_pitch_deg=-30.0), Box(316.5, 252.5, 7.0, 7.0))  # 24 m east
    zones = _no_fly_circle(26.42, 111.6102406, 100.0)
    found = check_zones(zones, e, at=datetime(2026, 12, 6, tzinfo=UTC))
    assert [(f.zone_name, f.kind, f.certain) for f in found] == [
        ("prison", ViolationKind.INSIDE_NO_FLY, True)]


def test_estimate_near_a_no_fly_zone_within_its_uncertainty_is_possible() -> None:
    e = locate(pose(gimbal_pitch_deg=-30.0), Box(316.5, 252.5, 7.0, 7.0))  # radius ~19 m
    # a 20 m circle centred 30 m further east: the estimate is 10 m outside it
    east_30m = 111.6102406 + 30.0 / 99759.02
    found = check_zones(_no_fly_circle(26.42, east_30m, 20.0), e,
                        at=datetime(2026, 12, 6, tzinfo=UTC))
    assert [(f.kind, f.certain) for f in found] == [(ViolationKind.INSIDE_NO_FLY, False)]
    far = check_zones(_no_fly_circle(26.42, 111.64, 20.0), e, at=datetime(2026, 12, 6, tzinfo=UTC))
    assert far == []
