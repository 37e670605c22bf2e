"""The vehicle end of the command protocol: COMMAND_LONG / COMMAND_INT to COMMAND_ACK.

Each MAV_CMD the simulator knows has a handler returning a :class:`Refusal` (its MAV_RESULT and
an optional STATUSTEXT). Scripted faults are applied first: deny, fail, never answer, answer only
the second attempt, or IN_PROGRESS followed by the real result. Unknown commands are answered
UNSUPPORTED, as autopilots do.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavFrame
from groundstation.sim._autopilot import Autopilot, Refusal
from groundstation.sim._clock import SimTimers
from groundstation.sim._faults import CommandFault, FaultInjector

__all__ = ["CommandServer"]

_log = logging.getLogger(__name__)

_ACCEPTED = Refusal(mavlink.MAV_RESULT_ACCEPTED)
_UNSUPPORTED = Refusal(mavlink.MAV_RESULT_UNSUPPORTED)
_ARM_FORCE_MAGIC = 21196
_INT_FRAMES_RELATIVE = {MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_RELATIVE_ALT_INT,
                        MavFrame.GLOBAL_TERRAIN_ALT, MavFrame.GLOBAL_TERRAIN_ALT_INT}  # fmt: skip

Handler = Callable[[Any, bool], Refusal]


def _int(value: float, default: int = 0) -> int:
    """A float command parameter as an integer (NaN and infinities: ``default``)."""
    return int(value) if math.isfinite(value) else default


class CommandServer:
    """Answers the station's MAV_CMDs for one vehicle."""

    def __init__(
        self,
        autopilot: Autopilot,
        *,
        send: Callable[[Any], None],
        faults: FaultInjector,
        timers: SimTimers,
        request_message: Callable[[int], bool],
        set_interval: Callable[[int, float], bool],
    ) -> None:
        self.ap = autopilot
        self._send = send
        self._faults = faults
        self._timers = timers
        self._request_message = request_message
        self._set_interval = set_interval
        self.received: list[tuple[int, int]] = []  # (command, confirmation) as they arrived
        m = mavlink
        self._handlers: dict[int, Handler] = {
            m.MAV_CMD_COMPONENT_ARM_DISARM: self._arm_disarm,
            m.MAV_CMD_DO_SET_MODE: self._set_mode,
            m.MAV_CMD_NAV_TAKEOFF: self._takeoff,
            m.MAV_CMD_NAV_LAND: self._land,
            m.MAV_CMD_NAV_RETURN_TO_LAUNCH: self._rtl,
            m.MAV_CMD_DO_REPOSITION: self._reposition,
            m.MAV_CMD_DO_CHANGE_SPEED: self._change_speed,
            m.MAV_CMD_DO_ORBIT: self._orbit,
            m.MAV_CMD_DO_PAUSE_CONTINUE: self._pause_continue,
            m.MAV_CMD_MISSION_START: self._mission_start,
            m.MAV_CMD_DO_SET_MISSION_CURRENT: self._set_mission_current,
            m.MAV_CMD_DO_SET_HOME: self._set_home,
            m.MAV_CMD_DO_SET_ROI_LOCATION: self._roi,
            m.MAV_CMD_DO_SET_ROI_NONE: self._roi_none,
            m.MAV_CMD_DO_GIMBAL_MANAGER_PITCHYAW: self._gimbal,
            m.MAV_CMD_DO_MOUNT_CONTROL: self._gimbal,
            m.MAV_CMD_REQUEST_MESSAGE: self._request,
            m.MAV_CMD_SET_MESSAGE_INTERVAL: self._interval,
            m.MAV_CMD_REQUEST_AUTOPILOT_CAPABILITIES: self._capabilities,
            m.MAV_CMD_GET_HOME_POSITION: self._home_position,
        }

    def on_command(self, msg: Any) -> None:
        """Handle a COMMAND_LONG or COMMAND_INT addressed to this vehicle."""
        is_int = msg.get_type() == "COMMAND_INT"
        confirmation = 0 if is_int else msg.confirmation
        command = msg.command
        self.received.append((command, confirmation))
        target = (msg.get_srcSystem(), msg.get_srcComponent())
        fault = self._faults.command_fault(command)
        if fault is not None:
            if fault.result is not None:
                self._ack(target, command, Refusal(fault.result))
                return
            if fault in (CommandFault.NO_ANSWER, CommandFault.SECOND_ATTEMPT):
                return
            # IN_PROGRESS: say so now, carry the command out and answer a little later
            self._ack(target, command, Refusal(mavlink.MAV_RESULT_IN_PROGRESS), progress=0)
            outcome = self._handle(msg, is_int)
            due = self.ap.now_s() + self._faults.in_progress_s
            self._timers.call_at(due, lambda: self._ack(target, command, outcome))
            return
        self._ack(target, command, self._handle(msg, is_int))

    def _handle(self, msg: Any, is_int: bool) -> Refusal:
        handler = self._handlers.get(msg.command)
        if handler is None:
            return _UNSUPPORTED
        try:
            outcome = handler(msg, is_int)
        except (ValueError, OverflowError, KeyError) as exc:  # parameters it cannot use
            _log.info("vehicle: %s refused: %s", msg.command, exc)
            return Refusal(mavlink.MAV_RESULT_DENIED)
        if outcome.text:
            self.ap.text(mavlink.MAV_SEVERITY_CRITICAL if outcome.result != 0 else
                         mavlink.MAV_SEVERITY_INFO, outcome.text)  # fmt: skip
        return outcome

    def _ack(self, target: tuple[int, int], command: int, outcome: Refusal, progress: int = 0) -> None:
        self._send(
            mavlink.MAVLink_command_ack_message(
                command, outcome.result, progress, 0, target[0], target[1]
            )
        )

    # -- helpers ------------------------------------------------------------------------------

    def _position(self, msg: Any, is_int: bool) -> tuple[float | None, float | None, float | None]:
        """Local east, north, up from params 5-7 (None where the command leaves it unchanged)."""
        ap = self.ap
        if is_int:
            lat = msg.x / 1e7 if msg.x != 0 or msg.y != 0 else math.nan
            lon = msg.y / 1e7 if msg.x != 0 or msg.y != 0 else math.nan
            alt = msg.z
            frame = msg.frame
        else:
            lat, lon, alt = msg.param5, msg.param6, msg.param7
            frame = MavFrame.GLOBAL
        east = north = up = None
        if math.isfinite(lat) and math.isfinite(lon):
            east, north = ap.local_of(lat, lon)
        if math.isfinite(alt):
            up = ap.up_of(alt, frame)
        return east, north, up

    # -- handlers -----------------------------------------------------------------------------

    def _arm_disarm(self, msg: Any, is_int: bool) -> Refusal:
        force = _int(msg.param2) == _ARM_FORCE_MAGIC
        if msg.param1 >= 0.5:
            return self.ap.arm(force)
        return self.ap.disarm(force)

    def _set_mode(self, msg: Any, is_int: bool) -> Refusal:
        if not _int(msg.param1) & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
            return Refusal(mavlink.MAV_RESULT_UNSUPPORTED)
        mode = self.ap.rules.mode_from_set_mode(_int(msg.param2, -1), _int(msg.param3, -1))
        if mode is None:
            return Refusal(self.ap.rules.mode_refusal, "Unknown mode")
        return self.ap.set_mode(mode)

    def set_mode_message(self, msg: Any) -> None:
        """The legacy SET_MODE message (no answer but the next HEARTBEAT)."""
        if msg.base_mode & mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED:
            mode = self.ap.rules.mode_by_number(msg.custom_mode)
            if mode is not None:
                self.ap.set_mode(mode)

    def _takeoff(self, msg: Any, is_int: bool) -> Refusal:
        ap = self.ap
        if is_int:
            alt, amsl = msg.z, msg.frame not in _INT_FRAMES_RELATIVE
        else:
            alt, amsl = msg.param7, ap.rules.takeoff_alt_amsl
        return ap.takeoff(alt, amsl)

    def _land(self, msg: Any, is_int: bool) -> Refusal:
        from groundstation.sim._personality import Behaviour

        return self.ap.set_mode(self.ap.rules.mode_for(Behaviour.LAND))

    def _rtl(self, msg: Any, is_int: bool) -> Refusal:
        from groundstation.sim._personality import Behaviour

        return self.ap.set_mode(self.ap.rules.mode_for(Behaviour.RTL))

    def _reposition(self, msg: Any, is_int: bool) -> Refusal:
        if not is_int and not self.ap.rules.reposition_long_ok:
            return _UNSUPPORTED
        east, north, up = self._position(msg, is_int)
        change_mode = bool(_int(msg.param2) & mavlink.MAV_DO_REPOSITION_FLAGS_CHANGE_MODE)
        speed = msg.param1 if math.isfinite(msg.param1) and msg.param1 > 0 else None
        return self.ap.reposition(east, north, up, change_mode, speed)

    def _change_speed(self, msg: Any, is_int: bool) -> Refusal:
        if math.isfinite(msg.param2) and msg.param2 > 0:
            self.ap.set_cruise(msg.param2)
        return _ACCEPTED

    def _orbit(self, msg: Any, is_int: bool) -> Refusal:
        ap = self.ap
        if not ap.rules.orbit_supported:
            return _UNSUPPORTED
        east, north, up = self._position(msg, is_int)
        k = ap.k
        return ap.start_orbit(
            k.east_m if east is None else east, k.north_m if north is None else north,
            k.up_m if up is None else up, msg.param1 if math.isfinite(msg.param1) else 10.0,
            msg.param2,
        )  # fmt: skip

    def _pause_continue(self, msg: Any, is_int: bool) -> Refusal:
        return self.ap.resume() if _int(msg.param1) == 1 else self.ap.pause()

    def _mission_start(self, msg: Any, is_int: bool) -> Refusal:
        first = _int(msg.param1)
        return self.ap.mission_start(first)

    def _set_mission_current(self, msg: Any, is_int: bool) -> Refusal:
        if self.ap.set_mission_current(_int(msg.param1)):
            return _ACCEPTED
        return Refusal(mavlink.MAV_RESULT_DENIED, "Mission item out of range")

    def _set_home(self, msg: Any, is_int: bool) -> Refusal:
        ap = self.ap
        k = ap.k
        if _int(msg.param1) == 1:
            ap.set_home(k.east_m, k.north_m, k.up_m)
            return _ACCEPTED
        east, north, up = self._position(msg, is_int)
        if east is None or north is None:
            return Refusal(mavlink.MAV_RESULT_DENIED)
        ap.set_home(east, north, ap.home[2] if up is None else up)
        return _ACCEPTED

    def _roi(self, msg: Any, is_int: bool) -> Refusal:
        east, north, up = self._position(msg, is_int)
        if east is None or north is None:
            return Refusal(mavlink.MAV_RESULT_DENIED)
        self.ap.set_roi((east, north, 0.0 if up is None else up))
        return _ACCEPTED

    def _roi_none(self, msg: Any, is_int: bool) -> Refusal:
        self.ap.set_roi(None)
        return _ACCEPTED

    def _gimbal(self, msg: Any, is_int: bool) -> Refusal:
        if math.isfinite(msg.param1):
            self.ap.set_gimbal_pitch(msg.param1)
        return _ACCEPTED

    def _request(self, msg: Any, is_int: bool) -> Refusal:
        return _ACCEPTED if self._request_message(_int(msg.param1)) else _UNSUPPORTED

    def _interval(self, msg: Any, is_int: bool) -> Refusal:
        return _ACCEPTED if self._set_interval(_int(msg.param1), msg.param2) else _UNSUPPORTED

    def _capabilities(self, msg: Any, is_int: bool) -> Refusal:
        self._request_message(mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION)
        return _ACCEPTED

    def _home_position(self, msg: Any, is_int: bool) -> Refusal:
        self._request_message(mavlink.MAVLINK_MSG_ID_HOME_POSITION)
        return _ACCEPTED
