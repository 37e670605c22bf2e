"""QGroundControl ``.plan`` files (JSON): mission, geoFence and rallyPoints, read and written.

Layout per QGC's published plan-file format: ``{"fileType": "Plan", "version": 1,
"groundStation": ..., "mission": {"version": 2, "items": [...], "plannedHomePosition":
[lat, lon, alt AMSL], "cruiseSpeed", "hoverSpeed", "firmwareType", "vehicleType",
"globalPlanAltitudeMode"}, "geoFence": {...}, "rallyPoints": {"version": 2, "points":
[[lat, lon, alt above home], ...]}}``. A ``SimpleItem`` is one MISSION_ITEM (``command``,
``frame``, ``params`` = param1-4, latitude, longitude, altitude, ``autoContinue``,
``doJumpId``). ``survey`` and ``CorridorScan`` complex items are read as the waypoints QGC
generated for them (``TransectStyleComplexItem.Items``); complex items whose waypoints QGC
computes only when it loads the file (``StructureScan``, landing patterns) are reported as
unsupported. The ``geoFence`` section goes through geofence's own reader and writer.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from geofence import (
    GeofenceError,
    GeoPoint,
    MavCmd,
    MissionItem,
    Zone,
    geofence_section_from_plan,
    geofence_section_to_plan,
)
from missions import _items as it
from missions._exceptions import PlanFormatError
from missions._filemodel import (
    PlanDocument,
    Unsupported,
    check_lat_lon,
    item_fields,
    item_from_fields,
    number,
    unroll_jumps,
    whole,
)

FILE_VERSION = 1
MISSION_VERSION = 2
RALLY_VERSION = 2
_TRANSECT_TYPES = {"survey", "CorridorScan"}
_ALT_MODE = {"relative": 1, "amsl": 2, "terrain": 4}
"""QGC's per-item AltitudeMode numbers (relative to home, AMSL, terrain frame)."""

Where = str


def read_plan(data: str | bytes, *, source: str = "plan") -> PlanDocument:
    """Read a QGroundControl plan file; errors name the file position (JSON line or item)."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        root = json.loads(text)
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"{source} byte {exc.start}", "not UTF-8 text") from exc
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"{source} line {exc.lineno} column {exc.colno}",
                              f"not JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise PlanFormatError(source, "JSON nested too deeply") from exc
    if not isinstance(root, dict):
        raise PlanFormatError(source, "a plan file is a JSON object")
    if root.get("fileType") != "Plan":
        raise PlanFormatError(f"{source} fileType", f"{root.get('fileType')!r} is not 'Plan'")
    if root.get("version") != FILE_VERSION:
        raise PlanFormatError(f"{source} version", f"{root.get('version')!r} is not {FILE_VERSION}")
    mission = root.get("mission")
    if not isinstance(mission, dict):
        raise PlanFormatError(f"{source} mission", "missing or not an object")
    if mission.get("version") != MISSION_VERSION:
        raise PlanFormatError(f"{source} mission.version",
                              f"{mission.get('version')!r} is not {MISSION_VERSION}")
    raw_items = mission.get("items")
    if not isinstance(raw_items, list):
        raise PlanFormatError(f"{source} mission.items", "missing or not a list")
    reader = _ItemReader(source)
    for i, raw in enumerate(raw_items):
        reader.top_item(raw, f"{source} mission item {i}")
    items, notes, unsupported = reader.finish()
    home = _home(mission.get("plannedHomePosition"), f"{source} mission.plannedHomePosition")
    zones: tuple[Zone, ...] = ()
    breach = None
    if root.get("geoFence") is not None:
        try:
            fence = geofence_section_from_plan(root["geoFence"], source_detail=source)
        except GeofenceError as exc:
            raise PlanFormatError(f"{source} geoFence", str(exc)) from exc
        zones, breach = tuple(fence.zones), fence.breach_return
    rally = _rally(root.get("rallyPoints"), f"{source} rallyPoints")
    speeds = [number(mission[k], f"{source} mission.{k}", k) if mission.get(k) is not None else None
              for k in ("cruiseSpeed", "hoverSpeed")]
    return PlanDocument(tuple(items), home, zones, breach, rally, tuple(unsupported), tuple(notes),
                        speeds[0], speeds[1])


class _ItemReader:
    """Collects simple items (with their doJumpIds) from top-level and complex items."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[MissionItem] = []
        self.wheres: list[str] = []
        self.jump_ids: list[int | None] = []
        self.unsupported: list[Unsupported] = []
        self.skipped_ids: dict[int, int] = {}
        """doJumpId of an unsupported item → index of the next item kept."""

    def top_item(self, raw: Any, where: Where) -> None:
        if not isinstance(raw, dict):
            raise PlanFormatError(where, "not a JSON object")
        kind = raw.get("type")
        if kind == "SimpleItem":
            self.simple(raw, where)
        elif kind == "ComplexItem":
            self.complex(raw, where)
        elif isinstance(kind, str):
            self.unsupported.append(Unsupported(where, f"item type {kind!r}", "not a QGC item type"))
        else:
            raise PlanFormatError(where, "no 'type' (SimpleItem or ComplexItem)")

    def simple(self, raw: Any, where: Where) -> None:
        if not isinstance(raw, dict):
            raise PlanFormatError(where, "not a JSON object")
        if "command" not in raw:
            raise PlanFormatError(where, "no 'command'")
        params = raw.get("params")
        if not isinstance(params, list) or len(params) != 7:
            raise PlanFormatError(where, "'params' must be a list of 7 numbers (null for unset)")
        values = [number(v, where, f"param {k + 1}", allow_nan=True) for k, v in enumerate(params)]
        auto = raw.get("autoContinue", True)
        if not isinstance(auto, bool):
            raise PlanFormatError(where, f"autoContinue {auto!r} is not true/false")
        jump_id = raw.get("doJumpId")
        jump = whole(jump_id, where, "doJumpId") if jump_id is not None else None
        item = item_from_fields(where, raw["command"], raw.get("frame"), values, auto)
        if isinstance(item, Unsupported):
            self.unsupported.append(item)
            if jump is not None:
                self.skipped_ids[jump] = len(self.items)
            return
        self.items.append(item)
        self.wheres.append(where)
        self.jump_ids.append(jump)

    def complex(self, raw: dict[str, Any], where: Where) -> None:
        kind = raw.get("complexItemType")
        if not isinstance(kind, str) or kind not in _TRANSECT_TYPES:
            self.unsupported.append(Unsupported(
                where, f"complex item {kind!r}",
                "its waypoints are computed by QGroundControl when loaded, not stored in the file"))
            return
        transect = raw.get("TransectStyleComplexItem")
        inner = transect.get("Items") if isinstance(transect, dict) else None
        if not isinstance(inner, list):
            raise PlanFormatError(where, f"{kind} has no TransectStyleComplexItem.Items list")
        for k, sub in enumerate(inner):
            self.simple(sub, f"{where} ({kind}) item {k}")

    def finish(self) -> tuple[list[MissionItem], list[str], list[Unsupported]]:
        by_id = {j: i for i, j in enumerate(self.jump_ids) if j is not None}
        targets: list[int | None] = []
        for item, where in zip(self.items, self.wheres, strict=True):
            if item.command != MavCmd.DO_JUMP:
                targets.append(None)
                continue
            target_id = whole(item.param1, where, "DO_JUMP target doJumpId")
            target = by_id.get(target_id, self.skipped_ids.get(target_id))
            if target is None:
                raise PlanFormatError(where, f"DO_JUMP target doJumpId {target_id} is not in the plan")
            targets.append(target)
        items, notes, unsupported = unroll_jumps(self.items, targets, lambda i: self.wheres[i])
        return items, notes, self.unsupported + unsupported


def _home(value: Any, where: Where) -> GeoPoint | None:
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 3:
        raise PlanFormatError(where, "must be [latitude, longitude, altitude AMSL]")
    lat, lon, alt = (number(v, where, n) for v, n in zip(value, ("latitude", "longitude", "altitude"),
                                                         strict=True))
    check_lat_lon(lat, lon, where)
    return GeoPoint(lat, lon, alt)


def _rally(section: Any, where: Where) -> tuple[GeoPoint, ...]:
    if section is None:
        return ()
    if not isinstance(section, dict) or not isinstance(section.get("points"), list):
        raise PlanFormatError(where, "must be an object with a 'points' list")
    if section.get("version") != RALLY_VERSION:
        raise PlanFormatError(f"{where}.version", f"{section.get('version')!r} is not {RALLY_VERSION}")
    points = []
    for i, p in enumerate(section["points"]):
        spot = f"{where} point {i}"
        point = _home(p, spot) if p is not None else None
        if point is None:
            raise PlanFormatError(spot, "must be [latitude, longitude, altitude]")
        points.append(point)
    return tuple(points)


def write_plan(items: Sequence[MissionItem], *, home: GeoPoint, zones: Sequence[Zone] = (),
               breach_return: GeoPoint | None = None, rally_points: Sequence[GeoPoint] = (),
               cruise_speed_mps: float = 15.0, hover_speed_mps: float = 5.0,
               firmware_type: int = 0, vehicle_type: int = 2) -> str:
    """A QGroundControl plan file (JSON text) for items, their home, fence and rally points.

    ``home.alt_m`` is AMSL; rally altitudes are above home. ``firmware_type`` is a
    MAV_AUTOPILOT (0 generic, 3 ArduPilot, 12 PX4), ``vehicle_type`` a MAV_TYPE (2 quadrotor).
    """
    simple = []
    for i, item in enumerate(items):
        frame, params = item_fields(item)
        entry: dict[str, Any] = {
            "autoContinue": bool(item.autocontinue), "command": int(item.command),
            "doJumpId": i + 1, "frame": frame,
            "params": [None if math.isnan(v) else v for v in params], "type": "SimpleItem"}
        if item.command in it.NAV_TO_PLACE or item.command in it.PLACED_NON_NAV:
            mode = ("relative" if item.frame in it.RELATIVE_FRAMES else
                    "amsl" if item.frame in it.AMSL_FRAMES else "terrain")
            entry |= {"AMSLAltAboveTerrain": None, "Altitude": item.z, "AltitudeMode": _ALT_MODE[mode]}
        simple.append(entry)
    plan: dict[str, Any] = {
        "fileType": "Plan", "groundStation": "Police GCS", "version": FILE_VERSION,
        "mission": {"cruiseSpeed": cruise_speed_mps, "firmwareType": firmware_type,
                    "globalPlanAltitudeMode": _ALT_MODE["relative"], "hoverSpeed": hover_speed_mps,
                    "items": simple, "plannedHomePosition": [home.lat_deg, home.lon_deg, home.alt_m],
                    "vehicleType": vehicle_type, "version": MISSION_VERSION},
        "geoFence": _fence(zones, breach_return),
        "rallyPoints": {"points": [[p.lat_deg, p.lon_deg, p.alt_m] for p in rally_points],
                        "version": RALLY_VERSION},
    }
    return json.dumps(plan, indent=4, allow_nan=False)


def _fence(zones: Sequence[Zone], breach_return: GeoPoint | None) -> Mapping[str, Any]:
    try:
        return geofence_section_to_plan(zones, breach_return=breach_return)
    except GeofenceError as exc:
        raise PlanFormatError("geoFence", str(exc)) from exc
