"""The vehicle's parameter server: PARAM_REQUEST_LIST / PARAM_REQUEST_READ / PARAM_SET.

Integers travel as C-cast floats (ArduPilot) or with their bytes reinterpreted as a float
(PX4, "bytewise"), as each autopilot does. A set answers with the PARAM_VALUE it causes; an
unknown name or index gets no answer (as ArduPilot and PX4 do).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim._personality import ParamSpec

__all__ = ["ParamStore"]

_INT_FORMATS = {
    mavlink.MAV_PARAM_TYPE_UINT8: "<B",
    mavlink.MAV_PARAM_TYPE_INT8: "<b",
    mavlink.MAV_PARAM_TYPE_UINT16: "<H",
    mavlink.MAV_PARAM_TYPE_INT16: "<h",
    mavlink.MAV_PARAM_TYPE_UINT32: "<I",
    mavlink.MAV_PARAM_TYPE_INT32: "<i",
}


def _to_wire(value: float, param_type: int, bytewise: bool) -> float:
    fmt = _INT_FORMATS.get(param_type)
    if fmt is None or not bytewise:
        return float(value)
    raw = struct.pack(fmt, int(value)).ljust(4, b"\0")
    return float(struct.unpack("<f", raw)[0])


def _from_wire(wire: float, param_type: int, bytewise: bool) -> float:
    fmt = _INT_FORMATS.get(param_type)
    if fmt is None:
        return float(wire)
    if bytewise:
        raw = struct.pack("<f", wire)
        return float(struct.unpack(fmt, raw[: struct.calcsize(fmt)])[0])
    if not math.isfinite(wire):
        raise ValueError("not a finite number")
    low, high = _int_range(fmt)
    return float(max(low, min(high, round(wire))))


def _int_range(fmt: str) -> tuple[int, int]:
    bits = struct.calcsize(fmt) * 8
    if fmt[1].isupper():
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


class ParamStore:
    """Named, typed values with change callbacks and a MAVLink face."""

    def __init__(
        self,
        specs: Sequence[ParamSpec],
        *,
        bytewise: bool,
        send: Callable[[Any], None],
    ) -> None:
        self._specs = {s.name: s for s in specs}
        self._names = [s.name for s in specs]
        self._values = {s.name: float(s.default) for s in specs}
        self._bytewise = bytewise
        self._send = send
        self.on_change: list[Callable[[str, float], None]] = []
        self.sets_received = 0

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def get(self, name: str) -> float:
        """A parameter's value (KeyError when unknown)."""
        return self._values[name]

    def set(self, name: str, value: float) -> None:
        """Change a parameter locally (as if set by the autopilot itself) and announce it."""
        spec = self._specs[name]
        if spec.param_type in _INT_FORMATS:
            value = _from_wire(float(value), spec.param_type, bytewise=False)
        self._values[name] = float(value)
        for callback in self.on_change:
            callback(name, float(value))

    def values(self) -> dict[str, float]:
        """A copy of every parameter."""
        return dict(self._values)

    # -- MAVLink ------------------------------------------------------------------------------

    def value_message(self, name: str) -> Any:
        """The PARAM_VALUE announcing one parameter."""
        spec = self._specs[name]
        return mavlink.MAVLink_param_value_message(
            name.encode(),
            _to_wire(self._values[name], spec.param_type, self._bytewise),
            spec.param_type,
            len(self._names),
            self._names.index(name),
        )

    def on_request_list(self, msg: Any) -> None:
        """Send every parameter."""
        for name in self._names:
            self._send(self.value_message(name))

    def on_request_read(self, msg: Any) -> None:
        """Send one parameter, by index (>= 0) or by name."""
        if msg.param_index >= 0:
            if msg.param_index < len(self._names):
                self._send(self.value_message(self._names[msg.param_index]))
            return
        name = _name(msg.param_id)
        if name in self._values:
            self._send(self.value_message(name))

    def on_set(self, msg: Any) -> None:
        """Store a value and answer with the PARAM_VALUE it causes."""
        name = _name(msg.param_id)
        spec = self._specs.get(name)
        if spec is None:
            return
        self.sets_received += 1
        try:
            value = _from_wire(msg.param_value, spec.param_type, self._bytewise)
        except ValueError:
            value = None
        if value is not None and math.isfinite(value):
            self.set(name, value)
        self._send(self.value_message(name))


def _name(param_id: Any) -> str:
    if isinstance(param_id, bytes):
        param_id = param_id.decode("ascii", errors="replace")
    return str(param_id).split("\0", 1)[0]
