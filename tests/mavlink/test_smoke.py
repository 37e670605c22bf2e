from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.mavlink import Fleet


async def test_vehicle_discovered_and_position(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(7)
    vehicle = await fleet.wait_for_vehicle(7, timeout_s=2)
    peer.send(
        mavlink.MAVLink_global_position_int_message(
            1000, 262500000, 1116000000, 120000, 20000, 100, -200, 50, 9000
        )
    )
    await vehicle.wait_until(lambda s: s.position.valid, 2)
    assert abs(vehicle.state.position.lat_deg - 26.25) < 1e-9
    assert vehicle.state.position.alt_rel_m == 20.0
    assert vehicle.state.heading_deg == 90.0
    assert vehicle.state.family == "ardupilot"
