"""The geoFence section of a QGroundControl plan file (version 2), read and written.

The missions package owns whole ``.plan`` files and calls these for their ``geoFence`` key.
Layout (QGC's plan-file format description): ``{"version": 2, "polygons": [{"inclusion": bool,
"polygon": [[lat, lon], ...], "version": 1}], "circles": [{"inclusion": bool, "circle":
{"center": [lat, lon], "radius": metres}, "version": 1}], "breachReturn": [lat, lon, alt]}``.
Positions are [latitude, longitude] here, unlike GeoJSON. Inclusion shapes are operating areas,
exclusion shapes no-fly zones. The format has no ids, names, altitude limits or hours: reading
gives generated ids (``plan-polygon-<i>``, ``plan-circle-<i>``), and writing refuses what it
cannot say unless asked for the horizontal shapes only. QGC ignores version-1 sections; this
reader refuses them, and refuses unknown keys, rather than drop a fence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from geofence._exceptions import GeofenceError, PlanFileError
from geofence._fence_items import check_horizontal
from geofence._geo import GeoPoint
from geofence._props import check_lat_lon, number
from geofence._zone import CircleShape, PolygonShape, Zone, ZoneKind, ZoneSource

GEOFENCE_VERSION = 2
SHAPE_VERSION = 1
_SECTION_KEYS = {"version", "polygons", "circles", "breachReturn"}
_POLYGON_KEYS = {"inclusion", "polygon", "version"}
_CIRCLE_KEYS = {"inclusion", "circle", "version"}
_ORDER = "[latitude, longitude]"


@dataclass(frozen=True, slots=True)
class PlanGeoFence:
    """A plan's fence: its zones and its breach return point (``alt_m`` above home, as QGC)."""

    zones: list[Zone]
    breach_return: GeoPoint | None = None


def geofence_section_from_plan(
    section: Mapping[str, Any], *, source_detail: str = "", id_prefix: str = "plan",
) -> PlanGeoFence:
    """Zones and breach return point of a plan file's ``geoFence`` object."""
    if not isinstance(section, Mapping):
        raise PlanFileError("geoFence is not a JSON object")
    _check_keys(section, _SECTION_KEYS, "geoFence")
    version = section.get("version")
    if version != GEOFENCE_VERSION:
        raise PlanFileError(f"geoFence version {version!r} is not supported; only version "
                            f"{GEOFENCE_VERSION} (QGroundControl ignores older sections)")
    zones: list[Zone] = []
    polygons, circles = section.get("polygons"), section.get("circles")
    if not isinstance(polygons, list) or not isinstance(circles, list):
        raise PlanFileError("geoFence needs 'polygons' and 'circles' lists")
    for i, item in enumerate(polygons):
        zones.append(_polygon(item, i, source_detail, id_prefix))
    for i, item in enumerate(circles):
        zones.append(_circle(item, i, source_detail, id_prefix))
    breach = section.get("breachReturn")
    return PlanGeoFence(zones, _breach_return(breach) if breach is not None else None)


def geofence_section_to_plan(
    zones: Sequence[Zone], *, breach_return: GeoPoint | None = None,
    horizontal_only: bool = False,
) -> dict[str, Any]:
    """A plan file's ``geoFence`` object for no-fly zones and operating areas.

    Refused (naming the zone): altitude-limit zones, floors, ceilings and hours unless
    ``horizontal_only``, no-fly polygons with holes. An operating area's hole is written as an
    exclusion polygon. ``breach_return`` altitude is above home, as QGC stores it.
    """
    polygons: list[dict[str, Any]] = []
    circles: list[dict[str, Any]] = []
    for zone in zones:
        check_horizontal(zone, horizontal_only=horizontal_only, target="plan geoFence sections",
                         error=PlanFileError)
        inclusion = zone.kind is ZoneKind.OPERATING_AREA
        if isinstance(zone.shape, CircleShape):
            circles.append({"circle": {"center": [zone.shape.center_lat_deg, zone.shape.center_lon_deg],
                                       "radius": zone.shape.radius_m},
                            "inclusion": inclusion, "version": SHAPE_VERSION})
            continue
        polygons.append({"inclusion": inclusion, "polygon": [list(p) for p in zone.shape.exterior],
                         "version": SHAPE_VERSION})
        for hole in zone.shape.holes:
            polygons.append({"inclusion": False, "polygon": [list(p) for p in hole],
                             "version": SHAPE_VERSION})
    section: dict[str, Any] = {"circles": circles, "polygons": polygons, "version": GEOFENCE_VERSION}
    if breach_return is not None:
        check_lat_lon(breach_return.lat_deg, breach_return.lon_deg, "breachReturn", PlanFileError, _ORDER)
        section["breachReturn"] = [breach_return.lat_deg, breach_return.lon_deg, breach_return.alt_m]
    return section


def _polygon(item: Any, index: int, source_detail: str, id_prefix: str) -> Zone:
    where = f"geoFence polygon {index}"
    _check_shape_item(item, _POLYGON_KEYS, where)
    vertices = item.get("polygon")
    if not isinstance(vertices, list):
        raise PlanFileError(f"{where}: 'polygon' is not a list of [latitude, longitude] points")
    ring = tuple(_lat_lon(v, f"{where} point {k}") for k, v in enumerate(vertices))
    return _zone(f"{id_prefix}-polygon-{index}", f"Plan fence polygon {index + 1}", item,
                 PolygonShape(ring), where, source_detail)


def _circle(item: Any, index: int, source_detail: str, id_prefix: str) -> Zone:
    where = f"geoFence circle {index}"
    _check_shape_item(item, _CIRCLE_KEYS, where)
    circle = item.get("circle")
    if not isinstance(circle, Mapping) or set(circle) != {"center", "radius"}:
        raise PlanFileError(f"{where}: 'circle' must be an object with exactly 'center' and 'radius'")
    lat, lon = _lat_lon(circle["center"], f"{where} center")
    radius = number(circle["radius"], "radius", where, PlanFileError)
    return _zone(f"{id_prefix}-circle-{index}", f"Plan fence circle {index + 1}", item,
                 CircleShape(lat, lon, radius), where, source_detail)


def _zone(zone_id: str, name: str, item: Mapping[str, Any], shape: CircleShape | PolygonShape,
          where: str, source_detail: str) -> Zone:
    kind = ZoneKind.OPERATING_AREA if item["inclusion"] else ZoneKind.NO_FLY
    try:
        return Zone(zone_id, name, kind, shape, source=ZoneSource.IMPORTED_FILE,
                    source_detail=source_detail)
    except GeofenceError as exc:
        raise PlanFileError(f"{where}: {exc}") from exc


def _check_shape_item(item: Any, keys: set[str], where: str) -> None:
    if not isinstance(item, Mapping):
        raise PlanFileError(f"{where}: not a JSON object")
    _check_keys(item, keys, where)
    if not isinstance(item.get("inclusion"), bool):
        raise PlanFileError(f"{where}: 'inclusion' must be true or false")
    if item.get("version") != SHAPE_VERSION:
        raise PlanFileError(f"{where}: version {item.get('version')!r} is not {SHAPE_VERSION}")


def _check_keys(item: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise PlanFileError(f"{where}: unknown key {unknown[0]!r} (expected {', '.join(sorted(allowed))})")


def _lat_lon(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise PlanFileError(f"{where}: {value!r} is not [latitude, longitude]")
    lat = number(value[0], "latitude", where, PlanFileError)
    lon = number(value[1], "longitude", where, PlanFileError)
    check_lat_lon(lat, lon, where, PlanFileError, _ORDER)
    return lat, lon


def _breach_return(value: Any) -> GeoPoint:
    if not isinstance(value, list) or len(value) != 3:
        raise PlanFileError(f"breachReturn {value!r} is not [latitude, longitude, altitude]")
    lat, lon = _lat_lon(value[:2], "breachReturn")
    return GeoPoint(lat, lon, number(value[2], "altitude", "breachReturn", PlanFileError))
