"""A simulated vehicle without sockets on a hand-driven clock, for unit tests of its logic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MissionItem, MissionType
from groundstation.sim import SimClock, SimConfig, SimVehicle, TruthState

STEP_S = 0.1


class Bench:
    """One vehicle, its sim clock under the test's control, and every message it sent."""

    def __init__(self, **changes: object) -> None:
        self.t_s = 0.0
        self.clock = SimClock(1.0, real=lambda: self.t_s)
        values: dict[str, object] = {"endpoints": ()}
        values.update(changes)
        self.vehicle = SimVehicle(SimConfig(**values), clock=self.clock)  # type: ignore[arg-type]
        self.sent: list[Any] = []
        self.vehicle.taps.append(self.sent.append)

    @property
    def truth(self) -> TruthState:
        """The vehicle's state now."""
        return self.vehicle.truth()

    def run(self, seconds: float, until: Callable[[TruthState], bool] | None = None) -> float:
        """Advance up to ``seconds`` of sim time; stop early once ``until`` holds. Returns elapsed."""
        elapsed = 0.0
        while elapsed < seconds:
            self.t_s += STEP_S
            elapsed += STEP_S
            self.vehicle.step(STEP_S)
            if until is not None and until(self.truth):
                return elapsed
        if until is not None:
            raise AssertionError(f"not reached in {seconds} s: {self.truth}")
        return elapsed

    def receive(self, msg: Any, src: tuple[int, int] = (255, 190)) -> None:
        """Deliver a message as if it came from the station."""
        msg._header.srcSystem, msg._header.srcComponent = src
        self.vehicle._dispatch(msg)

    def command(self, command: int, *params: float) -> int:
        """Send a COMMAND_LONG; return the MAV_RESULT of the COMMAND_ACK it caused."""
        padded = [float(p) for p in params] + [0.0] * (7 - len(params))
        before = len(self.sent)
        self.receive(mavlink.MAVLink_command_long_message(1, 1, command, 0, *padded))
        acks = [m for m in self.sent[before:] if m.get_type() == "COMMAND_ACK"]
        assert acks, f"no COMMAND_ACK for {command}"
        return int(acks[-1].result)

    def command_int(self, command: int, frame: int, *params: float, x: int = 0, y: int = 0,
                    z: float = 0.0) -> int:  # fmt: skip
        """Send a COMMAND_INT; return the MAV_RESULT."""
        padded = [float(p) for p in params] + [0.0] * (4 - len(params))
        before = len(self.sent)
        self.receive(
            mavlink.MAVLink_command_int_message(1, 1, frame, command, 0, 0, *padded, x, y, z)
        )
        acks = [m for m in self.sent[before:] if m.get_type() == "COMMAND_ACK"]
        assert acks
        return int(acks[-1].result)

    def texts(self) -> list[str]:
        """Every STATUSTEXT sent so far."""
        return [m.text for m in self.sent if m.get_type() == "STATUSTEXT"]

    def set_mode(self, name: str) -> int:
        """DO_SET_MODE by the personality's mode name."""
        rules = self.vehicle.rules
        number = rules.mode(name).custom_mode
        if rules.personality == "px4":
            return self.command(mavlink.MAV_CMD_DO_SET_MODE, 1, (number >> 16) & 0xFF,
                                (number >> 24) & 0xFF)  # fmt: skip
        return self.command(mavlink.MAV_CMD_DO_SET_MODE, 1, number)

    def set_param(self, name: str, value: float) -> None:
        """Change a parameter as the autopilot would on PARAM_SET."""
        self.vehicle.params.set(name, value)

    def store(self, mission_type: MissionType, items: list[MissionItem]) -> None:
        """Put a plan straight into the vehicle (as a completed upload would)."""
        self.vehicle.plans.put(mission_type, items)
        self.vehicle.autopilot.on_plan_stored(mission_type)

    def takeoff(self, alt_m: float = 20.0) -> None:
        """GUIDED (or PX4 takeoff), arm, climb to ``alt_m``."""
        ok = mavlink.MAV_RESULT_ACCEPTED
        if self.vehicle.rules.personality == "px4":
            amsl = self.vehicle.config.home_alt_amsl_m + alt_m
            assert self.command(mavlink.MAV_CMD_NAV_TAKEOFF, -1, 0, 0, 0, 0, 0, amsl) == ok
            assert self.command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1) == ok
        else:
            assert self.set_mode("GUIDED") == ok
            assert self.command(mavlink.MAV_CMD_COMPONENT_ARM_DISARM, 1) == ok
            assert self.command(mavlink.MAV_CMD_NAV_TAKEOFF, 0, 0, 0, 0, 0, 0, alt_m) == ok
        self.run(60, lambda t: t.alt_rel_m > alt_m - 0.6)
