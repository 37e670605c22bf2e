"""A drone sent to an incident behind a no-fly zone flies the ranking's path around it: the
dispatch ranking's detour is the route a dock drone is given (out and home) and the corners an
airborne drone is sent through, not a straight line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import select

from geofence import Zone, ZoneKind, ZoneSet
from groundstation.db import User
from groundstation.operations import operations_of
from groundstation.sim import SimConfig, SimVehicle
from tests.service.docked import run_docked_service
from tests.service.harness import Service

SCENE = {"kind": "burglary", "priority": 1, "lat_deg": 26.4335, "lon_deg": 111.6115,
         "address": "Lingling Road 8", "reporter_name": "Zhou"}
DOCK = "YZ-D01"  # at (26.430, 111.608), 520 m south-west of the scene
PRISON = (26.43175, 111.60975, 110.0)  # centre (lat, lon) and radius across the straight line
PATROL = (26.4295, 111.6075)  # an airborne drone's home, the prison between it and the scene


async def _add_prison(svc: Service) -> None:
    with svc.station.db.session() as s:
        org_id = s.scalar(select(User.org_id).where(User.username == "admin"))
    lat, lon, radius = PRISON
    r = await svc.client.post("/api/zones", headers=svc.headers("admin"), json={
        "name": "Prison 3", "org_id": org_id, "feature": {
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"kind": "no_fly", "name": "Prison 3", "radius_m": radius}}})
    assert r.status_code == 201, r.text


async def _track_until_on_scene(svc: Service, drone_id: str, iid: int) -> list[tuple[float, float]]:
    """Every position the station hears from the drone until the incident says it is overhead."""
    ops = operations_of(svc.station)
    assert ops is not None
    track: list[tuple[float, float]] = []
    headers = svc.headers("commander")
    async with asyncio.timeout(180):
        while (vehicle := ops.vehicle_named(drone_id)) is None:
            await asyncio.sleep(0.05)

        def record(state: Any) -> bool:
            if state.position.alt_rel_m > 1.0:
                track.append((state.position.lat_deg, state.position.lon_deg))
            return False

        recorder = asyncio.create_task(vehicle.wait_until(record, 180))
        try:
            while True:
                incident = (await svc.client.get(f"/api/incidents/{iid}", headers=headers)).json()
                kinds = {e["kind"] for e in incident["events"]}
                assert "dispatch_failed" not in kinds, incident["events"]
                if "on_scene" in kinds:
                    return track
                await asyncio.sleep(0.2)
        finally:
            recorder.cancel()


async def _track_home(svc: Service, drone_id: str) -> list[tuple[float, float]]:
    """Recall the sortie and record the way back until the drone is in its dock."""
    ops = operations_of(svc.station)
    assert ops is not None
    vehicle = ops.vehicle_named(drone_id)
    assert vehicle is not None
    sortie = ops.launcher.sorties[-1]
    track: list[tuple[float, float]] = []

    def record(state: Any) -> bool:
        track.append((state.position.lat_deg, state.position.lon_deg))
        return False

    recorder = asyncio.create_task(vehicle.wait_until(record, 180))
    try:
        async with asyncio.timeout(180):
            report = await sortie.recover("incident closed")
    finally:
        recorder.cancel()
    assert report.landed_at == f"dock:{DOCK}", report
    return track


async def test_a_dock_drone_flies_the_ranked_path_around_a_no_fly_zone(tmp_path: Path) -> None:
    async with run_docked_service(tmp_path) as svc:
        await _add_prison(svc)
        commander = svc.headers("commander")
        created = await svc.client.post("/api/incidents", json=SCENE, headers=commander)
        assert created.status_code == 201, created.text
        iid = created.json()["id"]
        ranking = (await svc.client.get(f"/api/incidents/{iid}/dispatch", headers=commander)).json()
        best = next(c for c in ranking["candidates"] if c["candidate_id"] == ranking["best"])
        assert best["candidate_id"] == DOCK and best["detoured"] and len(best["path"]) > 2
        assert best["distance_m"] > best["straight_m"]

        sent = await svc.client.post(f"/api/incidents/{iid}/dispatch", json={"hold": "hover"},
                                     headers=commander)
        assert sent.status_code == 202, sent.text
        track = await _track_until_on_scene(svc, best["drone_id"], iid)
        way_home = await _track_home(svc, best["drone_id"])

    for flight in (track, way_home):
        _assert_clear_of_prison(flight)


async def test_an_airborne_drone_is_sent_through_the_corners_around_a_no_fly_zone(
    tmp_path: Path,
) -> None:
    async with run_docked_service(tmp_path, docks=1) as svc:
        await _add_prison(svc)
        ops = operations_of(svc.station)
        assert ops is not None
        config = SimConfig(system_id=42, endpoints=(f"udpout:127.0.0.1:{svc.udp_port}",),
                           time_factor=40.0, home_lat_deg=PATROL[0], home_lon_deg=PATROL[1])
        async with SimVehicle(config):
            vehicle = await svc.station.fleet.wait_for_vehicle(42, timeout_s=10)
            await vehicle.wait_until(lambda s: abs(s.position.lat_deg - PATROL[0]) < 1e-4, 10)
            await vehicle.takeoff(40.0)
            await vehicle.wait_until(lambda s: s.position.alt_rel_m > 35, 30)
            commander = svc.headers("commander")
            iid = (await svc.client.post("/api/incidents", json=SCENE, headers=commander)).json()["id"]
            ranking = (await svc.client.get(f"/api/incidents/{iid}/dispatch",
                                            headers=commander)).json()
            best = next(c for c in ranking["candidates"] if c["candidate_id"] == ranking["best"])
            assert best["kind"] == "airborne" and best["detoured"] and len(best["path"]) > 2
            sent = await svc.client.post(f"/api/incidents/{iid}/dispatch",
                                         json={"hold": "hover"}, headers=commander)
            assert sent.status_code == 202, sent.text
            track = await _track_until_on_scene(svc, best["drone_id"], iid)
    _assert_clear_of_prison(track)


async def test_an_orbit_that_would_enter_a_no_fly_zone_is_refused_and_hover_is_not(
    tmp_path: Path,
) -> None:
    async with run_docked_service(tmp_path) as svc:
        with svc.station.db.session() as s:
            org_id = s.scalar(select(User.org_id).where(User.username == "admin"))
        # a school 90 m east of the scene: inside the 60 m orbit plus its own 40 m radius
        school = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [111.6124, 26.4335]},
                  "properties": {"kind": "no_fly", "name": "School 5", "radius_m": 40}}
        r = await svc.client.post("/api/zones", headers=svc.headers("admin"),
                                  json={"name": "School 5", "org_id": org_id, "feature": school})
        assert r.status_code == 201, r.text
        commander = svc.headers("commander")
        iid = (await svc.client.post("/api/incidents", json=SCENE, headers=commander)).json()["id"]
        orbit = await svc.client.post(f"/api/incidents/{iid}/dispatch", json={"hold": "orbit"},
                                      headers=commander)
        assert orbit.status_code == 409, orbit.text
        assert "School 5" in str(orbit.json())
        audit = (await svc.client.get("/api/audit", params={"action": "dispatch.send"},
                                      headers=svc.headers("admin"))).json()
        assert [a["result"] for a in audit if a["action"] == "dispatch.send"] == ["REFUSED"]
        ops = operations_of(svc.station)
        assert ops is not None and ops.launcher.sorties == []  # nothing launched
        hover = await svc.client.post(f"/api/incidents/{iid}/dispatch", json={"hold": "hover"},
                                      headers=commander)
        assert hover.status_code == 202, hover.text
        # a zone the scene itself lies in does not stop the orbit (the ranking warns of it)
        assert await ops.orbit_conflicts(26.4335, 111.6124) == []
        assert await ops.orbit_conflicts(26.4335, 111.6115) != []


def _assert_clear_of_prison(flight: list[tuple[float, float]]) -> None:
    lat, lon, radius = PRISON
    prison = ZoneSet([Zone.circle("prison", "Prison 3", ZoneKind.NO_FLY, lat, lon, radius)])
    assert len(flight) > 10
    flown = [(la, lo, 150.0) for la, lo in flight]
    assert prison.check_route(flown) == []  # not one leg of the flight crossed the zone
