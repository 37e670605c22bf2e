"""Telemetry streams at realistic rates (sim time), SET_MESSAGE_INTERVAL and REQUEST_MESSAGE.

Default rates follow what ArduCopter and PX4 send on a normal link; a stream is sent at most
once per tick, so at high time factors the real rate is capped by the tick rate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim._autopilot import Autopilot
from groundstation.sim._personality import Behaviour
from groundstation.sim._traffic import Traffic
from groundstation.sim._video import SimVideoStream

__all__ = ["DEFAULT_RATES_HZ", "Telemetry"]

M = mavlink
DEFAULT_RATES_HZ: dict[str, float] = {
    "HEARTBEAT": 1.0,
    "GLOBAL_POSITION_INT": 5.0,
    "ATTITUDE": 10.0,
    "VFR_HUD": 4.0,
    "SYS_STATUS": 1.0,
    "BATTERY_STATUS": 0.5,
    "GPS_RAW_INT": 1.0,
    "HOME_POSITION": 0.5,
    "EXTENDED_SYS_STATE": 1.0,
    "MISSION_CURRENT": 1.0,
    "TRAFFIC": 1.0,  # OPEN_DRONE_ID_* and ADSB_VEHICLE about seen aircraft
}
_NOT_STREAMED_BY_ARDUPILOT = ("HOME_POSITION", "EXTENDED_SYS_STATE")
_SENSORS = (M.MAV_SYS_STATUS_SENSOR_3D_GYRO | M.MAV_SYS_STATUS_SENSOR_3D_ACCEL
            | M.MAV_SYS_STATUS_SENSOR_3D_MAG | M.MAV_SYS_STATUS_SENSOR_ABSOLUTE_PRESSURE
            | M.MAV_SYS_STATUS_SENSOR_GPS | M.MAV_SYS_STATUS_SENSOR_MOTOR_OUTPUTS
            | M.MAV_SYS_STATUS_SENSOR_BATTERY | M.MAV_SYS_STATUS_AHRS)  # fmt: skip
_AUTONOMOUS = {Behaviour.GUIDED, Behaviour.AUTO, Behaviour.RTL, Behaviour.LAND, Behaviour.TAKEOFF,
               Behaviour.CIRCLE, Behaviour.ORBIT, Behaviour.HOLD}  # fmt: skip
_ONLY_ON_REQUEST = ("AUTOPILOT_VERSION", "VIDEO_STREAM_INFORMATION")
_VERSIONS = {"ardupilot": (4, 5, 7), "px4": (1, 15, 4)}


class Telemetry:
    """Builds and schedules the vehicle's telemetry messages."""

    def __init__(
        self,
        ap: Autopilot,
        traffic: Traffic,
        send: Callable[[Any], None],
        rates_hz: dict[str, float],
    ) -> None:
        self.ap = ap
        self.traffic = traffic
        self._send = send
        self.video: SimVideoStream | None = None
        """The camera stream announced in VIDEO_STREAM_INFORMATION (none: not answered)."""
        self._builders: dict[str, Callable[[], list[Any]]] = {
            "HEARTBEAT": lambda: [self.heartbeat()],
            "GLOBAL_POSITION_INT": lambda: [self._global_position()],
            "ATTITUDE": lambda: [self._attitude()],
            "VFR_HUD": lambda: [self._vfr_hud()],
            "SYS_STATUS": lambda: [self._sys_status()],
            "BATTERY_STATUS": lambda: [self._battery_status()],
            "GPS_RAW_INT": lambda: [self._gps_raw()],
            "HOME_POSITION": lambda: [self.home_position()],
            "EXTENDED_SYS_STATE": lambda: [M.MAVLink_extended_sys_state_message(0, ap.landed_state)],
            "MISSION_CURRENT": lambda: [self.mission_current()],
            "AUTOPILOT_VERSION": lambda: [self.autopilot_version()],
            "TRAFFIC": lambda: self.traffic.messages(ap.ground_amsl_m),
            "VIDEO_STREAM_INFORMATION": lambda: [self.video.message()] if self.video else [],
        }
        defaults = dict(DEFAULT_RATES_HZ)
        if not ap.rules.home_streamed:
            for name in _NOT_STREAMED_BY_ARDUPILOT:
                defaults[name] = 0.0
        self._defaults = defaults
        self.rates_hz = {**defaults, **rates_hz}
        self._due: dict[str, float] = {}
        self._cache_t = -1.0
        self._cache_pos = (0.0, 0.0)

    # -- scheduling ---------------------------------------------------------------------------

    def tick(self, now_s: float) -> None:
        """Send every stream that is due (at most once each)."""
        for name, hz in self.rates_hz.items():
            if hz <= 0:
                continue
            due = self._due.get(name, 0.0)
            if now_s >= due:
                interval = 1.0 / hz
                self._due[name] = due + interval if due + interval > now_s else now_s + interval
                for msg in self._builders[name]():
                    self._send(msg)

    def request(self, msgid: int) -> bool:
        """Send one message now (REQUEST_MESSAGE); False when it is not one we can build."""
        name = _name_of(msgid)
        if name is None or name not in self._builders:
            return False
        messages = self._builders[name]()
        for msg in messages:
            self._send(msg)
        return bool(messages)

    def set_interval(self, msgid: int, interval_us: float) -> bool:
        """SET_MESSAGE_INTERVAL: -1 stops, 0 restores the default, else microseconds."""
        name = _name_of(msgid)
        if name is None or name not in self._builders or name in _ONLY_ON_REQUEST:
            return False
        if not math.isfinite(interval_us):
            return False
        if interval_us < 0:
            self.rates_hz[name] = 0.0
        elif interval_us == 0:
            self.rates_hz[name] = self._defaults.get(name, 1.0) or 1.0
        else:
            self.rates_hz[name] = 1e6 / interval_us
        self._due[name] = 0.0
        return True

    # -- messages -----------------------------------------------------------------------------

    def _position(self) -> tuple[float, float]:
        now = self.ap.now_s()
        if now != self._cache_t:
            k = self.ap.k
            self._cache_pos = self.ap.frame.to_global(k.east_m, k.north_m)
            self._cache_t = now
        return self._cache_pos

    def _boot_ms(self) -> int:
        return int((self.ap.now_s() - self.ap.boot_s) * 1000) & 0xFFFFFFFF

    def heartbeat(self) -> Any:
        """The HEARTBEAT as of now."""
        ap = self.ap
        base = M.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED | M.MAV_MODE_FLAG_STABILIZE_ENABLED
        if ap.mode.behaviour in _AUTONOMOUS:
            base |= M.MAV_MODE_FLAG_GUIDED_ENABLED
        if ap.mode.behaviour in (Behaviour.AUTO, Behaviour.RTL, Behaviour.LAND):
            base |= M.MAV_MODE_FLAG_AUTO_ENABLED
        if ap.armed:
            base |= M.MAV_MODE_FLAG_SAFETY_ARMED
        return M.MAVLink_heartbeat_message(
            M.MAV_TYPE_QUADROTOR, ap.rules.autopilot, base, ap.mode.custom_mode,
            ap.system_status, 3,
        )  # fmt: skip

    def _global_position(self) -> Any:
        ap = self.ap
        k = ap.k
        lat, lon = self._position()
        return M.MAVLink_global_position_int_message(
            self._boot_ms(), round(lat * 1e7), round(lon * 1e7),
            round((ap.ground_amsl_m + k.up_m) * 1000), round((k.up_m - ap.home[2]) * 1000),
            round(k.v_north_mps * 100), round(k.v_east_mps * 100), round(-k.v_up_mps * 100),
            round(k.yaw_deg * 100) % 36000,
        )  # fmt: skip

    def _attitude(self) -> Any:
        k = self.ap.k
        yaw = math.radians((k.yaw_deg + 180.0) % 360.0 - 180.0)
        return M.MAVLink_attitude_message(
            self._boot_ms(), math.radians(k.roll_deg), math.radians(k.pitch_deg), yaw, 0, 0, 0
        )

    def _vfr_hud(self) -> Any:
        ap = self.ap
        k = ap.k
        throttle = 0 if not ap.armed else (15 if k.on_ground else 50)
        return M.MAVLink_vfr_hud_message(
            k.ground_speed_mps, k.ground_speed_mps, round(k.yaw_deg) % 360, throttle,
            ap.ground_amsl_m + k.up_m, k.v_up_mps,
        )  # fmt: skip

    def _sys_status(self) -> Any:
        ap = self.ap
        health = _SENSORS if ap.gps_ok() else _SENSORS & ~M.MAV_SYS_STATUS_SENSOR_GPS
        return M.MAVLink_sys_status_message(
            _SENSORS, _SENSORS, health, 250, round(ap.voltage_v * 1000),
            round(ap.current_a * 100), round(ap.remaining_pct), 0, 0, 0, 0, 0, 0,
        )  # fmt: skip

    def _battery_status(self) -> Any:
        ap = self.ap
        cells = ap.config.battery_cells
        cell_mv = round(ap.voltage_v / cells * 1000)
        voltages = [cell_mv] * min(cells, 10) + [0xFFFF] * (10 - min(cells, 10))
        current = max(ap.current_a, 0.01)
        left_s = (ap.config.battery_capacity_mah - ap.used_mah) / (current * 1000) * 3600
        return M.MAVLink_battery_status_message(
            0, M.MAV_BATTERY_FUNCTION_ALL, M.MAV_BATTERY_TYPE_LIPO, 0x7FFF, voltages,
            round(ap.current_a * 100), round(ap.used_mah), -1, round(ap.remaining_pct),
            max(0, round(left_s)), M.MAV_BATTERY_CHARGE_STATE_OK,
        )  # fmt: skip

    def _gps_raw(self) -> Any:
        ap = self.ap
        k = ap.k
        lat, lon = self._position()
        fix = M.GPS_FIX_TYPE_3D_FIX if ap.gps_ok() else M.GPS_FIX_TYPE_NO_FIX
        sats = 14 if ap.gps_ok() else 3
        cog = math.degrees(math.atan2(k.v_east_mps, k.v_north_mps)) % 360.0
        return M.MAVLink_gps_raw_int_message(
            int(ap.now_s() * 1e6), fix, round(lat * 1e7), round(lon * 1e7),
            round((ap.ground_amsl_m + k.up_m) * 1000), 80, 120,
            round(k.ground_speed_mps * 100), round(cog * 100) % 36000, sats,
        )  # fmt: skip

    def home_position(self) -> Any:
        """HOME_POSITION."""
        ap = self.ap
        east, north, up = ap.home
        lat, lon = ap.frame.to_global(east, north)
        return M.MAVLink_home_position_message(
            round(lat * 1e7), round(lon * 1e7), round(ap.home_amsl_m * 1000),
            north, east, -up, [1.0, 0.0, 0.0, 0.0], 0.0, 0.0, 0.0, int(ap.now_s() * 1e6),
        )  # fmt: skip

    def mission_current(self) -> Any:
        """MISSION_CURRENT with the total and the mission state."""
        ap = self.ap
        from geofence import MissionType

        total = len(ap.plans.get(MissionType.MISSION))
        offset = ap.rules.mission_offset
        runner = ap.mission
        in_auto = ap.mode.behaviour is Behaviour.AUTO
        if total <= offset:
            state = M.MISSION_STATE_NO_MISSION
        elif runner is None:
            state = M.MISSION_STATE_NOT_STARTED
        elif runner.finished:
            state = M.MISSION_STATE_COMPLETE
        elif runner.paused or not in_auto:
            state = M.MISSION_STATE_PAUSED
        else:
            state = M.MISSION_STATE_ACTIVE
        seq = min(ap.mission_current, max(total - 1, 0))
        return M.MAVLink_mission_current_message(seq, total, state, int(in_auto))

    def autopilot_version(self) -> Any:
        """AUTOPILOT_VERSION with the personality's capabilities."""
        ap = self.ap
        major, minor, patch = _VERSIONS[str(ap.rules.personality)]
        version = (major << 24) | (minor << 16) | (patch << 8) | 0xFF
        return M.MAVLink_autopilot_version_message(
            ap.rules.capabilities(), version, 0, 0, 0, [0] * 8, [0] * 8, [0] * 8,
            0x1209, 0x5740, ap.config.system_id,
        )  # fmt: skip


def _name_of(msgid: int) -> str | None:
    cls = M.mavlink_map.get(msgid)
    return cls.msgname if cls is not None else None
