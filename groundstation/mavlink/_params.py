"""The MAVLink parameter protocol (mavlink.io/en/services/parameter.html) for one vehicle.

* read one: PARAM_REQUEST_READ by name → the PARAM_VALUE with that name (retried);
* read all: PARAM_REQUEST_LIST → PARAM_VALUE stream with index/count; when the stream stalls,
  the missing indices are re-requested with PARAM_REQUEST_READ in batches, for a bounded number
  of rounds without progress;
* set: PARAM_SET → the PARAM_VALUE it causes, whose value must equal the one sent (a vehicle
  that rejects or clamps a value answers with the value it kept).

Integer parameters travel in a float field, either converted (ArduPilot, "C cast") or as their
raw bytes (PX4, MAVSDK, "bytewise"); the vehicle's firmware plugin says which unless
AUTOPILOT_VERSION's capabilities do. Values are read from the raw payload bytes so a bytewise
integer whose bit pattern is a float NaN survives.
"""

from __future__ import annotations

import asyncio
import logging
import math
import struct
from collections.abc import Callable
from dataclasses import dataclass

from groundstation._exceptions import ParameterError
from groundstation._waiting import within
from groundstation.config import MavlinkSettings
from groundstation.firmware import ParamEncoding
from groundstation.mavlink._channel import VehicleChannel
from groundstation.mavlink._dialect import mavlink

__all__ = ["ParamValue", "Parameters", "decode_param_value", "encode_param_value"]

_log = logging.getLogger(__name__)

# PARAM_VALUE on the wire with the value kept as raw bytes: value, count, index, id, type.
_PARAM_VALUE = struct.Struct("<4sHH16sB")
assert _PARAM_VALUE.size == mavlink.MAVLink_param_value_message.unpacker.size

REAL32 = mavlink.MAV_PARAM_TYPE_REAL32
_INT_FORMATS: dict[int, str] = {
    mavlink.MAV_PARAM_TYPE_UINT8: "<B",
    mavlink.MAV_PARAM_TYPE_INT8: "<b",
    mavlink.MAV_PARAM_TYPE_UINT16: "<H",
    mavlink.MAV_PARAM_TYPE_INT16: "<h",
    mavlink.MAV_PARAM_TYPE_UINT32: "<I",
    mavlink.MAV_PARAM_TYPE_INT32: "<i",
}
_NO_INDEX = 0xFFFF


def decode_param_value(raw: bytes, param_type: int, encoding: ParamEncoding) -> int | float:
    """The value carried in PARAM_VALUE's 4 raw bytes."""
    as_float: float = struct.unpack("<f", raw)[0]
    fmt = _INT_FORMATS.get(param_type)
    if fmt is None:
        return as_float
    if encoding is ParamEncoding.BYTEWISE:
        size = struct.calcsize(fmt)
        return int(struct.unpack(fmt, raw[:size])[0])
    if math.isnan(as_float) or math.isinf(as_float):
        raise ParameterError(f"integer parameter carried a non-finite float {as_float}")
    return round(as_float)


def encode_param_value(value: float, param_type: int, encoding: ParamEncoding) -> bytes:
    """The 4 raw bytes that carry a value in PARAM_SET."""
    fmt = _INT_FORMATS.get(param_type)
    if fmt is None:
        return struct.pack("<f", float(value))
    if isinstance(value, float) and not value.is_integer():
        raise ParameterError(f"integer parameter cannot take {value}")
    ivalue = int(value)
    if encoding is ParamEncoding.BYTEWISE:
        try:
            return struct.pack(fmt, ivalue).ljust(4, b"\0")
        except struct.error as exc:
            raise ParameterError(f"{ivalue} out of range for its type: {exc}") from None
    return struct.pack("<f", float(ivalue))


class _ParamSet(mavlink.MAVLink_param_set_message):  # type: ignore[misc]
    """PARAM_SET packed from raw value bytes (a bytewise integer is not re-rounded)."""

    def __init__(self, target_system: int, target_component: int, name: bytes, raw: bytes,
                 param_type: int) -> None:  # fmt: skip
        super().__init__(target_system, target_component, name, 0.0, param_type)
        self._raw = raw

    def pack(self, mav: object, force_mavlink1: bool = False) -> bytes:
        payload = struct.pack(
            "<4sBB16sB", self._raw, self.target_system, self.target_component,
            self.param_id if isinstance(self.param_id, bytes) else self.param_id.encode(),
            self.param_type,
        )  # fmt: skip
        return self._pack(mav, self.crc_extra, payload, force_mavlink1=force_mavlink1)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class ParamValue:
    """One parameter as the vehicle reported it."""

    name: str
    value: int | float
    param_type: int
    index: int
    count: int


class _Fetch:
    __slots__ = ("count", "progress", "values")

    def __init__(self) -> None:
        self.values: dict[int, ParamValue] = {}
        self.count: int | None = None
        self.progress = asyncio.Event()


def _name_bytes(name: str) -> bytes:
    data = name.encode("ascii")
    if not data or len(data) > 16:
        raise ParameterError(f"parameter name {name!r} must be 1-16 ASCII characters")
    return data


def _same(a: float, b: float, param_type: int) -> bool:
    if param_type != REAL32:
        return a == b
    if math.isnan(a) and math.isnan(b):
        return True
    as_f32 = struct.unpack("<f", struct.pack("<f", a))[0]
    return bool(as_f32 == b)


class Parameters:
    """Read, fetch and set one vehicle's parameters; ``cache`` holds every value seen."""

    def __init__(
        self,
        channel: VehicleChannel,
        settings: MavlinkSettings,
        encoding: Callable[[], ParamEncoding],
    ) -> None:
        self._channel = channel
        self._settings = settings
        self._encoding = encoding
        self.cache: dict[str, ParamValue] = {}
        self.count: int | None = None
        self._waiters: dict[str, list[asyncio.Future[ParamValue]]] = {}
        self._fetch: _Fetch | None = None
        self._fetch_lock = asyncio.Lock()

    def on_param_value(self, compid: int, payload: bytes) -> None:
        """PARAM_VALUE handler."""
        if compid != self._channel.component_id:
            return
        size = _PARAM_VALUE.size
        if len(payload) != size:
            payload = payload[:size].ljust(size, b"\0")
        raw, count, index, name_raw, param_type = _PARAM_VALUE.unpack(payload)
        name = name_raw.split(b"\0", 1)[0].decode("ascii", errors="replace")
        try:
            value = decode_param_value(raw, param_type, self._encoding())
        except ParameterError as exc:
            _log.warning("vehicle %d parameter %s: %s", self._channel.system_id, name, exc)
            return
        pv = ParamValue(name, value, param_type, index, count)
        self.cache[name] = pv
        if count:
            self.count = count
        fetch = self._fetch
        if fetch is not None and index != _NO_INDEX and index < count:
            fetch.count = count
            if index not in fetch.values:
                fetch.values[index] = pv
                fetch.progress.set()
        for fut in self._waiters.pop(name, ()):
            if not fut.done():
                fut.set_result(pv)

    async def _exchange(self, name: str, msg: object, what: str) -> ParamValue:
        settings = self._settings
        loop = asyncio.get_running_loop()
        for _ in range(settings.param_retries + 1):
            fut: asyncio.Future[ParamValue] = loop.create_future()
            self._waiters.setdefault(name, []).append(fut)
            self._channel.send(msg)
            try:
                return await within(fut, settings.param_timeout_s)
            except TimeoutError:
                continue
            finally:
                waiters = self._waiters.get(name)
                if waiters is not None and fut in waiters:
                    waiters.remove(fut)
                    if not waiters:
                        del self._waiters[name]
        raise ParameterError(
            f"vehicle {self._channel.system_id}: no PARAM_VALUE for {what} {name} "
            f"after {settings.param_retries + 1} attempts"
        )

    async def get(self, name: str) -> int | float:
        """Read one parameter from the vehicle."""
        return (await self.read(name)).value

    async def read(self, name: str) -> ParamValue:
        """Read one parameter with its type and index."""
        ch = self._channel
        msg = mavlink.MAVLink_param_request_read_message(
            ch.system_id, ch.component_id, _name_bytes(name), -1
        )
        return await self._exchange(name, msg, "reading")

    async def set(self, name: str, value: float, *, param_type: int | None = None) -> int | float:
        """Write a parameter and return the value the vehicle confirmed (must equal ``value``)."""
        ch = self._channel
        if param_type is None:
            known = self.cache.get(name)
            param_type = (
                known.param_type if known is not None else (await self.read(name)).param_type
            )
        raw = encode_param_value(value, param_type, self._encoding())
        msg = _ParamSet(ch.system_id, ch.component_id, _name_bytes(name), raw, param_type)
        pv = await self._exchange(name, msg, "setting")
        wanted = decode_param_value(raw, param_type, self._encoding())
        if not _same(float(wanted), float(pv.value), param_type):
            raise ParameterError(
                f"vehicle {ch.system_id} kept {name} = {pv.value} instead of {wanted}"
            )
        return pv.value

    async def fetch_all(self) -> dict[str, int | float]:
        """Read every parameter (re-requesting gaps) and return name → value."""
        ch = self._channel
        settings = self._settings
        async with self._fetch_lock:
            fetch = _Fetch()
            self._fetch = fetch
            try:
                request_list = mavlink.MAVLink_param_request_list_message(
                    ch.system_id, ch.component_id
                )
                self._channel.send(request_list)
                stalls = 0
                while fetch.count is None or len(fetch.values) < fetch.count:
                    fetch.progress.clear()
                    try:
                        await within(fetch.progress.wait(), settings.param_timeout_s)
                        stalls = 0
                        continue
                    except TimeoutError:
                        stalls += 1
                    if stalls > settings.param_retries:
                        have = len(fetch.values)
                        total = "?" if fetch.count is None else fetch.count
                        raise ParameterError(
                            f"vehicle {ch.system_id}: parameter list incomplete ({have} of {total})"
                        )
                    if fetch.count is None:
                        self._channel.send(request_list)
                        continue
                    missing = [i for i in range(fetch.count) if i not in fetch.values]
                    for index in missing[: settings.param_list_batch]:
                        self._channel.send(
                            mavlink.MAVLink_param_request_read_message(
                                ch.system_id, ch.component_id, b"", index
                            )
                        )
                return {pv.name: pv.value for pv in sorted(fetch.values.values(), key=_by_index)}
            finally:
                self._fetch = None


def _by_index(pv: ParamValue) -> int:
    return pv.index
