"""Other aircraft a vehicle hears about: Remote ID (OPEN_DRONE_ID_*) and ADS-B (ADSB_VEHICLE).

A Remote ID flight arrives in pieces keyed by its broadcast address (``id_or_mac``): BASIC_ID
gives the UAS id, OPERATOR_ID the operator id, LOCATION the position. Each LOCATION (and each
ADSB_VEHICLE) becomes one :class:`TrafficSeen` event on the bus with whatever identity is known
by then. Messages whose ``id_or_mac`` is all zero describe the sending vehicle itself (ASTM
F3411 via MAVLink) and are not traffic. Reports without a valid position are dropped (counted).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from groundstation.events import Event, EventBus
from groundstation.mavlink._dialect import decode, mavlink

__all__ = ["TrafficDecoder", "TrafficKind", "TrafficSeen"]

_log = logging.getLogger(__name__)

# MAV_ODID_HOR_ACC -> metres (the upper bound the enum names); unknown -> None
_HOR_ACC_M: dict[int, float] = {
    1: 18_520.0, 2: 7_408.0, 3: 3_704.0, 4: 1_852.0, 5: 926.0, 6: 555.6, 7: 185.2, 8: 92.6,
    9: 30.0, 10: 10.0, 11: 3.0, 12: 1.0,
}
_ODID_NO_ALTITUDE = -1000.0
_ODID_NO_POSITION = 0  # lat and lon both 0 mean "no position"
_ADSB_ACCURACY_M = 30.0
"""ADSB_VEHICLE carries no accuracy; transponder positions are typically within this."""
_MAX_ADDRESSES = 10_000


class TrafficKind:
    """Which system reported the aircraft (values of :attr:`TrafficSeen.kind`)."""

    REMOTE_ID = "remote_id"
    ADSB = "adsb"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficSeen(Event):
    """Another aircraft reported through one of the fleet's vehicles."""

    system_id: int
    """The vehicle that relayed the report."""
    kind: str
    ident: str
    """Remote ID UAS id (or the broadcast address in hex until BASIC_ID arrives), ADS-B callsign
    (or ICAO address in hex when the callsign is not valid)."""
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    accuracy_m: float | None
    operator_id: str = ""
    icao_address: int | None = None
    heading_deg: float | None = None
    speed_mps: float | None = None


@dataclass(slots=True)
class _RemoteId:
    uas_id: str = ""
    operator_id: str = ""


def _text(raw: str | bytes | list[int]) -> str:
    if isinstance(raw, str):
        return raw.rstrip("\0").strip()
    return bytes(raw).rstrip(b"\0").decode("ascii", errors="replace").strip()


def _address(raw: list[int] | bytes) -> bytes | None:
    data = bytes(raw)
    return data if any(data) else None


class TrafficDecoder:
    """Decode traffic messages relayed by one vehicle and publish them as events."""

    def __init__(self, system_id: int, bus: EventBus) -> None:
        self.system_id = system_id
        self._bus = bus
        self._remote: dict[bytes, _RemoteId] = {}
        self.dropped = 0
        """Traffic messages without a usable position or identity."""

    def handlers(self) -> dict[int, object]:
        """Message id -> bound handler ``(compid, payload)``."""
        return {
            mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_BASIC_ID: self.on_basic_id,
            mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_OPERATOR_ID: self.on_operator_id,
            mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_LOCATION: self.on_location,
            mavlink.MAVLINK_MSG_ID_ADSB_VEHICLE: self.on_adsb_vehicle,
        }

    def _entry(self, address: bytes) -> _RemoteId:
        entry = self._remote.get(address)
        if entry is None:
            if len(self._remote) >= _MAX_ADDRESSES:
                self._remote.pop(next(iter(self._remote)))
            entry = self._remote[address] = _RemoteId()
        return entry

    def on_basic_id(self, _compid: int, payload: bytes) -> None:
        """OPEN_DRONE_ID_BASIC_ID: the UAS id (serial number, registration...)."""
        msg = decode(mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_BASIC_ID, payload)
        address = _address(msg.id_or_mac)
        if address is not None and (uas_id := _text(msg.uas_id)):
            self._entry(address).uas_id = uas_id

    def on_operator_id(self, _compid: int, payload: bytes) -> None:
        """OPEN_DRONE_ID_OPERATOR_ID: the operator's registration."""
        msg = decode(mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_OPERATOR_ID, payload)
        address = _address(msg.id_or_mac)
        if address is not None:
            self._entry(address).operator_id = _text(msg.operator_id)

    def on_location(self, _compid: int, payload: bytes) -> None:
        """OPEN_DRONE_ID_LOCATION: publish where a Remote ID flight is."""
        msg = decode(mavlink.MAVLINK_MSG_ID_OPEN_DRONE_ID_LOCATION, payload)
        address = _address(msg.id_or_mac)
        if address is None:
            return  # the relaying vehicle's own Remote ID
        alt = msg.altitude_geodetic
        if alt == _ODID_NO_ALTITUDE:
            alt = msg.altitude_barometric
        lat, lon = msg.latitude * 1e-7, msg.longitude * 1e-7
        if (msg.latitude == _ODID_NO_POSITION and msg.longitude == _ODID_NO_POSITION) or not (
                _usable(lat, lon) and math.isfinite(alt) and alt != _ODID_NO_ALTITUDE):
            self.dropped += 1
            return
        entry = self._remote.get(address, _RemoteId())
        # altitude_geodetic is above the WGS84 ellipsoid; the geoid offset (tens of metres at
        # most) is within the matching gates and is not corrected here
        self._bus.publish(TrafficSeen(
            system_id=self.system_id, kind=TrafficKind.REMOTE_ID,
            ident=entry.uas_id or address.hex().upper(), lat_deg=lat, lon_deg=lon,
            alt_amsl_m=float(alt), accuracy_m=_HOR_ACC_M.get(msg.horizontal_accuracy),
            operator_id=entry.operator_id,
            heading_deg=msg.direction * 0.01 if msg.direction <= 36000 else None,
            speed_mps=msg.speed_horizontal * 0.01 if msg.speed_horizontal != 25500 else None,
        ))  # fmt: skip

    def on_adsb_vehicle(self, _compid: int, payload: bytes) -> None:
        """ADSB_VEHICLE: publish where a transponder-equipped aircraft is."""
        msg = decode(mavlink.MAVLINK_MSG_ID_ADSB_VEHICLE, payload)
        flags = msg.flags
        lat, lon = msg.lat * 1e-7, msg.lon * 1e-7
        valid = mavlink.ADSB_FLAGS_VALID_COORDS | mavlink.ADSB_FLAGS_VALID_ALTITUDE
        if flags & valid != valid or not _usable(lat, lon):
            self.dropped += 1
            return
        callsign = _text(msg.callsign) if flags & mavlink.ADSB_FLAGS_VALID_CALLSIGN else ""
        self._bus.publish(TrafficSeen(
            system_id=self.system_id, kind=TrafficKind.ADSB,
            ident=callsign or f"{msg.ICAO_address:06X}", lat_deg=lat, lon_deg=lon,
            alt_amsl_m=msg.altitude * 1e-3, accuracy_m=_ADSB_ACCURACY_M,
            icao_address=msg.ICAO_address,
            heading_deg=msg.heading * 0.01 if flags & mavlink.ADSB_FLAGS_VALID_HEADING else None,
            speed_mps=(msg.hor_velocity * 0.01 if flags & mavlink.ADSB_FLAGS_VALID_VELOCITY
                       else None),
        ))  # fmt: skip


def _usable(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90.0 and abs(lon) <= 180.0
