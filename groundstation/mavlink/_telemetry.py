"""A vehicle's state as small typed records, and the hot-path decoders that keep it current.

Records are mutable and updated in place (no allocation per message); each carries
``updated_s``, the station's monotonic time of the last update (0.0 = never). Call
:meth:`VehicleState.snapshot` for a copy that will not change under you.

Decoders read only the fields they need straight from the payload with a precompiled struct
(:func:`groundstation.mavlink._dialect.layout`) and only from the vehicle's autopilot component.
"""

from __future__ import annotations

import collections
import copy
import math
from dataclasses import dataclass, field
from datetime import datetime
from time import monotonic

from groundstation.firmware import AutopilotFamily
from groundstation.mavlink._dialect import layout, mavlink

__all__ = [
    "Attitude",
    "Battery",
    "Gps",
    "Home",
    "LinkQuality",
    "MissionState",
    "Position",
    "StatusTextEntry",
    "TelemetryDecoder",
    "VehicleState",
    "Velocity",
]

NAN = math.nan
_UINT16_MAX = 0xFFFF


@dataclass(slots=True)
class Position:
    """Global position: WGS84 degrees, altitude above mean sea level and above home."""

    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_amsl_m: float = NAN
    alt_rel_m: float = NAN
    time_boot_ms: int = 0
    updated_s: float = 0.0

    @property
    def valid(self) -> bool:
        """Whether a position has been received."""
        return self.updated_s > 0.0


@dataclass(slots=True)
class Velocity:
    """Velocity over ground (NED) and the HUD's ground speed and climb rate."""

    north_mps: float = NAN
    east_mps: float = NAN
    down_mps: float = NAN
    groundspeed_mps: float = NAN
    climb_mps: float = NAN
    updated_s: float = 0.0


@dataclass(slots=True)
class Attitude:
    """Euler angles in degrees."""

    roll_deg: float = NAN
    pitch_deg: float = NAN
    yaw_deg: float = NAN
    time_boot_ms: int = 0
    updated_s: float = 0.0


@dataclass(slots=True)
class Battery:
    """Main battery: remaining percent (None when the vehicle does not say), volts, amps."""

    remaining_pct: int | None = None
    voltage_v: float = NAN
    current_a: float = NAN
    updated_s: float = 0.0


@dataclass(slots=True)
class Gps:
    """GPS fix type (GPS_FIX_TYPE), satellites (None = unknown), horizontal accuracy."""

    fix_type: int = 0
    satellites: int | None = None
    eph_m: float = NAN
    updated_s: float = 0.0

    @property
    def fix_name(self) -> str:
        """GPS_FIX_TYPE name without prefix, e.g. ``3D_FIX``."""
        entry = mavlink.enums["GPS_FIX_TYPE"].get(self.fix_type)
        return entry.name.removeprefix("GPS_FIX_TYPE_") if entry is not None else str(self.fix_type)


@dataclass(slots=True)
class Home:
    """Home position from HOME_POSITION."""

    lat_deg: float = NAN
    lon_deg: float = NAN
    alt_amsl_m: float = NAN
    updated_s: float = 0.0

    @property
    def valid(self) -> bool:
        """Whether the vehicle has reported its home."""
        return self.updated_s > 0.0


@dataclass(slots=True)
class LinkQuality:
    """The vehicle's link: which one is primary, frames received and lost (from sequence gaps)."""

    link: str = ""
    received: int = 0
    lost: int = 0
    comm_lost: bool = False
    live_links: tuple[str, ...] = ()

    @property
    def loss_pct(self) -> float:
        """Lost frames as a percentage of expected frames."""
        expected = self.received + self.lost
        return 100.0 * self.lost / expected if expected else 0.0


@dataclass(slots=True)
class MissionState:
    """Mission progress as indices into the station's plan (firmware offsets removed)."""

    current: int = -1
    total: int = 0
    reached: int | None = None
    state: str = "UNKNOWN"
    updated_s: float = 0.0


@dataclass(frozen=True, slots=True)
class StatusTextEntry:
    """One status text as the vehicle sent it."""

    at: datetime
    severity: int
    text: str


@dataclass(slots=True)
class VehicleState:
    """Everything the station knows about one vehicle."""

    system_id: int
    component_id: int = 1
    autopilot: str = "UNKNOWN"
    family: AutopilotFamily = AutopilotFamily.GENERIC
    vehicle_type: str = "UNKNOWN"
    armed: bool = False
    mode: str = "UNKNOWN"
    system_status: str = "UNINIT"
    landed_state: int = 0
    heading_deg: float = NAN
    capabilities: int = 0
    last_heartbeat_s: float = 0.0
    position: Position = field(default_factory=Position)
    velocity: Velocity = field(default_factory=Velocity)
    attitude: Attitude = field(default_factory=Attitude)
    battery: Battery = field(default_factory=Battery)
    gps: Gps = field(default_factory=Gps)
    home: Home = field(default_factory=Home)
    link: LinkQuality = field(default_factory=LinkQuality)
    mission: MissionState = field(default_factory=MissionState)
    status_texts: collections.deque[StatusTextEntry] = field(
        default_factory=lambda: collections.deque(maxlen=20)
    )

    def snapshot(self) -> VehicleState:
        """A deep copy that later telemetry will not change."""
        return copy.deepcopy(self)


_GPI = layout(
    mavlink.MAVLink_global_position_int_message,
    "time_boot_ms", "lat", "lon", "alt", "relative_alt", "vx", "vy", "vz", "hdg",
)  # fmt: skip
_ATT = layout(mavlink.MAVLink_attitude_message, "time_boot_ms", "roll", "pitch", "yaw")
_VFR = layout(mavlink.MAVLink_vfr_hud_message, "groundspeed", "climb", "heading")
_SYS = layout(
    mavlink.MAVLink_sys_status_message, "voltage_battery", "current_battery", "battery_remaining"
)
_BAT = layout(
    mavlink.MAVLink_battery_status_message,
    "id", "voltages", "current_battery", "battery_remaining",
)  # fmt: skip
_BAT_CELLS = slice(0, 10)
_GPS = layout(mavlink.MAVLink_gps_raw_int_message, "fix_type", "satellites_visible", "eph")
_HOME = layout(mavlink.MAVLink_home_position_message, "latitude", "longitude", "altitude")
_EXT = layout(mavlink.MAVLink_extended_sys_state_message, "landed_state")
_BAT_VOLTAGES = mavlink.MAVLink_battery_status_message.unpacker
_BAT_VOLTAGES_INDEX = sum(
    mavlink.MAVLink_battery_status_message.lengths[
        : mavlink.MAVLink_battery_status_message.ordered_fieldnames.index("voltages")
    ]
)

_DEG = 180.0 / math.pi


class TelemetryDecoder:
    """Decode state messages from the autopilot component into a :class:`VehicleState`."""

    __slots__ = ("state",)

    def __init__(self, state: VehicleState) -> None:
        self.state = state

    def handlers(self) -> dict[int, object]:
        """Message id → bound handler ``(compid, payload)``."""
        return {
            _GPI.msgid: self.on_global_position_int,
            _ATT.msgid: self.on_attitude,
            _VFR.msgid: self.on_vfr_hud,
            _SYS.msgid: self.on_sys_status,
            _BAT.msgid: self.on_battery_status,
            _GPS.msgid: self.on_gps_raw_int,
            _HOME.msgid: self.on_home_position,
            _EXT.msgid: self.on_extended_sys_state,
        }

    def on_global_position_int(self, compid: int, payload: bytes) -> None:
        """GLOBAL_POSITION_INT: position, NED velocity, heading."""
        state = self.state
        if compid != state.component_id:
            return
        t_ms, lat, lon, alt, rel, vx, vy, vz, hdg = _GPI.unpack(payload)
        now = monotonic()
        pos = state.position
        pos.lat_deg = lat * 1e-7
        pos.lon_deg = lon * 1e-7
        pos.alt_amsl_m = alt * 1e-3
        pos.alt_rel_m = rel * 1e-3
        pos.time_boot_ms = t_ms
        pos.updated_s = now
        vel = state.velocity
        vel.north_mps = vx * 0.01
        vel.east_mps = vy * 0.01
        vel.down_mps = vz * 0.01
        vel.updated_s = now
        if hdg != _UINT16_MAX:
            state.heading_deg = hdg * 0.01

    def on_attitude(self, compid: int, payload: bytes) -> None:
        """ATTITUDE: roll, pitch, yaw."""
        state = self.state
        if compid != state.component_id:
            return
        t_ms, roll, pitch, yaw = _ATT.unpack(payload)
        att = state.attitude
        att.roll_deg = roll * _DEG
        att.pitch_deg = pitch * _DEG
        att.yaw_deg = yaw * _DEG
        att.time_boot_ms = t_ms
        att.updated_s = monotonic()

    def on_vfr_hud(self, compid: int, payload: bytes) -> None:
        """VFR_HUD: ground speed, climb rate, heading."""
        state = self.state
        if compid != state.component_id:
            return
        groundspeed, climb, heading = _VFR.unpack(payload)
        vel = state.velocity
        vel.groundspeed_mps = groundspeed
        vel.climb_mps = climb
        vel.updated_s = monotonic()
        state.heading_deg = float(heading)

    def on_sys_status(self, compid: int, payload: bytes) -> None:
        """SYS_STATUS: battery voltage, current and remaining percent."""
        state = self.state
        if compid != state.component_id:
            return
        voltage_mv, current_ca, remaining = _SYS.unpack(payload)
        bat = state.battery
        bat.voltage_v = voltage_mv * 1e-3 if voltage_mv != _UINT16_MAX else NAN
        bat.current_a = current_ca * 0.01 if current_ca != -1 else NAN
        bat.remaining_pct = remaining if remaining >= 0 else None
        bat.updated_s = monotonic()

    def on_battery_status(self, compid: int, payload: bytes) -> None:
        """BATTERY_STATUS of battery 0: cell voltages summed, current, remaining percent."""
        state = self.state
        if compid != state.component_id:
            return
        size = _BAT.size
        if len(payload) != size:
            payload = payload[:size].ljust(size, b"\0")
        values = _BAT.struct.unpack(payload)
        battery_id, _, current_ca, remaining = _BAT.fields(values)
        if battery_id != 0:
            return
        start = _BAT_VOLTAGES_INDEX
        cells = [v for v in values[start : start + 10] if v != _UINT16_MAX]
        bat = state.battery
        if cells:
            bat.voltage_v = sum(cells) * 1e-3
        bat.current_a = current_ca * 0.01 if current_ca != -1 else NAN
        bat.remaining_pct = remaining if remaining >= 0 else None
        bat.updated_s = monotonic()

    def on_gps_raw_int(self, compid: int, payload: bytes) -> None:
        """GPS_RAW_INT: fix type, satellites, horizontal accuracy."""
        state = self.state
        if compid != state.component_id:
            return
        fix_type, sats, eph = _GPS.unpack(payload)
        gps = state.gps
        gps.fix_type = fix_type
        gps.satellites = sats if sats != 255 else None
        gps.eph_m = eph * 0.01 if eph != _UINT16_MAX else NAN
        gps.updated_s = monotonic()

    def on_home_position(self, compid: int, payload: bytes) -> None:
        """HOME_POSITION: home latitude, longitude and AMSL altitude."""
        state = self.state
        if compid != state.component_id:
            return
        lat, lon, alt = _HOME.unpack(payload)
        home = state.home
        home.lat_deg = lat * 1e-7
        home.lon_deg = lon * 1e-7
        home.alt_amsl_m = alt * 1e-3
        home.updated_s = monotonic()

    def on_extended_sys_state(self, compid: int, payload: bytes) -> None:
        """EXTENDED_SYS_STATE: landed state."""
        state = self.state
        if compid != state.component_id:
            return
        (state.landed_state,) = _EXT.unpack(payload)
