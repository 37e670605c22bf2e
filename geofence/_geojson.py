"""Zones to and from GeoJSON (RFC 7946: WGS84, positions in [longitude, latitude] order).

A zone is a Feature: a Polygon (outline then holes), or a Point with a ``radius_m`` property
for a circle (GeoJSON has no circle). The Feature's ``id`` is the zone id and its properties
carry the other attributes (see ``geofence._props``). A MultiPolygon becomes one zone per part
(ids ``<id>/1``, ``<id>/2``...). A file in [latitude, longitude] order is refused, never
silently swapped: a position whose second number is outside [-90, 90] while the first would be
a latitude is flagged, and with ``near`` a file whose positions only make sense swapped is
flagged too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from geofence._exceptions import GeoJSONError
from geofence._geo import geodesic_distance_m
from geofence._props import (
    ReadContext,
    check_lat_lon,
    number,
    zone_from_properties,
    zone_properties,
)
from geofence._zone import CircleShape, PolygonShape, Zone, ZoneKind, ZoneSource

MAX_DOCUMENT_BYTES = 50_000_000
"""Larger documents are refused (a city's zones take a few megabytes)."""
_WGS84_CRS = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326",
              "urn:ogc:def:crs:EPSG::4326"}
_SWAP_HINT_RATIO = 10.0
_SWAP_HINT_MIN_M = 500_000.0


def zones_to_geojson(zones: Sequence[Zone]) -> dict[str, Any]:
    """A FeatureCollection of the zones (circles as Points with ``radius_m``)."""
    features = []
    for zone in zones:
        props = zone_properties(zone)
        if isinstance(zone.shape, CircleShape):
            geometry = {"type": "Point",
                        "coordinates": [zone.shape.center_lon_deg, zone.shape.center_lat_deg]}
            props["radius_m"] = zone.shape.radius_m
        else:
            rings = [_ccw(zone.shape.exterior, ccw=True)] + [_ccw(h, ccw=False) for h in zone.shape.holes]
            geometry = {"type": "Polygon",
                        "coordinates": [[[lon, lat] for lat, lon in (*r, r[0])] for r in rings]}
        features.append({"type": "Feature", "id": zone.id, "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def zones_from_geojson(
    data: str | bytes | Mapping[str, Any], *, default_kind: ZoneKind | None = None,
    source: ZoneSource = ZoneSource.IMPORTED_FILE, source_detail: str = "",
    id_prefix: str = "geojson", near: tuple[float, float] | None = None,
) -> list[Zone]:
    """Zones from a GeoJSON FeatureCollection or Feature; refuses anything it cannot read exactly.

    Features without an id get ``<id_prefix>-<index>``; without a ``kind`` property they take
    ``default_kind`` (an error if None). ``near`` (lat, lon) enables the swapped-order check
    for files whose coordinates are in range either way.
    """
    document = _load(data)
    if document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise GeoJSONError("FeatureCollection has no 'features' list")
    elif document.get("type") == "Feature":
        features = [document]
    else:
        raise GeoJSONError(f"expected a FeatureCollection or Feature, got type {document.get('type')!r}")
    _check_crs(document)
    zones: list[Zone] = []
    for index, feature in enumerate(features):
        zones += _feature_zones(feature, index, default_kind, source, source_detail, id_prefix)
    if near is not None:
        _check_order_near(zones, near)
    return zones


def _load(data: str | bytes | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    if len(data) > MAX_DOCUMENT_BYTES:
        raise GeoJSONError(f"document is {len(data)} bytes; more than {MAX_DOCUMENT_BYTES} is refused")
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeoJSONError(f"not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise GeoJSONError("top level is not a JSON object")
    return document


def _check_crs(document: Mapping[str, Any]) -> None:
    crs = document.get("crs")
    if crs is None:
        return
    name = crs.get("properties", {}).get("name") if isinstance(crs, Mapping) else None
    if name not in _WGS84_CRS:
        raise GeoJSONError(f"crs {name or crs!r} is not WGS84 longitude/latitude (RFC 7946 allows only that)")


def _feature_zones(
    feature: Any, index: int, default_kind: ZoneKind | None, source: ZoneSource,
    source_detail: str, id_prefix: str,
) -> list[Zone]:
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        raise GeoJSONError(f"feature {index}: not a GeoJSON Feature object")
    props = feature.get("properties") or {}
    if not isinstance(props, Mapping):
        raise GeoJSONError(f"feature {index}: properties is not an object")
    raw_id = feature.get("id", props.get("id"))
    zone_id = str(raw_id) if raw_id not in (None, "") else f"{id_prefix}-{index}"
    where = f"feature {index} ({props.get('name') or zone_id!r})"
    geometry = feature.get("geometry")
    if not isinstance(geometry, Mapping):
        raise GeoJSONError(f"{where}: has no geometry")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    context = ReadContext(GeoJSONError, default_kind, source, source_detail)
    if kind == "Point":
        if "radius_m" not in props:
            raise GeoJSONError(f"{where}: a Point zone needs a 'radius_m' property (a circle)")
        lat, lon = _position(coords, where)
        radius = number(props["radius_m"], "radius_m", where, GeoJSONError)
        return [zone_from_properties(props, CircleShape(lat, lon, radius), zone_id=zone_id,
                                     where=where, context=context)]
    if kind == "Polygon":
        return [zone_from_properties(props, _polygon(coords, where), zone_id=zone_id, where=where,
                                     context=context)]
    if kind == "MultiPolygon":
        if not isinstance(coords, list) or not coords:
            raise GeoJSONError(f"{where}: MultiPolygon coordinates are not a list of polygons")
        return [zone_from_properties(props, _polygon(part, f"{where} part {k + 1}"),
                                     zone_id=f"{zone_id}/{k + 1}", where=where, context=context)
                for k, part in enumerate(coords)]
    raise GeoJSONError(f"{where}: geometry type {kind!r} is not a zone (Polygon, MultiPolygon, "
                       "or Point with radius_m)")


def _polygon(coords: Any, where: str) -> PolygonShape:
    if not isinstance(coords, list) or not coords:
        raise GeoJSONError(f"{where}: Polygon coordinates are not a list of rings")
    rings = []
    for r, ring in enumerate(coords):
        if not isinstance(ring, list):
            raise GeoJSONError(f"{where}: ring {r} is not a list of positions")
        rings.append(tuple(_position(p, f"{where} ring {r} position {i}") for i, p in enumerate(ring)))
    return PolygonShape(rings[0], tuple(rings[1:]))


def _position(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        raise GeoJSONError(f"{where}: position {value!r} is not [longitude, latitude(, altitude)]")
    lon = number(value[0], "longitude", where, GeoJSONError)
    lat = number(value[1], "latitude", where, GeoJSONError)
    check_lat_lon(lat, lon, where, GeoJSONError, "[longitude, latitude] (RFC 7946)")
    return lat, lon


def _check_order_near(zones: list[Zone], near: tuple[float, float]) -> None:
    """Flag a file whose positions are far from ``near`` but close to it when swapped."""
    for zone in zones:
        lats, lons = zone.all_lat_lon()
        lat, lon = float(np.mean(lats)), float(np.mean(lons))
        if abs(lon) > 90.0:
            continue  # cannot be a latitude: this zone's order is unambiguous
        as_read = float(geodesic_distance_m(lat, lon, *near))
        swapped = float(geodesic_distance_m(lon, lat, *near))
        if as_read > _SWAP_HINT_MIN_M and swapped * _SWAP_HINT_RATIO < as_read:
            raise GeoJSONError(
                f"zone {zone.label} lies {as_read / 1000:.0f} km from the expected area but "
                f"{swapped / 1000:.0f} km if its coordinates are swapped: the file looks like "
                "[latitude, longitude] order; RFC 7946 requires [longitude, latitude]")


def _ccw(ring: tuple[tuple[float, float], ...], *, ccw: bool) -> tuple[tuple[float, float], ...]:
    """The ring wound counter-clockwise (outlines) or clockwise (holes), as RFC 7946 asks."""
    lats = np.array([p[0] for p in ring])
    lons = np.array([p[1] for p in ring])
    lons = lons[0] + (lons - lons[0] + 180.0) % 360.0 - 180.0  # unwrap across the antimeridian
    area2 = float(np.sum(lons * np.roll(lats, -1) - np.roll(lons, -1) * lats))
    return ring if (area2 > 0) == ccw else (ring[0], *reversed(ring[1:]))
