"""The vectorised core of every check: straight 3-D legs against compiled zones.

A leg runs from (x0, y0, a0) to (x1, y1, a1) in the local projection's metres, altitude AMSL
changing linearly along it. A point is a leg without horizontal length; a route is a chain of
legs; the live watch gives each vehicle one leg, from where it is to where its velocity takes
it within the horizon. Positions along a leg are fractions ``s`` of it (0 = start).

Steps, each one vectorised over all candidates (no Python loop over zones in the indexed path):

1. candidate (leg, zone) pairs: an STRtree envelope query then one vectorised ``intersects``
   (``indexed=True``), or a plain loop testing every zone (``indexed=False``, the baseline);
   both give the same pairs, so the same results;
2. each pair is expanded to the zone's altitude bands; the fraction of the leg whose altitude is
   inside a band is solved exactly, and pairs whose altitude never meets a band are dropped
   before any geometry is computed;
3. the horizontal pieces of the leg inside the zone (exact quadratic for circles, edge
   crossings and an even-odd test for polygons, the whole leg when the zone covers it) are
   intersected with the altitude fractions;
4. the first breach per (leg, zone, band) is kept, with its length;
5. operating areas: the parts of each leg outside the union of active areas (GEOS difference,
   only for legs the union does not cover).

With a clearance margin the same is done against zones grown by the margin (horizontally and
vertically); a breach of the grown zone only is reported as WITHIN_MARGIN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import NDArray

from geofence._compiled import CompiledZones
from geofence._exceptions import AltitudeReferenceError
from geofence._pieces import (
    S_TOLERANCE,
    circle_pieces,
    outside_pieces,
    polygon_pieces,
    segment_distance,
)
from geofence._violation import CODE, ViolationKind

_DEGENERATE_M = 1e-6
"""A leg shorter than this horizontally is treated as a point (a hover, a vertical climb)."""
_INSIDE = CODE[ViolationKind.INSIDE_NO_FLY]
_ABOVE = CODE[ViolationKind.ABOVE_CEILING]
_BELOW = CODE[ViolationKind.BELOW_FLOOR]
_OUTSIDE = CODE[ViolationKind.OUTSIDE_OPERATING_AREA]
_MARGIN = CODE[ViolationKind.WITHIN_MARGIN]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Legs:
    """Straight legs in metres with AMSL altitudes and each leg's home altitude (NaN: unknown)."""

    x0: FloatArray
    y0: FloatArray
    a0: FloatArray
    x1: FloatArray
    y1: FloatArray
    a1: FloatArray
    home: FloatArray
    length: FloatArray
    degenerate: NDArray[np.bool_]
    geoms: NDArray[np.object_]

    @classmethod
    def build(
        cls, x0: FloatArray, y0: FloatArray, a0: FloatArray,
        x1: FloatArray, y1: FloatArray, a1: FloatArray, home: FloatArray,
    ) -> Legs:
        """Legs from coordinate arrays; shapely lines, or points for legs without length."""
        length = np.hypot(x1 - x0, y1 - y0)
        degenerate = length < _DEGENERATE_M
        geoms = np.empty(len(x0), dtype=object)
        line = ~degenerate
        if line.any():
            coords = np.stack([np.column_stack([x0[line], y0[line]]),
                               np.column_stack([x1[line], y1[line]])], axis=1)
            geoms[line] = shapely.linestrings(coords)
        if degenerate.any():
            geoms[degenerate] = shapely.points(x0[degenerate], y0[degenerate])
        return cls(x0, y0, a0, x1, y1, a1, home, length, degenerate, geoms)

    def at(self, leg: IntArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Metric x, y and altitude at fraction ``s`` of each given leg."""
        return (self.x0[leg] + s * (self.x1[leg] - self.x0[leg]),
                self.y0[leg] + s * (self.y1[leg] - self.y0[leg]),
                self.a0[leg] + s * (self.a1[leg] - self.a0[leg]))


@dataclass(frozen=True, slots=True)
class Findings:
    """Breaches found, one row each: leg, zone, kind code, guarded kind, start fraction, distance."""

    leg: IntArray
    zone: IntArray
    kind: NDArray[np.int8]
    margin_kind: NDArray[np.int8]
    s: FloatArray
    distance: FloatArray

    @classmethod
    def concat(cls, parts: list[Findings]) -> Findings:
        """All rows of several findings, sorted by leg, start along it, zone and kind."""
        if not parts:
            return _empty_findings()
        leg = np.concatenate([p.leg for p in parts])
        zone = np.concatenate([p.zone for p in parts])
        kind = np.concatenate([p.kind for p in parts])
        margin_kind = np.concatenate([p.margin_kind for p in parts])
        s = np.concatenate([p.s for p in parts])
        distance = np.concatenate([p.distance for p in parts])
        order = np.lexsort((kind, zone, s, leg))
        return cls(leg[order], zone[order], kind[order], margin_kind[order], s[order], distance[order])


def _empty_findings() -> Findings:
    return Findings(np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, np.int8),
                    np.empty(0, np.int8), np.empty(0), np.empty(0))


def evaluate(
    cz: CompiledZones, legs: Legs, active: NDArray[np.bool_], margin_m: float, *, indexed: bool,
) -> Findings:
    """Every breach of every active zone by every leg (see the module docstring)."""
    parts = [_band_findings(cz, legs, active, margin_m, indexed=indexed)]
    if cz.operating_indices.size:
        parts.append(_operating_findings(cz, legs, active, margin_m))
    return Findings.concat(parts)


def candidate_pairs(
    cz: CompiledZones, legs: Legs, active: NDArray[np.bool_], margin_m: float, *, indexed: bool,
) -> tuple[IntArray, IntArray]:
    """(leg, zone) pairs that touch (or come within the margin), for zones with altitude bands."""
    if cz.band_zone_indices.size == 0 or len(legs.geoms) == 0:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    if indexed:
        # envelope query, then one vectorised predicate over prepared zone polygons (faster
        # than the tree's own predicate path, which prepares every leg)
        probes = legs.geoms if margin_m <= 0 else _grown_envelopes(legs.geoms, margin_m)
        hits = cz.tree.query(probes)
        zone = cz.band_zone_indices[hits[1]]
        if margin_m > 0:
            hit = shapely.dwithin(cz.geoms[zone], legs.geoms[hits[0]], margin_m)
        else:
            hit = shapely.intersects(cz.geoms[zone], legs.geoms[hits[0]])
        pair_leg = hits[0][hit].astype(np.intp)
        pair_zone = zone[hit]
    else:
        legs_hit: list[IntArray] = []
        zones_hit: list[IntArray] = []
        for zone in cz.band_zone_indices:  # the naive baseline: one test per zone
            if not active[zone]:
                continue
            if margin_m > 0:
                mask = shapely.dwithin(cz.geoms[zone], legs.geoms, margin_m)
            else:
                mask = shapely.intersects(cz.geoms[zone], legs.geoms)
            hit = np.flatnonzero(mask)
            if hit.size:
                legs_hit.append(hit)
                zones_hit.append(np.full(hit.size, zone, dtype=np.intp))
        if not legs_hit:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        pair_leg, pair_zone = np.concatenate(legs_hit), np.concatenate(zones_hit)
    keep = active[pair_zone]
    pair_leg, pair_zone = pair_leg[keep], pair_zone[keep]
    order = np.lexsort((pair_zone, pair_leg))
    return pair_leg[order], pair_zone[order]


def _band_findings(
    cz: CompiledZones, legs: Legs, active: NDArray[np.bool_], margin_m: float, *, indexed: bool,
) -> Findings:
    pair_leg, pair_zone = candidate_pairs(cz, legs, active, margin_m, indexed=indexed)
    if pair_leg.size == 0:
        return _empty_findings()
    row_pair, row_band = _expand_bands(cz, pair_zone)
    row_leg = pair_leg[row_pair]
    home_off = _home_offsets(cz, legs, row_leg, row_band)
    lo = cz.band_lo[row_band] + home_off
    hi = cz.band_hi[row_band] + home_off
    a0, a1 = legs.a0[row_leg], legs.a1[row_leg]
    sa, sb = _altitude_fraction(a0, a1, lo, hi)

    actual = _breaches(cz, legs, pair_leg, pair_zone, row_pair, sa, sb, grow_m=0.0)
    found = _to_findings(cz, legs, pair_leg, pair_zone, row_pair, row_band, home_off, actual)
    if margin_m <= 0:
        return found
    sam, sbm = _altitude_fraction(a0, a1, lo - margin_m, hi + margin_m)
    grown = _breaches(cz, legs, pair_leg, pair_zone, row_pair, sam, sbm, grow_m=margin_m)
    rows, s_first, _ = grown
    fresh = ~np.isin(rows, actual[0])
    rows, s_first = rows[fresh], s_first[fresh]
    leg = pair_leg[row_pair[rows]]
    zone = pair_zone[row_pair[rows]]
    gap = _zone_gap(cz, legs, leg, zone)
    _, _, alt = legs.at(leg, s_first)
    vertical = np.maximum(lo[rows] - alt, alt - hi[rows])
    distance = np.where(gap > _DEGENERATE_M, gap, vertical)
    margin = Findings(leg, zone, np.full(rows.size, _MARGIN, np.int8),
                      cz.band_kind[row_band[rows]], s_first, distance)
    return Findings.concat([found, margin])


def _expand_bands(cz: CompiledZones, pair_zone: IntArray) -> tuple[IntArray, IntArray]:
    """One row per (pair, band of the pair's zone)."""
    counts = cz.band_count[pair_zone]
    row_pair = np.repeat(np.arange(pair_zone.size), counts)
    within = np.arange(row_pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return row_pair, cz.band_start[pair_zone][row_pair] + within


def _home_offsets(cz: CompiledZones, legs: Legs, row_leg: IntArray, row_band: IntArray) -> FloatArray:
    """Home altitude to add to each band's limits (0 for AMSL limits); refuse unknown homes."""
    relative = cz.band_home[row_band]
    home = legs.home[row_leg]
    missing = relative & np.isnan(home)
    if missing.any():
        zone = cz.zones[int(cz.band_zone[row_band[np.flatnonzero(missing)[0]]])]
        raise AltitudeReferenceError(
            f"zone {zone.label} limits altitude relative to home; pass home_amsl_m to check it")
    return np.where(relative, np.nan_to_num(home), 0.0)


def _altitude_fraction(
    a0: FloatArray, a1: FloatArray, lo: FloatArray, hi: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Fractions [sa, sb] of each leg whose altitude lies in [lo, hi] (empty when sa > sb)."""
    da = a1 - a0
    flat = np.abs(da) < 1e-9
    # a flat leg's altitude is constant: dividing by its (possibly subnormal) step would only
    # overflow, so its fractions come from the comparison below instead
    s1 = np.divide(lo - a0, da, out=np.zeros_like(da), where=~flat)
    s2 = np.divide(hi - a0, da, out=np.zeros_like(da), where=~flat)
    sa = np.where(flat, np.where((lo <= a0) & (a0 <= hi), 0.0, 1.0), np.minimum(s1, s2))
    sb = np.where(flat, np.where((lo <= a0) & (a0 <= hi), 1.0, 0.0), np.maximum(s1, s2))
    return np.maximum(sa, 0.0), np.minimum(sb, 1.0)


def _breaches(
    cz: CompiledZones, legs: Legs, pair_leg: IntArray, pair_zone: IntArray, row_pair: IntArray,
    sa: FloatArray, sb: FloatArray, *, grow_m: float,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """First breach fraction and breached fraction total per band row that breaches at all.

    Zones are grown by ``grow_m`` (circles exactly, polygons by a buffer) for margin checks.
    """
    rows_live = np.flatnonzero(sa <= sb + S_TOLERANCE)
    if rows_live.size == 0:
        return np.empty(0, np.intp), np.empty(0), np.empty(0)
    pairs_live = np.unique(row_pair[rows_live])
    circle = cz.is_circle[pair_zone[pairs_live]]
    c_pairs, p_pairs = pairs_live[circle], pairs_live[~circle]
    c_zone = pair_zone[c_pairs]
    c_item, c_lo, c_hi = circle_pieces(legs, pair_leg[c_pairs], cz.circle_x[c_zone],
                                       cz.circle_y[c_zone], cz.circle_r[c_zone] + grow_m)
    p_zone = pair_zone[p_pairs]
    geoms = cz.geoms[p_zone] if grow_m <= 0 else cz.buffered(p_zone, grow_m)
    p_item, p_lo, p_hi = polygon_pieces(geoms, legs, pair_leg[p_pairs])
    piece_pair = np.concatenate([c_pairs[c_item], p_pairs[p_item]])
    order = np.argsort(piece_pair, kind="stable")
    piece_pair = piece_pair[order]
    piece_lo = np.concatenate([c_lo, p_lo])[order]
    piece_hi = np.concatenate([c_hi, p_hi])[order]
    # join every live row with every piece of its pair
    counts = np.bincount(piece_pair, minlength=pair_leg.size)
    first = np.cumsum(counts) - counts
    per_row = counts[row_pair[rows_live]]
    r = np.repeat(rows_live, per_row)
    k = first[row_pair[r]] + (np.arange(r.size) - np.repeat(np.cumsum(per_row) - per_row, per_row))
    start = np.maximum(piece_lo[k], sa[r])
    end = np.minimum(piece_hi[k], sb[r])
    ok = start <= end + S_TOLERANCE
    return _first_and_total(r[ok], start[ok], np.maximum(end[ok] - start[ok], 0.0))


def _zone_gap(cz: CompiledZones, legs: Legs, leg: IntArray, zone: IntArray) -> FloatArray:
    """Horizontal distance from each leg to its zone (0 when they meet); exact for circles."""
    gap = np.empty(leg.size)
    circle = cz.is_circle[zone]
    if circle.any():
        li, zi = leg[circle], zone[circle]
        gap[circle] = np.maximum(segment_distance(legs, li, cz.circle_x[zi], cz.circle_y[zi])
                                 - cz.circle_r[zi], 0.0)
    if (~circle).any():
        gap[~circle] = shapely.distance(legs.geoms[leg[~circle]], cz.geoms[zone[~circle]])
    return gap


def _grown_envelopes(geoms: NDArray[np.object_], margin_m: float) -> NDArray[np.object_]:
    bounds = shapely.bounds(geoms)
    boxes: NDArray[np.object_] = shapely.box(bounds[:, 0] - margin_m, bounds[:, 1] - margin_m,
                                             bounds[:, 2] + margin_m, bounds[:, 3] + margin_m)
    return boxes


def _first_and_total(
    key: IntArray, start: FloatArray, extent: FloatArray
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Per distinct key: the smallest start and the summed extent."""
    if key.size == 0:
        return np.empty(0, np.intp), np.empty(0), np.empty(0)
    order = np.lexsort((start, key))
    keys, first = np.unique(key[order], return_index=True)
    total = np.bincount(key, weights=extent)[keys].astype(float)
    return keys, start[order][first], total


def _to_findings(
    cz: CompiledZones, legs: Legs, pair_leg: IntArray, pair_zone: IntArray, row_pair: IntArray,
    row_band: IntArray, home_off: FloatArray, breaches: tuple[IntArray, FloatArray, FloatArray],
) -> Findings:
    """Findings of actual breaches, with distances (leg length in breach, or point depths)."""
    rows, s_first, fraction = breaches
    leg = pair_leg[row_pair[rows]]
    zone = pair_zone[row_pair[rows]]
    band = row_band[rows]
    kind = cz.band_kind[band]
    distance = fraction * legs.length[leg]
    point = legs.degenerate[leg]
    if point.any():
        p = np.flatnonzero(point)
        limit = cz.band_limit[band[p]] + home_off[rows[p]]
        depth = np.zeros(p.size)
        inside = kind[p] == _INSIDE
        if inside.any():
            depth[inside] = _depth(cz, legs, leg[p[inside]], zone[p[inside]])
        high = np.maximum(legs.a0[leg[p]], legs.a1[leg[p]])
        low = np.minimum(legs.a0[leg[p]], legs.a1[leg[p]])
        depth = np.where(kind[p] == _ABOVE, high - limit, depth)
        depth = np.where(kind[p] == _BELOW, limit - low, depth)
        distance[p] = depth
    return Findings(leg, zone, kind, np.full(rows.size, -1, np.int8), s_first, distance)


def _depth(cz: CompiledZones, legs: Legs, leg: IntArray, zone: IntArray) -> FloatArray:
    """How far inside its zone each point leg is (distance to the boundary)."""
    depth = np.empty(leg.size)
    circle = cz.is_circle[zone]
    if circle.any():
        li, zi = leg[circle], zone[circle]
        depth[circle] = cz.circle_r[zi] - np.hypot(legs.x0[li] - cz.circle_x[zi],
                                                   legs.y0[li] - cz.circle_y[zi])
    if (~circle).any():
        depth[~circle] = shapely.distance(legs.geoms[leg[~circle]],
                                          cz.boundaries()[zone[~circle]])
    return np.maximum(depth, 0.0)


def _operating_findings(
    cz: CompiledZones, legs: Legs, active: NDArray[np.bool_], margin_m: float,
) -> Findings:
    """Legs (or parts) outside every active operating area, and those within the margin of it."""
    union = cz.operating_union(active)
    every = np.arange(len(legs.geoms))
    if union is None:  # operating areas exist but none is active now: nowhere is allowed
        item, lo, _ = every, np.zeros(every.size), np.ones(every.size)
        fraction = np.ones(every.size)
    else:
        item, lo, hi = outside_pieces(union, legs, every)
        item, lo, fraction = _first_and_total(item, lo, hi - lo)
    found = _outside_findings(cz, legs, active, union, item, lo, fraction)
    if margin_m <= 0 or union is None:
        return found
    inner = cz.operating_union(active, shrink_m=margin_m)
    m_item, m_lo, m_hi = outside_pieces(inner if inner is not None else shapely.Polygon(), legs, every)
    m_item, m_lo, _ = _first_and_total(m_item, m_lo, m_hi - m_lo)
    fresh = ~np.isin(m_item, item)
    m_item, m_lo = m_item[fresh], m_lo[fresh]
    x, y, _ = legs.at(m_item, m_lo)
    zone = _nearest_operating(cz, active, x, y)
    distance = shapely.distance(legs.geoms[m_item], shapely.boundary(union))
    margin = Findings(m_item, zone, np.full(m_item.size, _MARGIN, np.int8),
                      np.full(m_item.size, _OUTSIDE, np.int8), m_lo, distance)
    return Findings.concat([found, margin])


def _outside_findings(
    cz: CompiledZones, legs: Legs, active: NDArray[np.bool_], union: shapely.Geometry | None,
    item: IntArray, lo: FloatArray, fraction: FloatArray,
) -> Findings:
    x, y, _ = legs.at(item, lo)
    zone = _nearest_operating(cz, active, x, y)
    distance = fraction * legs.length[item]
    point = legs.degenerate[item]
    if point.any():
        p = np.flatnonzero(point)
        distance[p] = shapely.distance(legs.geoms[item[p]], cz.geoms[zone[p]])
    return Findings(item, zone, np.full(item.size, _OUTSIDE, np.int8),
                    np.full(item.size, -1, np.int8), lo, distance)


def _nearest_operating(
    cz: CompiledZones, active: NDArray[np.bool_], x: FloatArray, y: FloatArray
) -> IntArray:
    """Index of the nearest active operating area (any operating area if none is active)."""
    candidates = cz.operating_indices[active[cz.operating_indices]]
    if candidates.size == 0:
        candidates = cz.operating_indices
    if x.size == 0:
        return np.empty(0, np.intp)
    gap = shapely.distance(shapely.points(x, y)[:, None], cz.geoms[candidates][None, :])
    nearest: IntArray = candidates[np.argmin(gap, axis=1)]
    return nearest
