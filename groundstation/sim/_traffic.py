"""Other aircraft the simulated vehicle "sees", reported as Remote ID and ADS-B messages.

Each aircraft moves on a simple track (still, straight at a speed and heading, or circling its
start point) in sim time. The vehicle broadcasts OPEN_DRONE_ID_BASIC_ID / LOCATION / SYSTEM /
OPERATOR_ID for Remote ID aircraft and ADSB_VEHICLE for transponder traffic, each about once a
second, and exposes the current positions so a simulated camera can draw them.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim._geo import LocalFrame

__all__ = ["AircraftKind", "SeenAircraft", "SeenAircraftState", "Traffic"]

_ODID_EPOCH_S = 1546300800  # 2019-01-01T00:00:00Z, ASTM F3411 system timestamp epoch
_ID_LEN = 20


class AircraftKind(StrEnum):
    """What kind of report an aircraft gives."""

    DRONE = "drone"  # Remote ID (OPEN_DRONE_ID_*)
    MANNED = "manned"  # ADS-B (ADSB_VEHICLE)


@dataclass(frozen=True, slots=True, kw_only=True)
class SeenAircraft:
    """An aircraft to report: where it starts and how it moves."""

    ident: str  # Remote ID serial number / registration, or the ADS-B callsign
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    kind: AircraftKind = AircraftKind.DRONE
    heading_deg: float = 0.0
    speed_mps: float = 0.0
    climb_mps: float = 0.0
    orbit_radius_m: float = 0.0  # > 0: circle the start point at speed_mps (clockwise)
    operator_id: str = ""
    operator_lat_deg: float | None = None
    operator_lon_deg: float | None = None
    icao_address: int = 0
    squawk: int = 7000

    def __post_init__(self) -> None:
        if not (-90 <= self.lat_deg <= 90 and -180 <= self.lon_deg <= 180):
            raise ValueError(f"aircraft {self.ident!r}: position out of range")
        if not self.ident or len(self.ident.encode()) > _ID_LEN:
            raise ValueError("ident must be 1 to 20 bytes")


@dataclass(frozen=True, slots=True)
class SeenAircraftState:
    """Where a seen aircraft is now (read-only snapshot for a camera or a test)."""

    ident: str
    kind: AircraftKind
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    heading_deg: float
    speed_mps: float
    climb_mps: float


@dataclass(slots=True)
class _Track:
    aircraft: SeenAircraft
    start_s: float
    start_local: tuple[float, float]


class Traffic:
    """The aircraft one vehicle sees, and the messages that report them."""

    def __init__(self, frame: LocalFrame, now_s: Callable[[], float]) -> None:
        self._frame = frame
        self._now_s = now_s
        self._tracks: dict[str, _Track] = {}

    def see(self, aircraft: SeenAircraft) -> None:
        """Start (or restart) reporting an aircraft."""
        start = self._frame.to_local(aircraft.lat_deg, aircraft.lon_deg)
        self._tracks[aircraft.ident] = _Track(aircraft, self._now_s(), start)

    def forget(self, ident: str) -> None:
        """Stop reporting an aircraft."""
        self._tracks.pop(ident, None)

    def __len__(self) -> int:
        return len(self._tracks)

    def states(self) -> tuple[SeenAircraftState, ...]:
        """Every seen aircraft where it is now."""
        now = self._now_s()
        return tuple(self._state(track, now) for track in self._tracks.values())

    def _state(self, track: _Track, now: float) -> SeenAircraftState:
        a = track.aircraft
        t = now - track.start_s
        east0, north0 = track.start_local
        if a.orbit_radius_m > 0:
            omega = a.speed_mps / a.orbit_radius_m
            angle = omega * t  # clockwise from north, starting north of the centre
            east = east0 + a.orbit_radius_m * math.sin(angle)
            north = north0 + a.orbit_radius_m * math.cos(angle)
            heading = (math.degrees(angle) + 90.0) % 360.0
        else:
            h = math.radians(a.heading_deg)
            east = east0 + a.speed_mps * t * math.sin(h)
            north = north0 + a.speed_mps * t * math.cos(h)
            heading = a.heading_deg % 360.0
        lat, lon = self._frame.to_global(east, north)
        return SeenAircraftState(
            a.ident, a.kind, lat, lon, a.alt_amsl_m + a.climb_mps * t, heading, a.speed_mps,
            a.climb_mps,
        )  # fmt: skip

    def messages(self, ground_amsl_m: float) -> list[Any]:
        """The report messages for every aircraft, now."""
        now = self._now_s()
        out: list[Any] = []
        for track in self._tracks.values():
            state = self._state(track, now)
            if state.kind is AircraftKind.MANNED:
                out.append(_adsb(track.aircraft, state))
            else:
                out.extend(_remote_id(track.aircraft, state, ground_amsl_m))
        return out


def _fixed(text: str, size: int = _ID_LEN) -> list[int]:
    return list(text.encode()[:size].ljust(size, b"\0"))


def _mac(ident: str) -> list[int]:
    """A stable broadcast address for an aircraft (set because it is not the sender)."""
    digest = hashlib.sha256(ident.encode()).digest()[:6]
    return list(digest) + [0] * (_ID_LEN - 6)


def _remote_id(a: SeenAircraft, s: SeenAircraftState, ground_amsl_m: float) -> list[Any]:
    m = mavlink
    mac = _mac(a.ident)
    lat_i, lon_i = round(s.lat_deg * 1e7), round(s.lon_deg * 1e7)
    op_lat = a.operator_lat_deg if a.operator_lat_deg is not None else a.lat_deg
    op_lon = a.operator_lon_deg if a.operator_lon_deg is not None else a.lon_deg
    wall = time.time()
    return [
        m.MAVLink_open_drone_id_basic_id_message(
            0, 0, mac, m.MAV_ODID_ID_TYPE_SERIAL_NUMBER,
            m.MAV_ODID_UA_TYPE_HELICOPTER_OR_MULTIROTOR, _fixed(a.ident),
        ),
        m.MAVLink_open_drone_id_location_message(
            0, 0, mac, m.MAV_ODID_STATUS_AIRBORNE, round(s.heading_deg * 100) % 36000,
            min(round(s.speed_mps * 100), 25425), round(s.climb_mps * 100), lat_i, lon_i,
            s.alt_amsl_m, s.alt_amsl_m, m.MAV_ODID_HEIGHT_REF_OVER_TAKEOFF,
            s.alt_amsl_m - ground_amsl_m, m.MAV_ODID_HOR_ACC_3_METER,
            m.MAV_ODID_VER_ACC_3_METER, m.MAV_ODID_VER_ACC_3_METER, m.MAV_ODID_SPEED_ACC_1_METERS_PER_SECOND,
            wall % 3600.0, m.MAV_ODID_TIME_ACC_1_0_SECOND,
        ),
        m.MAVLink_open_drone_id_system_message(
            0, 0, mac, m.MAV_ODID_OPERATOR_LOCATION_TYPE_TAKEOFF,
            m.MAV_ODID_CLASSIFICATION_TYPE_UNDECLARED, round(op_lat * 1e7), round(op_lon * 1e7),
            1, 0, -1000.0, -1000.0, 0, 0, ground_amsl_m, max(0, int(wall) - _ODID_EPOCH_S),
        ),
        m.MAVLink_open_drone_id_operator_id_message(
            0, 0, mac, m.MAV_ODID_OPERATOR_ID_TYPE_CAA, a.operator_id.encode()[:_ID_LEN],
        ),
    ]  # fmt: skip


def _adsb(a: SeenAircraft, s: SeenAircraftState) -> Any:
    m = mavlink
    flags = (m.ADSB_FLAGS_VALID_COORDS | m.ADSB_FLAGS_VALID_ALTITUDE | m.ADSB_FLAGS_VALID_HEADING
             | m.ADSB_FLAGS_VALID_VELOCITY | m.ADSB_FLAGS_VALID_CALLSIGN
             | m.ADSB_FLAGS_VALID_SQUAWK)  # fmt: skip
    icao = a.icao_address or int.from_bytes(hashlib.sha256(a.ident.encode()).digest()[:3], "big")
    return m.MAVLink_adsb_vehicle_message(
        icao, round(s.lat_deg * 1e7), round(s.lon_deg * 1e7), m.ADSB_ALTITUDE_TYPE_GEOMETRIC,
        round(s.alt_amsl_m * 1000), round(s.heading_deg * 100) % 36000,
        round(s.speed_mps * 100), round(s.climb_mps * 100), a.ident.encode()[:9],
        m.ADSB_EMITTER_TYPE_LIGHT, 1, flags, a.squawk,
    )  # fmt: skip
