"""Flight logs: a vehicle's arm -> disarm is recorded as a standard .tlog (pymavlink reads it back),
downloadable while flying and after, scoped to the vehicle's organisation, and replayable into
the station, which then sees the vehicle again."""

from __future__ import annotations

import asyncio

from pymavlink import mavutil
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from tests.service.harness import Service
from tests.service.vehicles import HOME, connect_vehicle, send_state


async def _flights(svc: Service, user: str) -> list[dict]:  # type: ignore[type-arg]
    r = await svc.client.get("/api/flights", headers=svc.headers(user))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_a_flight_is_recorded_downloaded_and_replayed(service: Service, tmp_path) -> None:  # type: ignore[no-untyped-def]
    svc = service
    peer, _autopilot, vehicle = await connect_vehicle(svc, "va")
    peer.base_mode |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    await vehicle.wait_until(lambda s: s.armed, 5)
    async with asyncio.timeout(5):
        while not svc.station.recorder.open_flights():
            await asyncio.sleep(0.02)
    for i in range(20):
        send_state(peer, lat=HOME[0] + i * 1e-5, lon=HOME[1], alt_amsl_m=HOME[2] + i, rel_m=i)
    await vehicle.wait_until(lambda s: abs(s.position.alt_rel_m - 19) < 0.01, 5)

    (flight,) = await _flights(svc, "pilot_a")
    assert flight["system_id"] == 11 and flight["ended_at"] is None
    assert await _flights(svc, "pilot_b") == []  # another county's pilot sees nothing
    hidden = await svc.client.get(f"/api/flights/{flight['id']}/tlog", headers=svc.headers("pilot_b"))
    assert hidden.status_code == 404
    live = await svc.client.get(f"/api/flights/{flight['id']}/tlog", headers=svc.headers("viewer_a"))
    assert live.status_code == 200 and live.content

    peer.base_mode &= ~mavlink.MAV_MODE_FLAG_SAFETY_ARMED
    await vehicle.wait_until(lambda s: not s.armed, 5)
    async with asyncio.timeout(5):
        while (await _flights(svc, "pilot_a"))[0]["ended_at"] is None:
            await asyncio.sleep(0.05)
    (ended,) = await _flights(svc, "pilot_a")
    assert ended["end_reason"] == "disarmed" and ended["frames"] > 20

    log = await svc.client.get(f"/api/flights/{flight['id']}/tlog", headers=svc.headers("pilot_a"))
    path = tmp_path / "download.tlog"
    path.write_bytes(log.content)
    reader = mavutil.mavlink_connection(str(path))
    kinds: dict[str, int] = {}
    alts = []
    while (msg := reader.recv_match()) is not None:
        kinds[msg.get_type()] = kinds.get(msg.get_type(), 0) + 1
        if msg.get_type() == "GLOBAL_POSITION_INT" and msg.get_srcSystem() == 11:
            alts.append(msg.relative_alt / 1000)
    reader.close()
    assert kinds.get("HEARTBEAT", 0) >= 1 and alts[-1] == 19.0, kinds
    assert sum(kinds.values()) == ended["frames"]

    # replay: refused while the vehicle is live, accepted once it is gone, and heard again
    refused = await svc.client.post(f"/api/flights/{flight['id']}/replay", json={"speed": 0},
                                    headers=svc.headers("pilot_a"))
    assert refused.status_code == 409
    peer.heartbeats_enabled = False
    await peer.close()
    svc.peers.remove(peer)
    async with asyncio.timeout(10):
        while not vehicle.comm_lost:
            await asyncio.sleep(0.05)
    viewer = await svc.client.post(f"/api/flights/{flight['id']}/replay", json={"speed": 0},
                                   headers=svc.headers("viewer_a"))
    assert viewer.status_code == 403
    started = await svc.client.post(f"/api/flights/{flight['id']}/replay", json={"speed": 0},
                                    headers=svc.headers("pilot_a"))
    assert started.status_code == 202, started.text
    async with asyncio.timeout(10):  # the replayed heartbeats bring the vehicle back
        while vehicle.comm_lost:
            await asyncio.sleep(0.02)
    audit = await svc.client.get("/api/audit", params={"action": "flight.replay"},
                                 headers=svc.headers("admin_a"))
    assert [r["actor"] for r in audit.json()] == ["pilot_a"]
