"""What plan and route files read into, and the checks every item reader shares.

A reader either returns every item it was given (items it cannot turn into mission items are
listed in ``unsupported`` with their file position and why) or refuses the file with a
:class:`PlanFormatError` naming the position. DO_JUMP repeats are unrolled into plain items
(their targets count ArduPilot's home slot on one family and not on the other) and noted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from geofence import GeoPoint, MavCmd, MavFrame, MissionItem, Zone
from missions import _items as it
from missions._cmd_names import MAV_CMD_NAMES
from missions._exceptions import MissingFrameError, PlanFormatError, UnknownCommandError
from missions._routes import Waypoint

MAX_UNROLLED_ITEMS = 5000
"""Largest mission a file's DO_JUMP repeats may unroll to."""


@dataclass(frozen=True, slots=True)
class Unsupported:
    """Something in a file that could not become a mission item, where it is and why."""

    where: str
    what: str
    reason: str

    def describe(self) -> str:
        """One line of human text."""
        return f"{self.where}: {self.what} not loaded: {self.reason}"


@dataclass(frozen=True, slots=True)
class PlanDocument:
    """A mission plan read from (or to be written to) a file.

    ``home`` is the planned home/launch position with its altitude AMSL; ``rally_points``
    altitudes are above home, as QGroundControl stores them.
    """

    items: tuple[MissionItem, ...]
    home: GeoPoint | None = None
    zones: tuple[Zone, ...] = ()
    breach_return: GeoPoint | None = None
    rally_points: tuple[GeoPoint, ...] = ()
    unsupported: tuple[Unsupported, ...] = ()
    notes: tuple[str, ...] = ()
    cruise_speed_mps: float | None = None
    hover_speed_mps: float | None = None

    @property
    def complete(self) -> bool:
        """True when everything in the file was loaded."""
        return not self.unsupported


@dataclass(frozen=True, slots=True)
class RouteArea:
    """An area drawn in a route file (a polygon): build a sweep or a perimeter patrol from it.

    ``outline`` and ``holes`` are rings of (lat_deg, lon_deg) without a closing vertex.
    """

    name: str
    where: str
    outline: tuple[tuple[float, float], ...]
    holes: tuple[tuple[tuple[float, float], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class RouteFile:
    """Waypoints (altitudes above home) and areas read from a GIS route file (GeoJSON, KML)."""

    name: str
    waypoints: tuple[Waypoint, ...]
    unsupported: tuple[Unsupported, ...] = ()
    notes: tuple[str, ...] = field(default=())
    areas: tuple[RouteArea, ...] = ()

    @property
    def complete(self) -> bool:
        """True when everything in the file was loaded."""
        return not self.unsupported


def number(value: object, where: str, what: str, *, allow_nan: bool = False) -> float:
    """A JSON/text number (``None`` is NaN when allowed), refusing anything else by position."""
    if value is None and allow_nan:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanFormatError(where, f"{what} {value!r} is not a number")
    result = float(value)
    if math.isnan(result) and not allow_nan or math.isinf(result):
        raise PlanFormatError(where, f"{what} {value!r} is not a finite number")
    return result


def whole(value: object, where: str, what: str) -> int:
    """A whole number (an int, or a float without fraction), refusing anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value != int(value):
        raise PlanFormatError(where, f"{what} {value!r} is not a whole number")
    return int(value)


def check_lat_lon(lat: float, lon: float, where: str) -> None:
    """Refuse a position that is not WGS84 latitude/longitude (swapped order included)."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise PlanFormatError(where, f"({lat}, {lon}) is not a latitude/longitude position")


def item_from_fields(where: str, command: object, frame: object, params: Sequence[float],
                     autocontinue: bool) -> MissionItem | Unsupported:
    """One mission item from a file's fields (``params`` = param1-4, x/lat, y/lon, z/alt).

    Unknown command ids and placed commands without an altitude frame are refused; a placed
    command in a frame the station cannot place (local, body) is returned as unsupported.
    """
    cmd = whole(command, where, "command")
    if cmd not in MAV_CMD_NAMES:
        raise UnknownCommandError(where, f"unknown command id {cmd} (not a MAVLink MAV_CMD)")
    label = it.command_name(cmd)
    if frame is None:
        raise MissingFrameError(where, f"{label} has no frame")
    frm = whole(frame, where, "frame")
    if frm not in it.MAV_FRAME_NAMES:
        raise PlanFormatError(where, f"{label} has unknown frame {frm}")
    p1, p2, p3, p4, x, y, z = params
    if cmd in it.NEEDS_ALTITUDE_FRAME and frm == MavFrame.MISSION:
        raise MissingFrameError(where, f"{label} has frame MISSION, which does not say what its "
                                "altitude is measured from")
    if cmd in it.NEEDS_ALTITUDE_FRAME and frm not in it.GLOBAL_FRAMES:
        return Unsupported(where, label, f"frame {it.frame_name(frm)} is not a global position")
    if frm in it.GLOBAL_FRAMES:
        if math.isnan(x) or math.isnan(y):
            raise PlanFormatError(where, f"{label} latitude/longitude missing")
        check_lat_lon(x, y, where)
        if cmd in it.NEEDS_ALTITUDE_FRAME and not math.isfinite(z):
            raise PlanFormatError(where, f"{label} has no altitude")
        xi, yi = it.e7(x), it.e7(y)
    else:
        xi = round(x) if math.isfinite(x) else 0
        yi = round(y) if math.isfinite(y) else 0
    return MissionItem(command=cmd, frame=it.from_file_frame(frm), param1=p1, param2=p2,
                       param3=p3, param4=p4, x=xi, y=yi, z=z, autocontinue=autocontinue)


def item_fields(item: MissionItem) -> tuple[int, list[float]]:
    """The file frame and param1-4, x/lat, y/lon, z/alt of an item (inverse of the reader)."""
    frame = it.to_file_frame(item.frame)
    if item.frame in it.GLOBAL_FRAMES:
        x, y = item.x / 1e7, item.y / 1e7
    else:
        x, y = float(item.x), float(item.y)
    return frame, [item.param1, item.param2, item.param3, item.param4, x, y, item.z]


def unroll_jumps(items: Sequence[MissionItem], targets: Sequence[int | None],
                 where: Callable[[int], str]) -> tuple[list[MissionItem], list[str], list[Unsupported]]:
    """Replace DO_JUMP items by the repeats they ask for.

    ``targets[i]`` is the index (into ``items``) DO_JUMP ``i`` jumps to. A jump repeating
    forever (repeat count < 0) cannot be unrolled and is reported as unsupported.
    """
    jumps = [i for i, item in enumerate(items) if item.command == MavCmd.DO_JUMP]
    if not jumps:
        return list(items), [], []
    unsupported: list[Unsupported] = []
    active: dict[int, int] = {}
    for i in jumps:
        repeat = items[i].param2
        if not math.isfinite(repeat) or repeat < 0:
            unsupported.append(Unsupported(where(i), "DO_JUMP", "repeats forever; a patrol must end"))
        else:
            active[i] = int(repeat)
    out: list[MissionItem] = []
    done = dict.fromkeys(active, 0)
    i = 0
    while i < len(items):
        item = items[i]
        if item.command == MavCmd.DO_JUMP:
            if i in active and done[i] < active[i]:
                done[i] += 1
                target = targets[i]
                assert target is not None
                i = target
                continue
            i += 1
            continue
        out.append(item)
        if len(out) > MAX_UNROLLED_ITEMS:
            raise PlanFormatError(where(i), f"DO_JUMP repeats unroll to more than "
                                  f"{MAX_UNROLLED_ITEMS} items")
        i += 1
    notes = [f"{where(j)}: DO_JUMP to item {targets[j]} repeated {active[j]} time(s), unrolled"
             for j in active]
    return out, notes, unsupported
