"""Vehicle state from telemetry: every record, mode names per family, events on change."""

from __future__ import annotations

import math

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.events import (
    ArmedChanged,
    EventBus,
    ModeChanged,
    StatusText,
    SystemStatusChanged,
)
from groundstation.mavlink import Fleet


async def test_every_state_record_is_filled(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    peer.send(
        mavlink.MAVLink_attitude_message(
            10, math.radians(5), math.radians(-3), math.radians(270), 0, 0, 0
        )
    )
    peer.send(mavlink.MAVLink_vfr_hud_message(0, 7.5, 181, 40, 100.0, -0.5))
    peer.send(
        mavlink.MAVLink_sys_status_message(0, 0, 0, 0, 15800, 1250, 76, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    )
    peer.send(mavlink.MAVLink_gps_raw_int_message(0, 3, 0, 0, 0, 85, 0, 0, 0, 17))
    peer.send(
        mavlink.MAVLink_home_position_message(
            262000000, 1116000000, 98500, 0, 0, 0, [1, 0, 0, 0], 0, 0, 0
        )
    )
    peer.send(mavlink.MAVLink_extended_sys_state_message(0, mavlink.MAV_LANDED_STATE_IN_AIR))
    peer.send(
        mavlink.MAVLink_global_position_int_message(
            11, 262000100, 1116000200, 128500, 30000, 300, 400, -100, 65535
        )
    )
    await v.wait_until(lambda s: s.position.valid and s.home.valid and s.landed_state == 2, 2)
    s = v.state
    assert s.attitude.roll_deg == pytest.approx(
        5, abs=1e-4
    ) and s.attitude.yaw_deg == pytest.approx(270, abs=1e-3)
    assert s.velocity.groundspeed_mps == 7.5 and s.velocity.climb_mps == -0.5
    assert (s.velocity.north_mps, s.velocity.east_mps, s.velocity.down_mps) == (3.0, 4.0, -1.0)
    assert s.heading_deg == 181.0  # GLOBAL_POSITION_INT hdg UINT16_MAX (unknown) kept the HUD's
    assert (s.battery.voltage_v, s.battery.current_a, s.battery.remaining_pct) == (15.8, 12.5, 76)
    assert (s.gps.fix_type, s.gps.satellites, s.gps.eph_m, s.gps.fix_name) == (
        3,
        17,
        0.85,
        "3D_FIX",
    )
    assert (s.home.lat_deg, s.home.lon_deg, s.home.alt_amsl_m) == pytest.approx((26.2, 111.6, 98.5))
    assert s.position.alt_amsl_m == 128.5 and s.position.alt_rel_m == 30.0
    assert v.flying


async def test_battery_status_cells_and_unknowns(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    cells = [4100, 4100, 4100, 4100] + [65535] * 6
    peer.send(mavlink.MAVLink_battery_status_message(0, 0, 0, 0, cells, -1, 0, 0, -1))
    await v.wait_until(lambda s: s.battery.updated_s > 0, 2)
    assert v.state.battery.voltage_v == pytest.approx(16.4)
    assert math.isnan(v.state.battery.current_a) and v.state.battery.remaining_pct is None
    peer.send(mavlink.MAVLink_gps_raw_int_message(0, 0, 0, 0, 0, 65535, 0, 0, 0, 255))
    await v.wait_until(lambda s: s.gps.updated_s > 0, 2)
    assert v.state.gps.satellites is None and math.isnan(v.state.gps.eph_m)


async def test_other_components_do_not_overwrite_autopilot_state(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1)
    camera = await make_peer(1, compid=100, heartbeat_interval_s=10)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    camera.send(mavlink.MAVLink_global_position_int_message(1, 1, 1, 1, 1, 0, 0, 0, 0))
    peer.send(
        mavlink.MAVLink_global_position_int_message(2, 262000000, 1116000000, 0, 0, 0, 0, 0, 0)
    )
    await v.wait_until(lambda s: s.position.time_boot_ms == 2, 2)
    assert v.state.position.lat_deg == pytest.approx(26.2)


async def test_ardupilot_heartbeat_state_and_events(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    await v.wait_until(lambda s: s.mode == "STABILIZE", 2)
    with bus.subscribe(ArmedChanged, ModeChanged, SystemStatusChanged) as sub:
        peer.custom_mode = 4
        peer.base_mode |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
        peer.system_status = mavlink.MAV_STATE_ACTIVE
        armed = await sub.wait_for(ArmedChanged, timeout_s=2)
        assert armed.armed  # type: ignore[attr-defined]
        mode = await sub.wait_for(ModeChanged, timeout_s=2)
        assert (mode.mode, mode.previous) == ("GUIDED", "STABILIZE")  # type: ignore[attr-defined]
        status = await sub.wait_for(SystemStatusChanged, timeout_s=2)
        assert (status.status, status.previous) == ("ACTIVE", "STANDBY")  # type: ignore[attr-defined]
    assert v.state.armed and v.state.mode == "GUIDED" and v.flying
    assert v.state.autopilot == "ARDUPILOTMEGA" and v.state.vehicle_type == "QUADROTOR"


async def test_px4_mode_names(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(2, autopilot=mavlink.MAV_AUTOPILOT_PX4)
    peer.custom_mode = 67371008  # AUTO.MISSION
    v = await fleet.wait_for_vehicle(2, timeout_s=2)
    await v.wait_until(lambda s: s.mode == "AUTO.MISSION", 2)
    peer.custom_mode = 84148224
    await v.wait_until(lambda s: s.mode == "AUTO.RTL", 2)
    assert v.state.family == "px4"


async def test_status_text_plain_and_in_chunks(fleet: Fleet, make_peer, bus: EventBus) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    with bus.subscribe(StatusText) as sub:
        peer.send(mavlink.MAVLink_statustext_message(4, b"PreArm: Need 3D Fix", 0, 0))
        first = await sub.wait_for(StatusText, timeout_s=2)
        assert (first.severity, first.text) == (4, "PreArm: Need 3D Fix")  # type: ignore[attr-defined]
        long_text = "Preflight Fail: " + "x" * 70
        chunks = [long_text[i : i + 50].encode() for i in range(0, len(long_text), 50)]
        for seq, chunk in enumerate(chunks):
            peer.send(mavlink.MAVLink_statustext_message(3, chunk, 7, seq))
        joined = await sub.wait_for(StatusText, timeout_s=2)
        assert joined.text == long_text and joined.severity == 3  # type: ignore[attr-defined]
    assert [t.text for t in v.state.status_texts] == ["PreArm: Need 3D Fix", long_text]


async def test_unfinished_chunked_text_is_flushed_after_timeout(
    make_peer, udp_port: int, bus: EventBus
) -> None:
    from groundstation.mavlink import Fleet as FleetCls
    from tests.mavlink.conftest import fast_settings

    settings = fast_settings(
        endpoints=[f"udpin:127.0.0.1:{udp_port}"], status_text_chunk_timeout_s=0.1
    )
    async with FleetCls(settings, bus) as fleet:
        peer = await make_peer(1)
        await fleet.wait_for_vehicle(1, timeout_s=2)
        with bus.subscribe(StatusText) as sub:
            peer.send(mavlink.MAVLink_statustext_message(2, b"a" * 50, 9, 0))
            partial = await sub.wait_for(StatusText, timeout_s=2)
        assert partial.text == "a" * 50 + "…"  # type: ignore[attr-defined]


async def test_snapshot_is_independent(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    peer.send(mavlink.MAVLink_attitude_message(1, 0.5, 0, 0, 0, 0, 0))
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 1, 2)
    snap = v.state.snapshot()
    peer.send(mavlink.MAVLink_attitude_message(2, 0.7, 0, 0, 0, 0, 0))
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 2, 2)
    assert snap.attitude.time_boot_ms == 1
