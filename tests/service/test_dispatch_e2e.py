"""End to end on loopback, on SQLite and on PostgreSQL: a commander creates an incident, dispatch
ranks the drones, overhead video is requested with one click, a simulated dock drone launches,
arrives and hovers over the scene with its camera's stream attached to the incident, and the
timeline and the audit log hold every step."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pyproj import Geod
from sqlalchemy import select

from groundstation.auth import create_org, create_user
from groundstation.db import Organisation, OrgKind, Role
from groundstation.operations import operations_of
from groundstation.simcam import GroundMap, SimCamera, TruthPoseSource
from tests.console.harness import CAMERA
from tests.infra import free_port
from tests.service.docked import run_docked_service
from tests.service.harness import Service, postgres_schema

SCENE = {"kind": "robbery", "priority": 1, "lat_deg": 26.4335, "lon_deg": 111.6115,
         "address": "Lingling Road 8", "reporter_name": "Zhou"}
_GEOD = Geod(ellps="WGS84")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def docked(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Service]:
    """Two simulated docks with their drones and the video hub, on either database."""
    if request.param == "sqlite":
        async with run_docked_service(tmp_path, video=True) as svc:
            yield svc
    else:
        with postgres_schema() as url:
            async with run_docked_service(tmp_path, database_url=url, video=True) as svc:
                yield svc


async def _incident_with(svc: Service, incident_id: int, kind: str, timeout_s: float) -> dict[str, Any]:
    headers = svc.headers("commander")
    async with asyncio.timeout(timeout_s):
        while True:
            incident = (await svc.client.get(f"/api/incidents/{incident_id}", headers=headers)).json()
            kinds = {e["kind"] for e in incident["events"]}
            if kind in kinds or "dispatch_failed" in kinds:
                return incident  # type: ignore[no-any-return]
            await asyncio.sleep(0.2)


def _outside_viewer(svc: Service) -> dict[str, str]:
    """Headers of a viewer in a county bureau beside the demo's, under the same city."""
    with svc.station.db.session() as s:
        city = s.scalar(select(Organisation).where(Organisation.parent_id.is_(None)))
        assert city is not None
        county = create_org(s, "Qiyang county bureau", OrgKind.COUNTY_BUREAU, city.id)
        user = create_user(s, svc.station.passwords, username="viewer_qiyang", role=Role.VIEWER,
                           org_id=county.id)
        s.flush()
        user_id = user.id
    return {"Authorization": f"Bearer {svc.station.tokens.issue(user_id, 0)}"}


def _camera(svc: Service, drone_id: str, dock_id: str) -> SimCamera:
    """The dock drone's simulated camera streaming H.264 to the station's video hub."""
    ops = operations_of(svc.station)
    assert ops is not None
    sim = ops.dock(dock_id).drone.sim  # type: ignore[union-attr]
    uri = f"udp://127.0.0.1:{free_port(socket.SOCK_DGRAM)}"
    camera = SimCamera(TruthPoseSource(sim.truth), uri, CAMERA,
                       ground=GroundMap.from_settings(CAMERA), name=drone_id)
    svc.station.services["video"].add_stream(drone_id, uri)
    camera.start()
    return camera


async def test_incident_to_drone_hovering_overhead_with_video_timeline_and_audit(docked: Service) -> None:
    svc = docked
    commander = svc.headers("commander")
    created = await svc.client.post("/api/incidents", json=SCENE, headers=commander)
    assert created.status_code == 201, created.text
    iid = created.json()["id"]

    ranking = (await svc.client.get(f"/api/incidents/{iid}/dispatch", headers=commander)).json()
    eligible = [c for c in ranking["candidates"] if c["eligible"]]
    assert len(eligible) == 2 and [c["eta_s"] for c in eligible] == sorted(c["eta_s"] for c in eligible)
    best = eligible[0]
    assert ranking["best"] == best["candidate_id"] == "YZ-D01" and best["kind"] == "dock"
    assert best["battery_needed_pct"] < best["battery_pct"]
    assert set(ranking["rings"]["60"]) <= set(ranking["rings"]["180"]) <= set(ranking["rings"]["300"])
    assert best["candidate_id"] in ranking["rings"]["180"]
    assert ranking["ground_unit"] is not None

    # coverage of a district around both docks, as numbers and GeoJSON, any role
    district = [[26.40, 111.57], [26.40, 111.63], [26.45, 111.63], [26.45, 111.57]]
    cov = await svc.client.post("/api/coverage", json={"outline": district, "cell_m": 250},
                                headers=svc.headers("viewer"))
    assert cov.status_code == 200, cov.text
    shares = cov.json()
    assert set(shares["per_dock"]) == {"YZ-D01", "YZ-D02"}
    for ring in ("60", "180", "300"):
        assert shares["union"][ring] >= max(d[ring] for d in shares["per_dock"].values())
    assert 0 < shares["union"]["300"] <= 1 and len(shares["geojson"]["features"]) == 9
    bad = await svc.client.post("/api/coverage", json={"outline": district[:2]},
                                headers=commander)
    assert bad.status_code == 422
    # a viewer of a neighbouring county bureau neither counts nor sees these docks
    outsider = _outside_viewer(svc)
    other = await svc.client.post("/api/coverage", json={"outline": district, "cell_m": 250},
                                  headers=outsider)
    assert other.status_code == 200, other.text
    assert other.json()["per_dock"] == {} and other.json()["union"]["300"] == 0
    assert "YZ-D0" not in other.text

    camera = _camera(svc, best["drone_id"], best["dock_id"])
    try:
        sent = await svc.client.post(f"/api/incidents/{iid}/dispatch", json={"hold": "hover"},
                                     headers=commander)
        assert sent.status_code == 202, sent.text
        assert sent.json()["candidate"]["candidate_id"] == best["candidate_id"]
        incident = await _incident_with(svc, iid, "on_scene", 180)
    finally:
        await asyncio.to_thread(camera.stop)

    kinds = [e["kind"] for e in incident["events"]]
    assert "on_scene" in kinds, incident["events"]
    assert kinds[0] == "created" and kinds.index("dispatch") < kinds.index("on_scene")
    assert incident["status"] == "on_scene"
    on_scene = next(e for e in incident["events"] if e["kind"] == "on_scene")
    assert on_scene["data"]["video"] == best["drone_id"]
    assert svc.station.services["video"].incident_streams(str(iid)) == [best["drone_id"]]

    # the drone is in the air over the scene and stays there
    ops = operations_of(svc.station)
    assert ops is not None
    vehicle = ops.vehicle_named(best["drone_id"])
    assert vehicle is not None
    radius = ops.launcher.settings.launch.on_scene_radius_m

    def overhead(state: Any) -> bool:
        p = state.position
        _, _, d = _GEOD.inv(p.lon_deg, p.lat_deg, SCENE["lon_deg"], SCENE["lat_deg"])
        return bool(d <= radius and p.alt_rel_m > 20)

    for _ in range(5):
        await vehicle.wait_until(lambda s: True, 5)  # the next telemetry update
        assert vehicle.flying and overhead(vehicle.state)
        await asyncio.sleep(0.2)

    audit = (await svc.client.get("/api/audit", params={"limit": 1000},
                                  headers=svc.headers("admin"))).json()
    actions = {r["action"] for r in audit}
    assert {"incident.create", "dispatch.send", "dispatch.arrive"} <= actions, actions
    assert {"dock.cover_open", "dock.drone_open"} <= actions, actions
    assert any(a.startswith("drone.") for a in actions), actions
    sent_by = [r for r in audit if r["action"] == "dispatch.send"]
    assert [r["actor"] for r in sent_by] == ["commander"]
    assert sent_by[0]["target_id"] == str(iid)
    commands = {r["detail"] for r in audit if r["action"] == "mavlink.command"}
    assert "COMPONENT_ARM_DISARM" in commands, commands

    # a hand-off after closing is refused (found by fuzzing: it was a 500) and stores nothing
    closed = await svc.client.post(f"/api/incidents/{iid}/close", json={"summary": "suspect held"},
                                   headers=commander)
    assert closed.status_code == 200, closed.text
    late = await svc.client.post(f"/api/incidents/{iid}/handoff", json={}, headers=commander)
    assert late.status_code == 409 and "closed" in late.text
    units = (await svc.client.get("/api/ground-units", headers=svc.headers("admin"))).json()
    assert units and all(u["available"] for u in units)
