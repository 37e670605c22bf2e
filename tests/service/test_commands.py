"""Vehicle commands: role × command matrix, organisation scope, safety refusals, ACK results,
and an audit record for every attempt."""

from __future__ import annotations

from pathlib import Path

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from tests.service.harness import USERS, Service, run_service, service_settings
from tests.service.vehicles import command_bodies, connect_vehicle

# user -> may they fly vehicle "va" (county A)?
MAY_FLY_VA = {
    "city_admin": True, "admin_a": True, "pilot_a": True, "pilot_a1": False,
    "commander_a": False, "automation_a": False, "viewer_a": False, "pilot_b": False,
    "admin_b": False,
}  # fmt: skip


@pytest.mark.parametrize("user", sorted(USERS))
async def test_role_and_org_matrix(tmp_path: Path, user: str) -> None:
    async with run_service(service_settings(tmp_path)) as svc:
        _peer, autopilot, _vehicle = await connect_vehicle(svc, "va")
        headers = svc.headers(user)
        vid = svc.world.vehicles["va"]
        for name, body in command_bodies().items():
            sent_before = len(autopilot.log)
            r = await svc.client.post(f"/api/vehicles/{vid}/commands/{name}", json=body,
                                      headers=headers)
            if MAY_FLY_VA[user]:
                assert r.status_code == 200, (name, r.text)
                assert r.json()["result"] == "ACCEPTED"
                assert len(autopilot.log) > sent_before, f"{name} never reached the vehicle"
            else:
                assert r.status_code == 403, (name, r.status_code, r.text)
                assert len(autopilot.log) == sent_before, f"{name} reached the vehicle"
        audit = await svc.client.get("/api/audit", params={"action_prefix": "vehicle.",
                                                           "limit": 1000},
                                     headers=svc.headers("city_admin"))
        rows = [r for r in audit.json() if r["actor"] == user]
        assert len(rows) == len(command_bodies())
        expected = "ACCEPTED" if MAY_FLY_VA[user] else "REFUSED_ACCESS"
        assert {r["result"] for r in rows} == {expected}


async def test_viewer_cannot_launch_and_other_county_cannot_fly(service: Service) -> None:
    _peer, autopilot, _ = await connect_vehicle(service, "vb")
    vb = service.world.vehicles["vb"]
    for user in ("viewer_a", "pilot_a", "admin_a"):
        r = await service.client.post(f"/api/vehicles/{vb}/commands/takeoff",
                                      json={"alt_m": 20}, headers=service.headers(user))
        assert r.status_code == 403
    assert autopilot.log == []
    r = await service.client.post(f"/api/vehicles/{vb}/commands/takeoff", json={"alt_m": 20},
                                  headers=service.headers("pilot_b"))
    assert r.status_code == 200, r.text


NO_FLY = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [111.62, 26.43]},
    "properties": {"name": "Prison 3", "kind": "no_fly", "radius_m": 300},
}


async def test_goto_into_a_no_fly_zone_is_refused_with_the_reason(service: Service) -> None:
    _peer, autopilot, _ = await connect_vehicle(service, "va")
    r = await service.client.post("/api/zones", json={"name": "Prison 3", "org_id":
                                  service.world.orgs["city"], "feature": NO_FLY},
                                  headers=service.headers("city_admin"))
    assert r.status_code == 201, r.text
    vid = service.world.vehicles["va"]
    for name, body in (("goto", {"lat_deg": 26.43, "lon_deg": 111.62, "alt_m": 50}),
                       ("orbit", {"lat_deg": 26.4312, "lon_deg": 111.62, "radius_m": 100})):
        r = await service.client.post(f"/api/vehicles/{vid}/commands/{name}", json=body,
                                      headers=service.headers("pilot_a"))
        assert r.status_code == 409, r.text
        problem = r.json()
        assert problem["code"] == "safety_refusal"
        assert any("Prison 3" in reason for reason in problem["reasons"])
    assert autopilot.log == []
    ok = await service.client.post(f"/api/vehicles/{vid}/commands/goto",
                                   json={"lat_deg": 26.41, "lon_deg": 111.59, "alt_m": 50},
                                   headers=service.headers("pilot_a"))
    assert ok.status_code == 200, ok.text
    audit = await service.client.get("/api/audit", params={"result": "REFUSED_SAFETY"},
                                     headers=service.headers("admin_a"))
    assert len(audit.json()) == 2


async def test_low_battery_refuses_takeoff_but_not_return(service: Service) -> None:
    _peer, autopilot, _ = await connect_vehicle(service, "va", battery_pct=12)
    vid = service.world.vehicles["va"]
    h = service.headers("pilot_a")
    r = await service.client.post(f"/api/vehicles/{vid}/commands/takeoff", json={"alt_m": 30},
                                  headers=h)
    assert r.status_code == 409
    assert "battery 12%" in r.json()["reasons"][0]
    assert autopilot.log == []
    assert (await service.client.post(f"/api/vehicles/{vid}/commands/rtl", headers=h)).status_code == 200


async def test_vehicle_rejection_and_timeout_are_reported_and_audited(service: Service) -> None:
    _peer, autopilot, _ = await connect_vehicle(service, "va")
    vid = service.world.vehicles["va"]
    h = service.headers("pilot_a")
    autopilot.results[mavlink.MAV_CMD_COMPONENT_ARM_DISARM] = lambda m: mavlink.MAV_RESULT_DENIED
    r = await service.client.post(f"/api/vehicles/{vid}/commands/arm", json={}, headers=h)
    assert r.status_code == 409
    assert r.json()["code"] == "command_rejected"
    autopilot.results[mavlink.MAV_CMD_COMPONENT_ARM_DISARM] = lambda m: None  # silence
    r = await service.client.post(f"/api/vehicles/{vid}/commands/arm", json={}, headers=h)
    assert r.status_code == 504
    assert r.json()["code"] == "command_timeout"
    audit = await service.client.get("/api/audit", params={"action": "vehicle.arm"},
                                     headers=service.headers("admin_a"))
    assert [row["result"] for row in audit.json()] == ["TIMEOUT", "REJECTED:2"]


async def test_offline_and_unknown_vehicles(service: Service) -> None:
    vid = service.world.vehicles["va"]
    r = await service.client.post(f"/api/vehicles/{vid}/commands/land",
                                  headers=service.headers("pilot_a"))
    assert r.status_code == 409
    assert r.json()["reasons"] == ["vehicle offline: no live link"]
    r = await service.client.post("/api/vehicles/999/commands/land",
                                  headers=service.headers("pilot_a"))
    assert r.status_code == 404


async def test_every_mavlink_command_is_audited_from_the_event_bus(service: Service) -> None:
    _peer, _autopilot, _ = await connect_vehicle(service, "va")
    vid = service.world.vehicles["va"]
    r = await service.client.post(f"/api/vehicles/{vid}/commands/takeoff", json={"alt_m": 25},
                                  headers=service.headers("pilot_a"))
    assert r.status_code == 200
    await service.station.auditor.wait_written(2, timeout_s=5)
    audit = await service.client.get("/api/audit", params={"action": "mavlink.command"},
                                     headers=service.headers("admin_a"))
    rows = audit.json()
    assert rows and all(row["result"] == "ACCEPTED" for row in rows)
    assert {row["target_id"] for row in rows} == {"11"}
    assert any(row["detail"] == "COMPONENT_ARM_DISARM" for row in rows)
