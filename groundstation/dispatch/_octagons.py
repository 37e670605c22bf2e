"""Zones as octagons in metres: the obstacles of the detour graph, and its visibility tests.

Each obstacle is the 8-direction bounding polygon (the support values of the zone, grown by the
clearance, along 8 axes 45 degrees apart): it contains the zone and its clearance, has at most
8 corners, and makes every visibility test a handful of numpy comparisons.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from geofence import CircleShape, LocalProjection, Zone

FloatArray = NDArray[np.float64]

AXES: FloatArray = np.stack(
    [np.cos(np.arange(8) * math.pi / 4), np.sin(np.arange(8) * math.pi / 4)], axis=1)
"""Unit normals of the octagon's sides (8 x 2)."""
_CORNER_SOLVE: FloatArray = np.linalg.inv(np.stack([AXES, np.roll(AXES, -1, axis=0)], axis=1))
"""Per side j, the inverse of [n_j; n_j+1]: corner j = inverse @ (h_j, h_j+1)."""
TOUCH_M = 1e-6
"""Touching an obstacle's outline is allowed; only crossing its inside by more blocks a line."""
_RADIUS_SLACK = 1.001
"""Projected circle radii are scaled by less than this near the projection centre."""


def zone_supports(zones: Sequence[Zone], projection: LocalProjection) -> FloatArray:
    """Each zone's extent along the 8 axes, in projected metres (N x 8), in one projection call."""
    lats: list[float] = []
    lons: list[float] = []
    sizes: list[int] = []
    radii: list[float] = []
    for zone in zones:
        shape = zone.shape
        if isinstance(shape, CircleShape):
            ring = [(shape.center_lat_deg, shape.center_lon_deg)]
            radii.append(shape.radius_m * _RADIUS_SLACK)
        else:
            ring = list(shape.exterior)
            radii.append(0.0)
        lats += [p[0] for p in ring]
        lons += [p[1] for p in ring]
        sizes.append(len(ring))
    if not sizes:
        return np.empty((0, 8))
    xs, ys = projection.to_metres(np.array(lats), np.array(lons))
    along = np.stack([xs, ys], axis=1) @ AXES.T
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out: FloatArray = np.maximum.reduceat(along, starts, axis=0) + np.array(radii)[:, None]
    return out


def corners(supports: FloatArray) -> FloatArray:
    """Corners (M x 8 x 2) of octagons given by their supports (M x 8)."""
    pairs = np.stack([supports, np.roll(supports, -1, axis=1)], axis=2)  # M x 8 x 2
    out: FloatArray = np.einsum("jab,mjb->mja", _CORNER_SOLVE, pairs)
    return out


def inside(points: FloatArray, supports: FloatArray) -> NDArray[np.bool_]:
    """Which points (V x 2) lie strictly inside which octagons (M x 8): V x M."""
    along = points @ AXES.T  # V x 8
    out: NDArray[np.bool_] = np.all(along[:, None, :] < supports[None, :, :] - TOUCH_M, axis=2)
    return out


def blocked_edges(
    points: FloatArray, supports: FloatArray, outline: FloatArray, ignore: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """Which segments between points (V x 2) cross an octagon's inside: V x V (see ``blocked``)."""
    n = len(points)
    p, q = _pairs(n)
    out = np.zeros((n, n), dtype=bool)
    out[p, q] = blocked(points, p, q, supports, outline, ignore)
    return out | out.T


@functools.lru_cache(maxsize=64)
def _pairs(n: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Index pairs (p < q) of n points (cached: paths and graphs reuse the same sizes)."""
    p, q = np.triu_indices(n, k=1)
    p.flags.writeable = q.flags.writeable = False
    return p, q


def blocked(
    points: FloatArray, p: NDArray[np.intp], q: NDArray[np.intp], supports: FloatArray,
    outline: FloatArray, ignore: NDArray[np.bool_],
) -> NDArray[np.bool_]:
    """Which segments ``points[p] -> points[q]`` (E pairs) cross an octagon's inside.

    ``outline`` are the octagons' corners (M x 8 x 2); ``ignore`` (V x M) lets a point that lies
    in an octagon's clearance leave it (its own zone is still checked by the zone set).
    Separating-axis test: a segment misses a convex octagon when one of the octagon's axes or
    the segment's own normal separates them.
    """
    along = points @ AXES.T  # V x 8
    low = np.minimum(along[p], along[q])  # E x 8
    axis_free = (low[:, None, :] >= supports[None, :, :] - TOUCH_M).any(axis=2)  # E x M
    edge, obstacle = np.nonzero(~axis_free & ~(ignore[p] | ignore[q]))
    pe, qe = p[edge], q[edge]
    direction = points[qe] - points[pe]
    normal = np.stack([-direction[:, 1], direction[:, 0]], axis=1)
    norm = np.hypot(normal[:, 0], normal[:, 1])
    normal /= np.where(norm > 0, norm, 1.0)[:, None]
    rel = outline[obstacle] - points[pe][:, None, :]  # K x 8 x 2
    side = np.einsum("kjc,kc->kj", rel, normal)
    crossing = ~((side >= -TOUCH_M).all(axis=1) | (side <= TOUCH_M).all(axis=1))
    out = np.zeros(len(p), dtype=bool)
    out[edge[crossing]] = True
    return out


def visible_path(
    points: FloatArray, supports: FloatArray, outline: FloatArray, ignore: NDArray[np.bool_],
    source: int, target: int,
) -> list[int] | None:
    """Node indices of the shortest path between two points through the visibility graph.

    A* with the straight distance to the target as its (consistent) estimate: only the edges of
    nodes it expands are tested against the octagons, not the whole graph. None: no path.
    """
    n = len(points)
    cost = np.full(n, math.inf)
    prev = np.full(n, -1, dtype=np.intp)
    done = np.zeros(n, dtype=bool)
    estimate = np.hypot(*(points - points[target]).T)
    cost[source] = 0.0
    for _ in range(n):
        current = int(np.argmin(np.where(done, math.inf, cost + estimate)))
        if done[current] or not math.isfinite(cost[current]):
            return None
        if current == target:
            break
        done[current] = True
        others = np.flatnonzero(~done)
        free = others[~blocked(points, np.full(others.size, current), others, supports, outline,
                               ignore)]
        through = cost[current] + np.hypot(*(points[free] - points[current]).T)
        better = through < cost[free]
        cost[free[better]] = through[better]
        prev[free[better]] = current
    path = [target]
    while path[-1] != source:
        path.append(int(prev[path[-1]]))
    return path[::-1]


def bypass(start: FloatArray, end: FloatArray, outline: FloatArray) -> FloatArray:
    """A path start -> end passing every obstacle cluster on the line on its nearer side.

    Works in line coordinates (t along start -> end, s to the left). Obstacles whose extent
    straddles the line form clusters of overlapping t-ranges; each cluster is passed by two
    corners at its t-range ends, offset to the side (left or right) needing the smaller offset,
    with every other obstacle reaching into that lane folded into the cluster; the path leaves
    and rejoins the line square to it, then is pulled taut. Returns the path's points (k x 2);
    the caller checks it against the zones (a good path, not always the shortest).
    """
    span = end - start
    length = float(np.hypot(*span))
    if length == 0.0 or outline.size == 0:
        return np.stack([start, end])
    u = span / length
    w = np.array([-u[1], u[0]])
    rel = outline - start  # M x 8 x 2
    t, s = rel @ u, rel @ w
    t_lo, t_hi, s_lo, s_hi = t.min(axis=1), t.max(axis=1), s.min(axis=1), s.max(axis=1)
    on_line = (t_hi > 0) & (t_lo < length) & (s_lo < 0) & (s_hi > 0)
    clusters: list[tuple[float, float, float]] = []
    order = np.flatnonzero(on_line)[np.argsort(t_lo[on_line])]
    pending = [(float(t_lo[i]), float(t_hi[i])) for i in order]
    left, right = s_hi > 0, s_lo < 0  # obstacles reaching each side of the line
    sides = ((1.0, (t_lo[left], t_hi[left], s_lo[left], s_hi[left])),
             (-1.0, (t_lo[right], t_hi[right], -s_hi[right], -s_lo[right])))
    for _ in range(4 * len(pending) + 4):
        if not pending:
            break
        lo, hi = pending.pop(0)
        while pending and pending[0][0] <= hi:
            hi = max(hi, pending.pop(0)[1])
        best: tuple[float, float, float] | None = None
        for sign, side in sides:
            c_lo, c_hi, lane = _lane(lo, hi, *side)
            if best is None or lane < abs(best[2]):
                best = (c_lo, c_hi, lane * sign)
        assert best is not None
        if clusters and best[0] <= clusters[-1][1]:  # grew into the previous cluster: merge
            prev = clusters.pop()
            pending.insert(0, (min(prev[0], best[0]), max(prev[1], best[1])))
            continue
        clusters.append(best)
        pending = [(a, b) for a, b in pending if b > best[1]]
        if pending and pending[0][0] <= best[1]:
            pending[0] = (best[1], pending[0][1])
    points = [start]
    for lo, hi, lane in clusters:
        points += [start + lo * u, start + lo * u + lane * w, start + hi * u + lane * w,
                   start + hi * u]
    points.append(end)
    return pull_taut(np.stack(points), outline)


def pull_taut(path: FloatArray, outline: FloatArray) -> FloatArray:
    """Drop corners of a path where a straight shortcut misses every octagon (greedy)."""
    supports = _supports_of(outline)
    free = ~blocked_edges(path, supports, outline, np.zeros((len(path), len(outline)), dtype=bool))
    kept = [0]
    while kept[-1] != len(path) - 1:
        here = kept[-1]
        reach = np.flatnonzero(free[here, here + 1:])
        kept.append(here + 1 + int(reach.max()) if reach.size else here + 1)
    return path[kept]


def _supports_of(outline: FloatArray) -> FloatArray:
    """Supports (M x 8) of octagons given by their corners (M x 8 x 2)."""
    out: FloatArray = np.einsum("mkc,jc->mkj", outline, AXES).max(axis=1)
    return out


def _lane(
    lo: float, hi: float, t_lo: FloatArray, t_hi: FloatArray,
    s_lo: FloatArray, s_hi: FloatArray,
) -> tuple[float, float, float]:
    """Grow a cluster [lo, hi] on one side until no obstacle reaches into its lane.

    The arrays hold only obstacles reaching this side of the line (``s_hi > 0``); one that
    straddles the line also reaches into any lane, so a single test covers both.
    """
    lane = 0.0
    members = np.zeros(t_lo.size, dtype=bool)
    for _ in range(t_lo.size + 1):
        touching = (t_hi > lo) & (t_lo < hi) & (s_lo < lane + TOUCH_M)
        if not (touching & ~members).any():
            break
        members |= touching
        lo = min(lo, float(t_lo[members].min()))
        hi = max(hi, float(t_hi[members].max()))
        lane = max(lane, float(s_hi[members].max()))
    return lo, hi, lane
