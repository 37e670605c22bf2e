"""Firmware plugins: mode numbers per family and the steps each action is made of."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MissionType
from groundstation.firmware import (
    ArduPilotPlugin,
    Arm,
    AutopilotFamily,
    Cmd,
    FlightIntent,
    GenericPlugin,
    Px4Plugin,
    SetMode,
    SetParam,
    UnsupportedAction,
    WaitUntil,
    family_of,
    plugin_for,
    px4_custom_mode,
)
from groundstation.mavlink import VehicleState

CUSTOM = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED


@pytest.mark.parametrize(
    ("name", "value"),
    [("MANUAL", 65536), ("ALTCTL", 131072), ("POSCTL", 196608), ("AUTO.TAKEOFF", 33816576),
     ("AUTO.LOITER", 50593792), ("AUTO.MISSION", 67371008), ("AUTO.RTL", 84148224),
     ("AUTO.LAND", 100925440), ("AUTO.PRECLAND", 151257088)],
)  # fmt: skip
def test_px4_custom_modes_match_px4(name: str, value: int) -> None:
    plugin = Px4Plugin()
    assert plugin.mode(name).custom_mode == value
    assert plugin.mode_name(CUSTOM, value) == name


@pytest.mark.parametrize(
    ("intent", "number"),
    [(FlightIntent.GUIDED, 4), (FlightIntent.AUTO, 3), (FlightIntent.RTL, 6), (FlightIntent.LAND, 9),
     (FlightIntent.LOITER, 5), (FlightIntent.CIRCLE, 7), (FlightIntent.BRAKE, 17), (FlightIntent.POSITION, 16)],
)  # fmt: skip
def test_ardupilot_intents(intent: FlightIntent, number: int) -> None:
    spec = ArduPilotPlugin().mode(intent)
    assert spec.custom_mode == number and spec.set_params == (CUSTOM, number, 0)


def test_px4_set_mode_params_are_main_and_sub() -> None:
    spec = Px4Plugin().mode(FlightIntent.AUTO)
    assert spec.set_params == (CUSTOM, 4, 4)
    assert px4_custom_mode(4, 4) == spec.custom_mode


def test_mode_names_without_custom_flag_or_unknown() -> None:
    assert ArduPilotPlugin().mode_name(0, 4) == "UNKNOWN"
    assert ArduPilotPlugin().mode_name(CUSTOM, 99) == "MODE_99"
    assert Px4Plugin().mode_name(CUSTOM, px4_custom_mode(9, 9)) == "MODE_9.9"
    assert Px4Plugin().mode_name(CUSTOM, px4_custom_mode(3, 7)) == "POSCTL"


def test_intent_names_work_as_strings() -> None:
    assert Px4Plugin().mode("guided").name == "AUTO.LOITER"
    assert ArduPilotPlugin().mode("guided").name == "GUIDED"
    with pytest.raises(UnsupportedAction):
        Px4Plugin().mode(FlightIntent.BRAKE)


def test_families() -> None:
    assert family_of(mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA) is AutopilotFamily.ARDUPILOT
    assert family_of(mavlink.MAV_AUTOPILOT_PX4) is AutopilotFamily.PX4
    assert isinstance(plugin_for(mavlink.MAV_AUTOPILOT_GENERIC), GenericPlugin)


def test_ardupilot_plan_offset_only_for_missions() -> None:
    plugin = ArduPilotPlugin()
    assert [plugin.plan_offset(t) for t in MissionType] == [1, 0, 0]
    assert [Px4Plugin().plan_offset(t) for t in MissionType] == [0, 0, 0]
    assert plugin.home_item(VehicleState(system_id=1)).x == 0


def test_ardupilot_orbit_steps() -> None:
    state = VehicleState(system_id=1)
    state.position.alt_rel_m = 25.0
    steps = ArduPilotPlugin().orbit(26.2, 111.6, 30, 3, False, None, 2.0, state)
    kinds = [type(s) for s in steps]
    assert kinds == [SetParam, SetParam, SetParam, Cmd, WaitUntil, SetMode]
    assert steps[1].value < 0  # type: ignore[union-attr]  # counter-clockwise: negative rate
    assert steps[3].params[6] == 25.0  # type: ignore[union-attr]
    assert not steps[4].test(state)  # type: ignore[union-attr]
    state.position.lat_deg, state.position.lon_deg, state.position.updated_s = 26.2, 111.6, 1.0
    assert steps[4].test(state)  # type: ignore[union-attr]


def test_start_mission_steps_depend_on_flying() -> None:
    state = VehicleState(system_id=1)
    plugin = ArduPilotPlugin()
    assert [type(s) for s in plugin.start_mission(state)] == [SetMode, Arm, Cmd]
    state.armed, state.system_status = True, "ACTIVE"
    assert plugin.start_mission(state) == [SetMode(FlightIntent.AUTO)]
    state.landed_state = mavlink.MAV_LANDED_STATE_ON_GROUND
    assert not plugin.is_flying(state)
