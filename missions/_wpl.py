"""Mission Planner / QGroundControl ``QGC WPL 110`` text waypoint files, read and written.

Format (MAVLink's plain-text mission format): a ``QGC WPL 110`` header line, then one line per
item with 12 tab-separated fields: index, current, frame, command, param1-4, latitude,
longitude, altitude, autocontinue. Line 0 is the home position (frame GLOBAL, altitude AMSL)
as both programs write it; items follow from index 1. DO_JUMP targets are file indices.
The reader also accepts spaces between fields, as Mission Planner does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from geofence import GeoPoint, MavCmd, MavFrame, MissionItem
from missions._exceptions import PlanFormatError
from missions._filemodel import (
    PlanDocument,
    Unsupported,
    check_lat_lon,
    item_fields,
    item_from_fields,
    unroll_jumps,
    whole,
)

HEADER = "QGC WPL 110"
_FIELDS = ("index", "current", "frame", "command", "param1", "param2", "param3", "param4",
           "latitude", "longitude", "altitude", "autocontinue")


def read_wpl(data: str | bytes, *, source: str = "waypoints") -> PlanDocument:
    """Read a WPL 110 file; errors name the line."""
    try:
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"{source} byte {exc.start}", "not UTF-8 text") from exc
    lines = text.splitlines()
    if not lines or lines[0].strip() != HEADER:
        first = lines[0].strip()[:40] if lines else ""
        raise PlanFormatError(f"{source} line 1", f"header {first!r} is not {HEADER!r}")
    home: GeoPoint | None = None
    items: list[MissionItem] = []
    wheres: list[str] = []
    file_index: list[int] = []
    unsupported: list[Unsupported] = []
    skipped: dict[int, int] = {}
    notes: list[str] = []
    expected = 0
    for number, line in enumerate(lines[1:], start=2):
        where = f"{source} line {number}"
        if not line.strip():
            continue
        fields = line.split("\t") if "\t" in line else line.split()
        fields = [f.strip() for f in fields]
        if len(fields) != len(_FIELDS):
            raise PlanFormatError(where, f"{len(fields)} fields, expected {len(_FIELDS)} "
                                  f"({', '.join(_FIELDS)})")
        values = []
        for name, raw in zip(_FIELDS, fields, strict=True):
            try:
                values.append(float(raw))
            except ValueError:
                raise PlanFormatError(where, f"{name} {raw!r} is not a number") from None
            if math.isinf(values[-1]):
                raise PlanFormatError(where, f"{name} {raw!r} is infinite")
        index = whole(values[0], where, "index")
        if index != expected:
            raise PlanFormatError(where, f"index {index} out of sequence (expected {expected})")
        expected += 1
        frame = whole(values[2], where, "frame")
        command = values[3]
        params = values[4:11]
        if index == 0 and command == MavCmd.NAV_WAYPOINT and frame in (MavFrame.GLOBAL, MavFrame.GLOBAL_INT):
            if not all(math.isfinite(v) for v in params[4:]):
                raise PlanFormatError(where, "home position is not finite")
            check_lat_lon(params[4], params[5], where)
            home = GeoPoint(params[4], params[5], params[6])
            continue
        if index == 0:
            notes.append(f"{where}: line 0 is not a home position; read as the first item")
        auto = values[11]
        if auto not in (0.0, 1.0):
            raise PlanFormatError(where, f"autocontinue {auto} is not 0 or 1")
        item = item_from_fields(where, command, frame, params, bool(auto))
        if isinstance(item, Unsupported):
            unsupported.append(item)
            skipped[index] = len(items)
            continue
        items.append(item)
        wheres.append(where)
        file_index.append(index)
    by_index = {f: i for i, f in enumerate(file_index)} | {
        f: i for f, i in skipped.items()}
    targets: list[int | None] = []
    for item, where in zip(items, wheres, strict=True):
        if item.command != MavCmd.DO_JUMP:
            targets.append(None)
            continue
        target = by_index.get(whole(item.param1, where, "DO_JUMP target"))
        if target is None:
            raise PlanFormatError(where, f"DO_JUMP target {item.param1:g} is not in the file")
        targets.append(target)
    flat, jump_notes, jump_unsupported = unroll_jumps(items, targets, lambda i: wheres[i])
    return PlanDocument(tuple(flat), home, unsupported=tuple(unsupported + jump_unsupported),
                        notes=tuple(notes + jump_notes))


def _text(value: float) -> str:
    if not math.isfinite(value) or value != int(value):
        return repr(float(value))
    return str(int(value))


def write_wpl(items: Sequence[MissionItem], *, home: GeoPoint) -> str:
    """A WPL 110 file: home (altitude AMSL) as line 0, then the items."""
    rows = [HEADER, "\t".join(["0", "1", "0", "16", "0", "0", "0", "0",
                               _text(home.lat_deg), _text(home.lon_deg), _text(home.alt_m), "1"])]
    for i, item in enumerate(items, start=1):
        frame, params = item_fields(item)
        rows.append("\t".join([str(i), "0", str(frame), str(int(item.command)),
                               *(_text(v) for v in params), "1" if item.autocontinue else "0"]))
    return "\n".join(rows) + "\n"
