"""The MAVLink dialect the station speaks: pymavlink's ardupilotmega (which includes common), v2.

This module is the one place that imports pymavlink's generated dialect. It exposes

* ``mavlink`` — the generated module (message classes, enums, constants),
* ``FRAME_SPECS`` — per message id the CRC_EXTRA byte and the largest payload length,
* :func:`layout` — a message's wire layout for fast decoding in telemetry handlers,
* :func:`decode` — payload bytes to a pymavlink message object (protocol messages),
* :func:`enum_name` — a readable name for an enum value (``MAV_RESULT`` 4 → ``FAILED``).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from operator import itemgetter
from typing import Any, cast

from pymavlink.dialects.v20 import ardupilotmega as mavlink

__all__ = ["FRAME_SPECS", "Layout", "decode", "enum_name", "layout", "mavlink", "msg_name"]

MessageClass = type[mavlink.MAVLink_message]

# msgid -> (CRC_EXTRA as one byte, largest payload length). Ids missing here are unknown.
FRAME_SPECS: dict[int, tuple[bytes, int]] = {
    msgid: (bytes((cls.crc_extra,)), cls.unpacker.size)
    for msgid, cls in mavlink.mavlink_map.items()
}


@dataclass(frozen=True, slots=True)
class Layout:
    """Wire layout of one message: a Struct over the full payload and a getter of named fields."""

    msgid: int
    size: int
    struct: struct.Struct
    fields: Callable[[tuple[Any, ...]], Any]

    def unpack(self, payload: bytes) -> Any:
        """Return the requested fields (in the order asked for) from a possibly truncated payload."""
        if len(payload) != self.size:
            payload = payload[: self.size].ljust(self.size, b"\0")
        return self.fields(self.struct.unpack(payload))


def _tuple_index(cls: MessageClass, field_name: str) -> int:
    """Index in the unpacked wire tuple where a field (or an array's first element) lands."""
    ordered = list(cls.ordered_fieldnames)
    k = ordered.index(field_name)
    return sum(cls.lengths[:k])


def layout(cls: MessageClass, *field_names: str) -> Layout:
    """Build the fast layout of a message class returning ``field_names`` in that order."""
    indices = [_tuple_index(cls, name) for name in field_names]
    make_getter = cast(Callable[..., Callable[[tuple[Any, ...]], Any]], itemgetter)
    if len(indices) > 1:
        getter = make_getter(*indices)
    else:  # itemgetter with one index returns a bare value; a slice keeps it a tuple
        getter = make_getter(slice(indices[0], indices[0] + 1))
    return Layout(cls.id, cls.unpacker.size, cls.unpacker, getter)


@cache
def _decode_plan(msgid: int) -> tuple[MessageClass, tuple[tuple[int, int, bool], ...]]:
    cls = mavlink.mavlink_map[msgid]
    plan = []
    for declared_index in range(len(cls.fieldnames)):
        ordered_index = cls.orders[declared_index]
        length = cls.lengths[ordered_index]
        start = sum(cls.lengths[:ordered_index])
        plan.append((start, length, length > 1))
    return cls, tuple(plan)


def decode(msgid: int, payload: bytes) -> Any:
    """Decode a payload (possibly MAVLink 2 truncated) into a pymavlink message object."""
    cls, plan = _decode_plan(msgid)
    size = cls.unpacker.size
    if len(payload) != size:
        payload = payload[:size].ljust(size, b"\0")
    values = cls.unpacker.unpack(payload)
    args: list[Any] = []
    for start, length, is_array in plan:
        value = values[start]
        if is_array and not isinstance(value, bytes):
            args.append(list(values[start : start + length]))
        elif isinstance(value, bytes):
            args.append(value.rstrip(b"\0"))
        else:
            args.append(value)
    return cls(*args)


def msg_name(msgid: int) -> str:
    """Message name for an id, or ``MSG_<id>`` when unknown."""
    cls = mavlink.mavlink_map.get(msgid)
    return cls.msgname if cls is not None else f"MSG_{msgid}"


@cache
def _enum_prefix(enum: str) -> str:
    names: list[str] = [
        str(e.name)
        for e in mavlink.enums.get(enum, {}).values()
        if not e.name.endswith("_ENUM_END")
    ]
    if len(names) < 2:
        return enum + "_"
    prefix = os.path.commonprefix(names)
    return prefix[: prefix.rfind("_") + 1]


def enum_name(enum: str, value: int) -> str:
    """Readable name of an enum value without its prefix, e.g. ``MAV_RESULT`` 4 → ``FAILED``."""
    entry = mavlink.enums.get(enum, {}).get(value)
    if entry is None:
        return str(value)
    name = str(entry.name)
    return name.removeprefix(_enum_prefix(enum))
