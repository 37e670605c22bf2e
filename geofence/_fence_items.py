"""Zones to and from MAVLink fence items (mission_type FENCE), as uploaded to an autopilot.

Items (mavlink common.xml): MAV_CMD_NAV_FENCE_POLYGON_VERTEX_INCLUSION / _EXCLUSION (one item
per vertex, param1 = the polygon's vertex count, sent consecutively), _CIRCLE_INCLUSION /
_EXCLUSION (param1 = radius in metres) and _RETURN_POINT. Inclusion items carry an inclusion
group in param2: a vehicle must be inside every inclusion zone of one group and inside at
least one group.

What the autopilots accept (read in their sources, see the report of issue 3):

- ArduPilot (AC_PolyFence_loader, MissionItemProtocol_Fence) refuses a vertex count above
  255 (MAV_MISSION_INVALID_PARAM1), stores only lat/lon (a return point reads back with
  altitude 0, frame GLOBAL), treats all inclusion zones as an intersection unless the
  FENCE_OPTIONS "inclusion union" bit is set, and ignores groups.
- PX4 (navigator/geofence.cpp) requires every inclusion zone to contain home ("Geofence
  invalid, doesn't contain Home position") and intersects all inclusion zones.
- Altitude limits are parameters, not items (ArduPilot FENCE_ALT_MAX / FENCE_ALT_MIN, PX4
  GF_MAX_VER_DIST) and items have no hours, so such zones are refused unless the caller asks
  for their horizontal shapes only.

This station models operating areas as a union, so each operating area gets its own
inclusion group; reading items back intersects the zones of a group, as the standard says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import shapely

from geofence._compiled import metric_polygons
from geofence._exceptions import FenceItemError, GeofenceError, ProjectionError, ZoneError
from geofence._geo import GeoPoint, coordinate_problem
from geofence._items import MavCmd, MavFrame, MissionItem, MissionType
from geofence._projection import LocalProjection
from geofence._zone import CircleShape, PolygonShape, Zone, ZoneKind, ZoneSource
from geofence._zoneset import ZoneSet

_VERTEX = {MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION: ZoneKind.OPERATING_AREA,
           MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION: ZoneKind.NO_FLY}
_CIRCLE = {MavCmd.NAV_FENCE_CIRCLE_INCLUSION: ZoneKind.OPERATING_AREA,
           MavCmd.NAV_FENCE_CIRCLE_EXCLUSION: ZoneKind.NO_FLY}
_POSITION_FRAMES = {MavFrame.GLOBAL, MavFrame.GLOBAL_INT,
                    MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_RELATIVE_ALT_INT,
                    MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT}
"""Frames ArduPilot accepts for fence items (vertices use only lat/lon)."""
_TERRAIN_FRAMES = {MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT}
_AMSL_FRAMES = {MavFrame.GLOBAL, MavFrame.GLOBAL_INT}


def zones_to_fence_items(
    zones: Sequence[Zone], return_point: GeoPoint | None = None, *,
    home: GeoPoint | None = None, horizontal_only: bool = False,
) -> list[MissionItem]:
    """Fence items (mission_type FENCE) for no-fly zones and operating areas.

    Refused with :class:`FenceItemError` naming the zone: altitude-limit zones, floors or
    ceilings and hours (unless ``horizontal_only``: the autopilot then enforces the shape at
    all heights and times and the station the rest), and no-fly polygons with holes. An
    operating area's hole becomes an exclusion polygon. With ``home`` given, a fence that
    does not contain home is refused, as PX4 would. The return point is written AMSL.
    """
    items: list[MissionItem] = []
    if return_point is not None:
        _check_position(return_point.lat_deg, return_point.lon_deg, "return point")
        items.append(_item(MavCmd.NAV_FENCE_RETURN_POINT, return_point.lat_deg,
                           return_point.lon_deg, z=float(return_point.alt_m)))
    group = 0
    for zone in zones:
        check_horizontal(zone, horizontal_only=horizontal_only, target="fence items")
        inclusion = zone.kind is ZoneKind.OPERATING_AREA
        group_param = float(group) if inclusion else 0.0
        if isinstance(zone.shape, CircleShape):
            cmd = MavCmd.NAV_FENCE_CIRCLE_INCLUSION if inclusion else MavCmd.NAV_FENCE_CIRCLE_EXCLUSION
            items.append(_item(cmd, zone.shape.center_lat_deg, zone.shape.center_lon_deg,
                               param1=zone.shape.radius_m, param2=group_param))
        else:
            cmd = (MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION if inclusion
                   else MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION)
            items += _polygon_items(cmd, zone.shape.exterior, group_param)
            for hole in zone.shape.holes:  # only operating areas get here with holes
                items += _polygon_items(MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION, hole, 0.0)
        group += int(inclusion)
    if home is not None:
        _check_home(zones, home)
    return items


def fence_items_to_zones(items: Sequence[MissionItem]) -> list[Zone]:
    """Zones described by fence items (e.g. read back from a vehicle); the return point is skipped.

    Exclusion items become no-fly zones. The inclusion zones of one group become one operating
    area (their intersection; several if it falls apart). Malformed items are refused naming
    the item's index.
    """
    entries: list[Zone | int] = []  # zones in item order; an int marks where a group goes
    groups: dict[int, list[Zone]] = {}
    seq = 0
    while seq < len(items):
        item = items[seq]
        _check_item(item, seq)
        command = MavCmd(item.command)
        if command is MavCmd.NAV_FENCE_RETURN_POINT:
            seq += 1
            continue
        try:
            if command in _CIRCLE:
                zone = Zone.circle(f"fence-{seq}", f"fence {_kind_word(command)} circle (item {seq})",
                                   _CIRCLE[command], item.lat_deg, item.lon_deg, _radius(item, seq),
                                   source=ZoneSource.VEHICLE)
                span = 1
            else:
                zone, span = _read_polygon(items, seq)
        except (ZoneError, ProjectionError) as exc:
            raise FenceItemError(f"item {seq}: {exc}") from exc
        if zone.kind is ZoneKind.OPERATING_AREA:
            group = _group(item, seq)
            if group not in groups:
                entries.append(group)
            groups.setdefault(group, []).append(zone)
        else:
            entries.append(zone)
        seq += span
    zones: list[Zone] = []
    for entry in entries:
        if isinstance(entry, Zone):
            zones.append(entry)
        else:
            members = groups[entry]
            zones += members if len(members) == 1 else _intersect_group(entry, members)
    return zones


def return_point_from_fence_items(
    items: Sequence[MissionItem], *, home_amsl_m: float | None = None
) -> GeoPoint | None:
    """The fence return point (altitude AMSL), or None; a relative altitude needs the home's."""
    found = [(i, it) for i, it in enumerate(items) if it.command == MavCmd.NAV_FENCE_RETURN_POINT]
    if not found:
        return None
    if len(found) > 1:
        raise FenceItemError(f"items {[i for i, _ in found]} are all return points; at most one is allowed")
    seq, item = found[0]
    _check_item(item, seq)
    alt = float(item.z)
    if item.frame in _TERRAIN_FRAMES:
        raise FenceItemError(f"item {seq}: return point altitude is above terrain; the station "
                             "has no terrain model to turn it into AMSL")
    if item.frame not in _AMSL_FRAMES:
        if home_amsl_m is None:
            raise FenceItemError(
                f"item {seq}: return point altitude is relative to home; pass home_amsl_m")
        alt += home_amsl_m
    return GeoPoint(item.lat_deg, item.lon_deg, alt)


# -- writing ---------------------------------------------------------------------------------

def _item(command: MavCmd, lat: float, lon: float, *, param1: float = 0.0, param2: float = 0.0,
          z: float = 0.0) -> MissionItem:
    return MissionItem(command=command, frame=MavFrame.GLOBAL, param1=float(param1),
                       param2=param2, x=round(lat * 1e7), y=round(lon * 1e7), z=z,
                       mission_type=MissionType.FENCE)


def _polygon_items(command: MavCmd, ring: Sequence[tuple[float, float]], group: float) -> list[MissionItem]:
    return [_item(command, lat, lon, param1=len(ring), param2=group) for lat, lon in ring]


def check_horizontal(
    zone: Zone, *, horizontal_only: bool, target: str,
    error: type[GeofenceError] = FenceItemError,
) -> None:
    """Refuse a zone that ``target`` (fence items, a plan file) cannot state without loss."""
    if zone.kind is ZoneKind.ALTITUDE_LIMIT:
        raise error(
            f"zone {zone.label}: an altitude-limit zone has no place in {target}; autopilots take "
            "altitude limits as parameters (ArduPilot FENCE_ALT_MAX/FENCE_ALT_MIN, PX4 GF_MAX_VER_DIST)")
    if horizontal_only:
        pass
    elif zone.floor_m is not None or zone.ceiling_m is not None:
        raise error(
            f"zone {zone.label}: {target} cannot carry a floor or ceiling; pass "
            "horizontal_only=True to keep its shape at all heights (the station checks altitude)")
    elif zone.schedule is not None:
        raise error(
            f"zone {zone.label}: {target} have no hours ({zone.schedule.describe()}); export "
            "only the zones active for the flight, with horizontal_only=True")
    if zone.kind is ZoneKind.NO_FLY and isinstance(zone.shape, PolygonShape) and zone.shape.holes:
        raise error(
            f"zone {zone.label}: a no-fly polygon with holes has no place in {target}; split it "
            "into hole-free polygons")


def _check_home(zones: Sequence[Zone], home: GeoPoint) -> None:
    flat = [Zone(z.id, z.name, z.kind, z.shape) for z in zones]
    problems = ZoneSet(flat).check_point(GeoPoint(home.lat_deg, home.lon_deg, 0.0))
    if problems:
        raise FenceItemError(
            f"home ({home.lat_deg:.7f}, {home.lon_deg:.7f}) breaks zone '{problems[0].zone_name}' "
            f"({problems[0].zone_id}): {problems[0].kind.value}; PX4 rejects a fence that does "
            "not contain home")


def _check_position(lat: float, lon: float, what: str) -> None:
    problem = coordinate_problem(lat, lon)
    if problem:
        raise FenceItemError(f"{what}: {problem}")


# -- reading ---------------------------------------------------------------------------------

def _check_item(item: MissionItem, seq: int) -> None:
    if item.mission_type != MissionType.FENCE:
        raise FenceItemError(f"item {seq}: mission_type {item.mission_type!r} is not FENCE")
    if item.command not in {*_VERTEX, *_CIRCLE, MavCmd.NAV_FENCE_RETURN_POINT}:
        raise FenceItemError(f"item {seq}: command {item.command} is not a fence command")
    if item.frame not in _POSITION_FRAMES:
        raise FenceItemError(f"item {seq}: frame {item.frame} is not a global lat/lon frame")
    _check_position(item.lat_deg, item.lon_deg, f"item {seq}")


def _kind_word(command: MavCmd) -> str:
    return "inclusion" if command in (MavCmd.NAV_FENCE_CIRCLE_INCLUSION,
                                      MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION) else "exclusion"


def _radius(item: MissionItem, seq: int) -> float:
    radius = float(item.param1)
    if not math.isfinite(radius) or radius <= 0:
        raise FenceItemError(f"item {seq}: circle radius {radius} is not a positive number of metres")
    return radius


def _group(item: MissionItem, seq: int) -> int:
    group = float(item.param2)
    if not math.isfinite(group) or group < 0 or group != int(group):
        raise FenceItemError(f"item {seq}: inclusion group {group} is not a whole number >= 0")
    return int(group)


def _read_polygon(items: Sequence[MissionItem], seq: int) -> tuple[Zone, int]:
    first = items[seq]
    count = float(first.param1)
    if not math.isfinite(count) or count != int(count) or count < 3:
        raise FenceItemError(f"item {seq}: polygon vertex count {count} is not a whole number >= 3")
    n = int(count)
    if seq + n > len(items):
        raise FenceItemError(f"item {seq}: polygon declares {n} vertices but only "
                             f"{len(items) - seq} items remain")
    for k in range(seq, seq + n):
        other = items[k]
        _check_item(other, k)
        if (other.command, other.param1, other.param2) != (first.command, first.param1, first.param2):
            raise FenceItemError(
                f"item {k}: breaks the {n}-vertex polygon that starts at item {seq} (command, "
                "vertex count or group differ)")
    command = MavCmd(first.command)
    vertices = [(items[k].lat_deg, items[k].lon_deg) for k in range(seq, seq + n)]
    zone = Zone.polygon(f"fence-{seq}", f"fence {_kind_word(command)} polygon (item {seq})",
                        _VERTEX[command], vertices, source=ZoneSource.VEHICLE)
    return zone, n


def _intersect_group(group: int, members: list[Zone]) -> list[Zone]:
    """Operating areas equal to the intersection of one inclusion group's zones."""
    lats: list[float] = []
    lons: list[float] = []
    for zone in members:
        zone_lats, zone_lons = zone.all_lat_lon()
        lats += zone_lats
        lons += zone_lons
    try:
        projection = LocalProjection.for_points(lats, lons)
        common = shapely.intersection_all(metric_polygons(tuple(members), projection))
    except (ZoneError, ProjectionError) as exc:
        raise FenceItemError(f"inclusion group {group}: {exc}") from exc
    parts = [p for p in shapely.get_parts(common) if isinstance(p, shapely.Polygon) and not p.is_empty]
    if not parts:
        raise FenceItemError(
            f"inclusion group {group} ({', '.join(z.id for z in members)}) has no common area: "
            "the fence would allow flying nowhere")
    zones = []
    for k, polygon in enumerate(parts):
        rings = [_ring_lat_lon(r, projection) for r in (polygon.exterior, *polygon.interiors)]
        zones.append(Zone.polygon(
            f"fence-group-{group}" + (f"-{k + 1}" if len(parts) > 1 else ""),
            f"fence inclusion group {group}" + (f" part {k + 1}" if len(parts) > 1 else ""),
            ZoneKind.OPERATING_AREA, rings[0], rings[1:], source=ZoneSource.VEHICLE,
            source_detail="intersection of " + ", ".join(z.id for z in members)))
    return zones


def _ring_lat_lon(ring: shapely.LinearRing, projection: LocalProjection) -> list[tuple[float, float]]:
    coords = np.asarray(ring.coords)[:-1]
    lat, lon = projection.to_wgs84(coords[:, 0], coords[:, 1])
    return list(zip(lat.tolist(), lon.tolist(), strict=True))
