"""End to end on loopback: in the demo, a dock drone sent to an incident streams its simulated
camera; the demo's unknown drone (no Remote ID, not in the fleet) loiters in its view; the real
vision pipeline on the stream raises a black-flying detection, stored on that incident."""

from __future__ import annotations

import pytest

from tests.e2e.demo_process import Demo, poll

pytestmark = pytest.mark.e2e

SCENE = {"kind": "disturbance", "priority": 2, "lat_deg": 26.430, "lon_deg": 111.606}


def test_a_dispatched_drone_sees_the_unknown_drone_and_the_alert_lands_on_the_incident(
        demo: Demo) -> None:
    commander = demo.client("commander")
    incident = commander.post("/api/incidents", json=SCENE).json()
    path = f"/api/incidents/{incident['id']}"
    assert commander.get("/api/detections", params={"incident_id": incident["id"]}).json() == []
    sent = commander.post(f"{path}/dispatch", json={"hold": "hover"})
    assert sent.status_code == 202, sent.text
    drone = sent.json()["candidate"]["drone_id"]

    arrived = poll(lambda: commander.get(path).json(),
                    lambda i: {"on_scene", "dispatch_failed"} & {e["kind"] for e in i["events"]},
                    60)
    assert "on_scene" in {e["kind"] for e in arrived["events"]}, arrived["events"]

    detections = poll(
        lambda: commander.get("/api/detections", params={"incident_id": incident["id"]}).json(),
        bool, 45)
    assert detections, demo.output[-20:]
    seen = detections[-1]
    assert seen["label"] == "drone" and not seen["authorised"]
    vehicles = {v["system_id"]: v["name"] for v in commander.get("/api/vehicles").json()}
    assert vehicles.get(seen["seen_by_system_id"]) == drone

    timeline = commander.get(path).json()
    assert "detection" in {e["kind"] for e in timeline["events"]}
    watches = commander.get("/api/blackfly/watches").json()
    assert any(w["stream_id"] == drone and w["alerts"] >= 1 for w in watches), watches
    assert not any(i["kind"] == "black_flying_drone" for i in commander.get(
        "/api/incidents").json()), "the alert opened a new incident instead of joining this one"

