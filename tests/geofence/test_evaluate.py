"""The vectorised leg/zone geometry agrees with GEOS and with exact circle maths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from geofence._evaluate import Legs, _altitude_fraction
from geofence._pieces import circle_pieces, polygon_pieces
from tests.geofence.conftest import PROPERTY

coord = st.floats(-1_000, 1_000)


def _legs(segments: list[tuple[float, float, float, float]]) -> Legs:
    a = np.array(segments, dtype=float).reshape(-1, 4)
    zeros = np.zeros(len(a))
    return Legs.build(a[:, 0], a[:, 1], zeros, a[:, 2], a[:, 3], zeros, zeros)


@st.composite
def star_polygons(draw: st.DrawFn) -> shapely.Polygon:
    """A simple polygon (star-shaped around a centre), maybe with a hole."""
    cx, cy = draw(coord), draw(coord)
    n = draw(st.integers(3, 14))
    angles = (np.arange(n) + np.array(draw(st.lists(st.floats(-0.4, 0.4), min_size=n, max_size=n)))) * 2 * math.pi / n
    radii = np.array(draw(st.lists(st.floats(100, 600), min_size=n, max_size=n)))
    shell = np.column_stack([cx + radii * np.cos(angles), cy + radii * np.sin(angles)])
    holes = []
    if n >= 6 and draw(st.booleans()):  # the shell then keeps 58 m clear around the centre
        hole_r = draw(st.floats(5, 30))
        holes = [[(cx + hole_r * math.cos(a), cy + hole_r * math.sin(a)) for a in np.linspace(0, 6, 7)]]
    polygon = shapely.Polygon(shell, holes)
    assert polygon.is_valid
    return polygon


@PROPERTY
@given(star_polygons(), st.lists(st.tuples(coord, coord, coord, coord), min_size=1, max_size=20))
def test_polygon_pieces_match_a_geos_overlay(polygon: shapely.Polygon, segments: list) -> None:
    legs = _legs(segments)
    index = np.arange(len(segments))
    geoms = np.full(len(segments), polygon, dtype=object)
    item, lo, hi = polygon_pieces(geoms, legs, index)
    inside_length = np.bincount(item, weights=(hi - lo) * legs.length[item], minlength=len(segments))
    geos_length = shapely.length(shapely.intersection(legs.geoms, polygon))
    geos_length = np.where(legs.degenerate, 0.0, geos_length)
    np.testing.assert_allclose(inside_length[~legs.degenerate], geos_length[~legs.degenerate], atol=1e-6)
    for k in np.flatnonzero(~legs.degenerate & (geos_length > 1e-6)):
        first = lo[item == k].min()
        entry = shapely.distance(shapely.points(legs.x0[k], legs.y0[k]),
                                 shapely.intersection(legs.geoms[k], polygon))
        assert first * legs.length[k] == pytest.approx(entry, abs=1e-6)


@PROPERTY
@given(st.floats(-500, 500), st.floats(-500, 500), st.floats(1, 400),
       st.lists(st.tuples(coord, coord, coord, coord), min_size=1, max_size=20))
def test_circle_pieces_are_exact(cx: float, cy: float, r: float, segments: list) -> None:
    legs = _legs(segments)
    n = len(segments)
    item, lo, hi = circle_pieces(legs, np.arange(n), np.full(n, cx), np.full(n, cy), np.full(n, r))
    disc = shapely.Point(cx, cy).buffer(r, quad_segs=256)
    expected = shapely.length(shapely.intersection(legs.geoms, disc))
    got = np.bincount(item, weights=(hi - lo) * legs.length[item], minlength=n)
    line = ~legs.degenerate
    np.testing.assert_allclose(got[line], expected[line], rtol=1e-3, atol=r * 1e-3)


def test_touching_the_boundary_alone_is_no_piece() -> None:
    square = shapely.box(0, 0, 10, 10)
    legs = _legs([(-5, 10, 15, 10), (10, -5, 10, 15), (-5, -5, 0, 0)])  # along edges, at a corner
    item, _, _ = polygon_pieces(np.full(3, square, dtype=object), legs, np.arange(3))
    assert item.size == 0


def test_an_edge_parallel_to_within_a_subnormal_cuts_the_leg_where_geos_does() -> None:
    # the bottom edge rises by 1e-320 m over 1 km: its denominator with the leg is subnormal,
    # and dividing by it overflowed (a RuntimeWarning, an error under the suite's settings)
    polygon = shapely.Polygon([(0, 0), (1000, 1e-320), (1000, 500), (0, 500)])
    legs = _legs([(-10, 1, 1010, 1), (-10, 0, 1010, 0)])
    item, lo, hi = polygon_pieces(np.full(2, polygon, dtype=object), legs, np.arange(2))
    assert item.tolist() == [0] and (lo[0] * 1020, hi[0] * 1020) == pytest.approx((10, 1010))


def test_a_leg_climbing_by_a_subnormal_step_is_flat() -> None:
    legs = Legs.build(*(np.array([v]) for v in (0.0, 0.0, 0.0, 100.0, 0.0, 5e-324, 0.0)))
    got = _altitude_fraction(legs.a0, legs.a1, np.array([20.0]), np.array([np.inf]))
    assert got == (np.array([1.0]), np.array([0.0]))  # never inside a band from 20 m up
    got = _altitude_fraction(legs.a0, legs.a1, np.array([-np.inf]), np.array([120.0]))
    assert got == (np.array([0.0]), np.array([1.0]))  # the whole leg is below 120 m
