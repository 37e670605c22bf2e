"""Where straight legs run inside circles and polygons: the vectorised geometry of the checks.

Each function takes many legs at once (``Legs``, metres) and returns pieces: the item each
piece belongs to and the fractions [s_lo, s_hi] of its leg, sorted by item then start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    from geofence._evaluate import Legs

S_TOLERANCE = 1e-12
"""Fractions of a leg closer than this are the same place."""
_PARALLEL = 1e-12
"""A leg and an edge whose directions differ by less than this (radians) are parallel."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def circle_pieces(
    legs: Legs, leg: IntArray, cx: FloatArray, cy: FloatArray, radius: FloatArray,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """The piece [s_lo, s_hi] of each leg inside its circle (exact), for legs that enter it."""
    px, py = legs.x0[leg] - cx, legs.y0[leg] - cy
    dx, dy = legs.x1[leg] - legs.x0[leg], legs.y1[leg] - legs.y0[leg]
    a = dx * dx + dy * dy
    b = 2.0 * (px * dx + py * dy)
    c = px * px + py * py - radius * radius
    point = legs.degenerate[leg]
    disc = b * b - 4.0 * a * c
    root = np.sqrt(np.maximum(disc, 0.0))
    lo = np.divide(-b - root, 2.0 * a, out=np.zeros_like(a), where=~point)
    hi = np.divide(-b + root, 2.0 * a, out=np.ones_like(a), where=~point)
    hit = np.where(point, c <= 0.0, (disc >= 0.0) & (hi >= 0.0) & (lo <= 1.0))
    item = np.flatnonzero(hit)
    return item, np.clip(lo[item], 0.0, 1.0), np.clip(hi[item], 0.0, 1.0)


def segment_distance(legs: Legs, leg: IntArray, px: FloatArray, py: FloatArray) -> FloatArray:
    """Distance from each leg (a segment, or a point) to a point."""
    dx, dy = legs.x1[leg] - legs.x0[leg], legs.y1[leg] - legs.y0[leg]
    a = dx * dx + dy * dy
    t = np.divide((px - legs.x0[leg]) * dx + (py - legs.y0[leg]) * dy, a,
                  out=np.zeros_like(a), where=a > 0)
    t = np.clip(t, 0.0, 1.0)
    return np.hypot(legs.x0[leg] + t * dx - px, legs.y0[leg] + t * dy - py)


def polygon_pieces(
    geoms: NDArray[np.object_], legs: Legs, leg: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Pieces [s_lo, s_hi] of each leg inside its polygon, sorted by item.

    Returns the item index (into ``geoms``/``leg``) of each piece and its fractions. A leg the
    polygon covers (boundary included) is one whole piece. Otherwise the leg is cut where it
    crosses any ring edge and each cut's midpoint is tested (even-odd rule, holes included):
    plain numpy over all pairs at once, several times faster than a GEOS overlay per pair. A
    leg that only touches the boundary (a point, or running along an edge) yields no piece.
    """
    covered = shapely.covers(geoms, legs.geoms[leg])
    whole = np.flatnonzero(covered)
    rest = np.flatnonzero(~covered & ~legs.degenerate[leg])
    if rest.size == 0:
        return whole, np.zeros(whole.size), np.ones(whole.size)
    rings, ring_item = shapely.get_rings(geoms[rest], return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_of[1:] == ring_of[:-1]
    ax, ay = coords[:-1][same_ring].T
    bx, by = coords[1:][same_ring].T
    edge_item = ring_item[ring_of[:-1][same_ring]]  # grouped by item, ascending
    li = leg[rest][edge_item]
    x0, y0 = legs.x0[li], legs.y0[li]
    dx, dy = legs.x1[li] - x0, legs.y1[li] - y0
    ex, ey = bx - ax, by - ay
    denom = dx * ey - dy * ex
    qx, qy = ax - x0, ay - y0
    # nearly parallel pairs (sine of the angle below _PARALLEL) never cut the leg: dividing by
    # their denominator would only overflow, and an overlap is found by the midpoint tests
    parallel = np.abs(denom) <= _PARALLEL * np.hypot(dx, dy) * np.hypot(ex, ey)
    t = np.divide(qx * ey - qy * ex, denom, out=np.full_like(denom, -1.0), where=~parallel)
    u = np.divide(qx * dy - qy * dx, denom, out=np.full_like(denom, -1.0), where=~parallel)
    cross = (u >= 0) & (u <= 1) & (t > 0) & (t < 1)
    n = rest.size
    cut_item = np.concatenate([np.arange(n), np.arange(n), edge_item[cross]])
    cut_t = np.concatenate([np.zeros(n), np.ones(n), t[cross]])
    order = np.lexsort((cut_t, cut_item))
    cut_item, cut_t = cut_item[order], cut_t[order]
    step = (cut_item[1:] == cut_item[:-1]) & (cut_t[1:] - cut_t[:-1] > S_TOLERANCE)
    iv_item, iv_lo, iv_hi = cut_item[:-1][step], cut_t[:-1][step], cut_t[1:][step]
    iv_leg = leg[rest][iv_item]
    mid = 0.5 * (iv_lo + iv_hi)
    mx = legs.x0[iv_leg] + mid * (legs.x1[iv_leg] - legs.x0[iv_leg])
    my = legs.y0[iv_leg] + mid * (legs.y1[iv_leg] - legs.y0[iv_leg])
    # even-odd test of each midpoint against every edge of its polygon
    edges_per_item = np.bincount(edge_item, minlength=n)
    first_edge = np.cumsum(edges_per_item) - edges_per_item
    per_iv = edges_per_item[iv_item]
    r = np.repeat(np.arange(iv_item.size), per_iv)
    e = first_edge[iv_item][r] + (np.arange(r.size) - np.repeat(np.cumsum(per_iv) - per_iv, per_iv))
    straddle = (ay[e] > my[r]) != (by[e] > my[r])
    x_cross = ax[e] + np.divide((my[r] - ay[e]) * ex[e], ey[e], out=np.zeros_like(mx[r]),
                                where=straddle)  # a straddling edge is never horizontal
    crossings = np.bincount(r, weights=straddle & (mx[r] < x_cross), minlength=iv_item.size)
    inside = crossings % 2 == 1
    item = np.concatenate([whole, rest[iv_item[inside]]])
    lo = np.concatenate([np.zeros(whole.size), iv_lo[inside]])
    hi = np.concatenate([np.ones(whole.size), iv_hi[inside]])
    order = np.lexsort((lo, item))
    return item[order], lo[order], hi[order]


def outside_pieces(
    area: shapely.Geometry, legs: Legs, leg: IntArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Pieces [s_lo, s_hi] of each leg outside one (prepared) area, sorted by item."""
    leg_geoms = legs.geoms[leg]
    covered = shapely.covers(area, leg_geoms)
    whole = np.zeros(leg.size, dtype=bool)
    whole[~covered] = shapely.disjoint(area, leg_geoms[~covered])
    items = [np.flatnonzero(whole)]
    lows = [np.zeros(items[0].size)]
    highs = [np.ones(items[0].size)]
    rest = np.flatnonzero(~(covered | whole))
    if rest.size:
        parts, index = shapely.get_parts(shapely.difference(leg_geoms[rest], area), return_index=True)
        nonempty = ~shapely.is_empty(parts)
        parts, item = parts[nonempty], rest[index[nonempty]]
        lo, hi = fractions(legs, leg[item], parts)
        items.append(item)
        lows.append(lo)
        highs.append(hi)
    item = np.concatenate(items)
    lo = np.concatenate(lows)
    hi = np.concatenate(highs)
    order = np.lexsort((lo, item))
    return item[order], lo[order], hi[order]


def fractions(legs: Legs, leg: IntArray, parts: NDArray[np.object_]) -> tuple[FloatArray, FloatArray]:
    """Start and end fractions of collinear sub-pieces of legs (whole leg for point legs)."""
    lo = np.zeros(leg.size)
    hi = np.ones(leg.size)
    line = ~legs.degenerate[leg]
    if line.any():
        li = leg[line]
        length = legs.length[li]
        start = shapely.points(legs.x0[li], legs.y0[li])
        end = shapely.points(legs.x1[li], legs.y1[li])
        lo[line] = np.clip(shapely.distance(start, parts[line]) / length, 0.0, 1.0)
        hi[line] = np.clip(1.0 - shapely.distance(end, parts[line]) / length, 0.0, 1.0)
    return lo, hi
