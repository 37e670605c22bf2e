"""Scripted MAVLink vehicles (tests/mavlink peers) flying for the service tests."""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.mavlink import Vehicle
from tests.mavlink.peer import ScriptedPeer
from tests.mavlink.vehicle_side import MiniAutopilot
from tests.service.harness import Service

HOME = (26.4200, 111.6000, 110.0)  # lat, lon, AMSL m (Yongzhou)


def send_state(peer: ScriptedPeer, *, lat: float, lon: float, alt_amsl_m: float,
               rel_m: float = 0.0, battery_pct: int = 80) -> None:
    """Position and battery as an autopilot streams them."""
    peer.send(mavlink.MAVLink_global_position_int_message(
        1000, int(lat * 1e7), int(lon * 1e7), int(alt_amsl_m * 1000), int(rel_m * 1000),
        0, 0, 0, 0))
    peer.send(mavlink.MAVLink_sys_status_message(
        0, 0, 0, 500, 15800, 120, battery_pct, 0, 0, 0, 0, 0, 0))


async def connect_vehicle(svc: Service, name: str, *, battery_pct: int = 80,
                          position: tuple[float, float] | None = None) -> tuple[ScriptedPeer, MiniAutopilot, Vehicle]:
    """A PX4 vehicle for a registered name, with home, position and battery known."""
    sysid = svc.world.system_ids[name]
    peer = ScriptedPeer(sysid, autopilot=mavlink.MAV_AUTOPILOT_PX4)
    await peer.connect(svc.udp_port)
    svc.peers.append(peer)
    vehicle = await svc.station.fleet.wait_for_vehicle(sysid, timeout_s=5)
    lat, lon = position or HOME[:2]
    peer.send(mavlink.MAVLink_home_position_message(
        int(HOME[0] * 1e7), int(HOME[1] * 1e7), int(HOME[2] * 1000), 0, 0, 0, [1, 0, 0, 0],
        0, 0, 0))
    send_state(peer, lat=lat, lon=lon, alt_amsl_m=HOME[2], battery_pct=battery_pct)
    await vehicle.wait_until(
        lambda s: s.home.valid and s.battery.remaining_pct == battery_pct
        and abs(s.position.lat_deg - lat) < 1e-6, 5)
    return peer, MiniAutopilot(peer, px4=True), vehicle


def command_bodies() -> dict[str, dict[str, Any] | None]:
    """A valid body for each command the matrix tries."""
    return {
        "arm": {}, "takeoff": {"alt_m": 30}, "goto": {"lat_deg": 26.425, "lon_deg": 111.605, "alt_m": 40},
        "orbit": {"lat_deg": 26.425, "lon_deg": 111.605, "radius_m": 50}, "hold": None,
        "rtl": None, "land": None, "disarm": {"force": False}, "set_speed": {"speed_mps": 8},
    }  # fmt: skip
