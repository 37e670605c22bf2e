"""The black-flying alert inside the real service: a watched stream's confirmed unauthorised
drone becomes a stored detection with evidence on a new or an existing incident, the nearest
ground unit is proposed, the change is audited and consoles get the alert; permitted Remote ID
flights raise nothing; evidence survives a restart; the routes are role-checked."""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import websockets
from pymavlink.dialects.v20 import ardupilotmega as mavlink
from pyproj import Geod
from sqlalchemy import select

from groundstation.blackfly import (
    BlackFlyingAlert,
    BlackflySettings,
    CameraMount,
    Evidence,
    Fallback,
    WatchSpec,
    record_alert,
)
from groundstation.blackfly._surroundings import camera_pose
from groundstation.blackfly.station import (
    SERVICE_KEY,
    blackfly_extension,
    blackfly_router,
    drone_pipeline,
)
from groundstation.config import VideoSettings
from groundstation.db import (
    Attachment,
    AuditRecord,
    Detection,
    FlightPermit,
    GroundUnit,
    Incident,
    IncidentEvent,
)
from groundstation.incidents import attachment_dir
from groundstation.mavlink import TrafficKind, TrafficSeen
from groundstation.video import FrameHub, VideoFrame
from groundstation.video.station import video_extension
from tests.infra import free_port, require, require_footage
from tests.service.harness import Service, run_service, service_settings
from tests.service.vehicles import HOME, connect_vehicle, send_state
from tests.vision.doubles import ScriptedPipeline
from vision import Frame, open_video
from vision.alerts import AlertStage, Surroundings
from vision._types import Box

GEOD = Geod(ellps="WGS84")
CAM_LAT, CAM_LON, CAM_ALT = 26.4200, 111.6100, 150.0
W, H = 320, 256
BOX = Box(155, 123, 10, 10)  # centred: straight ahead (east), level
MOUNT = CameraMount(hfov_deg=60.0, lat_deg=CAM_LAT, lon_deg=CAM_LON, alt_amsl_m=CAM_ALT,
                    yaw_deg=90.0)


def scripted(script: dict[int, list[tuple[int, Box]]]):  # type: ignore[no-untyped-def]
    return lambda spec: ScriptedPipeline(script)


def east_of_camera(metres: float) -> tuple[float, float]:
    lon, lat, _ = GEOD.fwd(CAM_LON, CAM_LAT, 90.0, metres)
    return lat, lon


class Camera:
    """A stream's frame hub fed one frame at a time, each waited for by the watcher."""

    def __init__(self, stream_id: str = "cam1") -> None:
        self.hub = FrameHub(stream_id)
        self.seq = 0

    async def play(self, svc: Service, frames: int,
                   images: list[np.ndarray] | None = None) -> None:
        """Publish ``frames`` frames (``images``, or a plain striped picture), each processed."""
        watcher = next(w for w in svc.station.services[SERVICE_KEY]._watchers.values()
                       if w.spec.stream_id == self.hub.stream_id)
        for i in range(frames):
            self.seq += 1
            if images is not None:
                image = images[i]
            else:
                image = np.full((H, W, 3), 120, np.uint8)
                image[::16, :] = 60
            image.flags.writeable = False
            now = datetime.now(UTC)
            self.hub.publish(VideoFrame(self.hub.stream_id, self.seq, image, None, now,
                                        self.seq / 10.0, self.seq == 1))
            async with asyncio.timeout(10):
                while watcher.frames < self.seq:
                    await asyncio.sleep(0.002)


def watch(svc: Service, camera: Camera, org: str = "county_a") -> None:
    spec = WatchSpec(stream_id=camera.hub.stream_id, org_id=svc.world.orgs[org], mount=MOUNT)
    svc.station.services[SERVICE_KEY].watch(spec, camera.hub)


async def next_alert(sub: Any) -> BlackFlyingAlert:
    async with asyncio.timeout(20):
        while True:
            event = await sub.get()
            if isinstance(event, BlackFlyingAlert):
                return event


def add_ground_units(svc: Service) -> None:
    with svc.station.db.session() as s:
        org = svc.world.orgs["county_a"]
        for name, metres, available in (("car-near-busy", 100, False), ("car-2", 900, True),
                                        ("car-far", 5000, True)):
            lat, lon = east_of_camera(metres)
            s.add(GroundUnit(name=name, kind="patrol_car", org_id=org, lat_deg=lat, lon_deg=lon,
                             available=available))


@pytest.fixture
async def blackfly(tmp_path: Path) -> AsyncIterator[Service]:
    ext = blackfly_extension(scripted({5: [(7, BOX)], 12: [(8, Box(157, 124, 10, 10))]}),
                             BlackflySettings(attach_radius_m=1000.0))
    async with run_service(service_settings(tmp_path), extensions=[ext],
                           routers=[blackfly_router()], real_server=True) as svc:
        yield svc


def _ws_url(svc: Service, user: str) -> str:
    token = svc.headers(user)["Authorization"].split()[1]
    return svc.base_url.replace("http", "ws") + f"/api/ws?token={token}&interval_s=30"


async def _ws_next(ws: Any, kind: str) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == "alert" and message["kind"] == kind:
                return message


async def test_alert_opens_a_black_flying_incident_with_evidence(blackfly: Service) -> None:
    svc = blackfly
    add_ground_units(svc)
    r = await svc.client.post("/api/zones", headers=svc.headers("city_admin"), json={
        "name": "Detention centre", "org_id": svc.world.orgs["city"], "feature": {
            "type": "Feature", "geometry": {"type": "Point", "coordinates": [CAM_LON, CAM_LAT]},
            "properties": {"kind": "no_fly", "name": "Detention centre", "radius_m": 200}}})
    assert r.status_code == 201, r.text
    camera = Camera()
    watch(svc, camera)
    async with websockets.connect(_ws_url(svc, "commander_a")) as ws_a, \
            websockets.connect(_ws_url(svc, "pilot_b")) as ws_b:
        with svc.station.bus.subscribe(BlackFlyingAlert) as sub:
            await camera.play(svc, 20)  # track 7 confirmed on frame 5, re-acquired as 8 on 12
            alert = await next_alert(sub)
        pushed = await _ws_next(ws_a, "black_flying")
        assert pushed["incident_id"] == alert.incident_id and pushed["lat_deg"] is not None
        with pytest.raises(TimeoutError):  # county B's console hears nothing
            async with asyncio.timeout(0.3):
                await _ws_next(ws_b, "black_flying")
    assert alert.new_incident
    with svc.station.db.session() as s:
        incident = s.get(Incident, alert.incident_id)
        assert (incident.kind, incident.source, incident.org_id, incident.priority) == (
            "black_flying_drone", "detection", svc.world.orgs["county_a"], 1)  # in a no-fly zone
        _, _, from_camera = GEOD.inv(CAM_LON, CAM_LAT, incident.lon_deg, incident.lat_deg)
        assert 5 < from_camera < 60  # a 0.35 m drone 10 px wide in a 60 deg, 320 px view
        detections = s.scalars(select(Detection)).all()
        assert len(detections) == 1  # the re-acquired track 8 did not alarm again
        d = detections[0]
        assert (d.incident_id, d.authorised, d.track_id) == (incident.id, False, "cam1:7")
        assert "no own drone" in d.data["authorisation"]["reason"]
        assert [(z["name"], z["kind"], z["certain"]) for z in d.data["zones"]] == [
            ("Detention centre", "inside_no_fly", True)]
        assert "inside 'Detention centre'" in incident.description
        files = s.scalars(select(Attachment).where(Attachment.incident_id == incident.id)).all()
        assert sorted(a.kind for a in files) == ["clip", "snapshot"]
        assert sorted(d.data["attachment_ids"]) == sorted(a.id for a in files)
        root = attachment_dir(svc.station.settings.data_dir)
        for a in files:
            assert hashlib.sha256((root / a.stored_path).read_bytes()).hexdigest() == a.sha256
        events = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident.id)
                           .order_by(IncidentEvent.id)).all()
        kinds = [e.kind for e in events]
        assert kinds[0] == "created" and "detection" in kinds
        proposal = next(e for e in events if e.kind == "ground_unit_proposed")
        assert proposal.data["unit"] == "car-2"  # the nearest *available* one
        actions = set(s.scalars(select(AuditRecord.action).where(AuditRecord.actor == "blackfly")))
        assert {"incident.create", "incident.attach", "detection.alert"} <= actions
    watchers = {w.stream_id: w for w in svc.station.services[SERVICE_KEY].stats()}
    assert (watchers["cam1"].alerts, watchers["cam1"].suppressed) == (1, 1)
    # viewers of the organisation read the detection; another county's cannot
    r = await svc.client.get("/api/detections", headers=svc.headers("viewer_a"))
    assert r.status_code == 200 and [x["id"] for x in r.json()] == [d.id]
    r = await svc.client.get(f"/api/detections/{d.id}", headers=svc.headers("pilot_b"))
    assert r.status_code == 403
    r = await svc.client.get("/api/detections", headers=svc.headers("pilot_b"))
    assert r.json() == []
    r = await svc.client.get("/api/detections", headers=svc.headers("automation_a"))
    assert r.status_code == 403  # service accounts have no business reading evidence
    assert (await svc.client.get("/api/detections")).status_code == 401
    r = await svc.client.get(f"/api/detections?incident_id={incident.id}",
                             headers=svc.headers("commander_a"))
    assert [x["id"] for x in r.json()] == [d.id]
    r = await svc.client.get("/api/blackfly/watches", headers=svc.headers("viewer_a"))
    assert [(w["stream_id"], w["alerts"], w["suppressed"]) for w in r.json()] == [("cam1", 1, 1)]
    r = await svc.client.get("/api/blackfly/watches", headers=svc.headers("pilot_b"))
    assert r.json() == []
    r = await svc.client.get(
        f"/api/incidents/{incident.id}/attachments/{d.data['attachment_ids'][0]}/file",
        headers=svc.headers("viewer_a"))
    assert r.status_code == 200 and r.content[:2] == b"\xff\xd8"


def _service(tmp_path: Path, script: dict[int, list[tuple[int, Box]]]) -> Any:
    return run_service(service_settings(tmp_path),
                       extensions=[blackfly_extension(scripted(script))],
                       routers=[blackfly_router()])


async def test_alert_joins_the_open_incident_it_falls_near(tmp_path: Path) -> None:
    async with _service(tmp_path, {3: [(1, BOX)]}) as svc:
        lat, lon = east_of_camera(300)
        r = await svc.client.post("/api/incidents", headers=svc.headers("commander_a"), json={
            "kind": "drone over prison", "priority": 1, "lat_deg": lat, "lon_deg": lon})
        existing = r.json()["id"]
        camera = Camera()
        watch(svc, camera)
        with svc.station.bus.subscribe(BlackFlyingAlert) as sub:
            await camera.play(svc, 6)
            alert = await next_alert(sub)
        assert (alert.incident_id, alert.new_incident) == (existing, False)
        with svc.station.db.session() as s:
            assert len(s.scalars(select(Incident)).all()) == 1
            kinds = [e.kind for e in s.scalars(select(IncidentEvent).where(
                IncidentEvent.incident_id == existing))]
            assert "detection" in kinds and "ground_unit_proposed" in kinds


async def test_permitted_remote_id_flight_raises_nothing_and_evidence_survives_restart(
        tmp_path: Path) -> None:
    lat, lon = east_of_camera(30)
    async with _service(tmp_path, {3: [(1, BOX)]}) as svc:
        now = datetime.now(UTC)
        r = await svc.client.post("/api/permits", headers=svc.headers("commander_a"), json={
            "name": "survey flight", "org_id": svc.world.orgs["county_a"],
            "ident": "UAS-SURVEY-01", "lat_deg": lat, "lon_deg": lon, "radius_m": 500,
            "valid_from": (now - timedelta(hours=1)).isoformat(),
            "valid_to": (now + timedelta(hours=1)).isoformat()})
        assert r.status_code == 201, r.text
        r = await svc.client.post("/api/permits", headers=svc.headers("viewer_a"), json={})
        assert r.status_code == 403
        # the permitted flight reports itself where cam1's drone is: 0.35 m at 10 px in a
        # 277 px focal length is 9.7 m ahead (east), level
        where = east_of_camera(9.7)
        svc.station.publish(TrafficSeen(
            system_id=11, kind=TrafficKind.REMOTE_ID, ident="UAS-SURVEY-01",
            lat_deg=where[0], lon_deg=where[1], alt_amsl_m=CAM_ALT, accuracy_m=3.0))
        async with asyncio.timeout(5):  # the traffic follower takes it from the bus
            while not svc.station.services[SERVICE_KEY].traffic.current(datetime.now(UTC)):
                await asyncio.sleep(0.002)
        cam1, cam2 = Camera("cam1"), Camera("cam2")
        watch(svc, cam1)
        service = svc.station.services[SERVICE_KEY]
        north_lon, north_lat, _ = GEOD.fwd(CAM_LON, CAM_LAT, 0.0, 300.0)
        service.watch(WatchSpec(stream_id="cam2", org_id=svc.world.orgs["county_a"],
                                mount=CameraMount(lat_deg=north_lat, lon_deg=north_lon,
                                                  alt_amsl_m=CAM_ALT, yaw_deg=90.0)), cam2.hub)
        with svc.station.bus.subscribe(BlackFlyingAlert) as sub:
            await cam1.play(svc, 6)
            await cam2.play(svc, 6)  # the same picture 300 m further north: no flight there
            alert = await next_alert(sub)
        stats = {w.stream_id: w for w in service.stats()}
        assert (stats["cam1"].authorised, stats["cam1"].alerts) == (1, 0)
        assert (stats["cam2"].authorised, stats["cam2"].alerts) == (0, 1)
        with svc.station.db.session() as s:
            d = s.scalars(select(Detection)).one()
            assert d.track_id == "cam2:1"
            paths = [a.stored_path for a in s.scalars(select(Attachment))]
    # the station stops and starts again on the same data folder: nothing is lost
    async with run_service(service_settings(tmp_path), world=False) as again:
        with again.station.db.session() as s:
            assert s.get(Detection, d.id).incident_id == alert.incident_id
            assert s.scalars(select(FlightPermit)).one().ident == "UAS-SURVEY-01"
        root = attachment_dir(again.station.settings.data_dir)
        assert paths and all((root / p).is_file() for p in paths)


async def test_watch_routes_are_role_checked_audited_and_refuse_bad_input(tmp_path: Path) -> None:
    async with _service(tmp_path, {}) as svc:
        body = {"org_id": svc.world.orgs["county_a"], "mount": {"hfov_deg": 60}}
        r = await svc.client.put("/api/blackfly/watches/drone-va", headers=svc.headers("viewer_a"),
                                 json=body)
        assert r.status_code == 403
        r = await svc.client.put("/api/blackfly/watches/drone-va",
                                 headers=svc.headers("commander_a"),
                                 json={**body, "org_id": svc.world.orgs["county_b"]})
        assert r.status_code == 403
        r = await svc.client.put("/api/blackfly/watches/drone-va",
                                 headers=svc.headers("commander_a"),
                                 json={**body, "mount": {"hfov_deg": 500}})
        assert r.status_code == 422
        r = await svc.client.put("/api/blackfly/watches/drone-va",
                                 headers=svc.headers("commander_a"),
                                 json={**body, "mount": {"lat_deg": 26.4}})
        assert r.status_code == 422 and "together" in r.text
        r = await svc.client.put("/api/blackfly/watches/drone-va",  # video not enabled here
                                 headers=svc.headers("commander_a"), json=body)
        assert r.status_code == 503
        r = await svc.client.delete("/api/blackfly/watches/drone-va",
                                    headers=svc.headers("commander_a"))
        assert r.status_code == 404
        r = await svc.client.get("/api/blackfly/watches", headers=svc.headers("viewer_a"))
        assert r.json() == []


async def test_fleet_streams_are_watched_and_routes_start_and_stop_watches(
        tmp_path: Path) -> None:
    quick = VideoSettings(open_timeout_s=0.5, read_timeout_s=0.5, stop_timeout_s=2.0,
                          reconnect_initial_s=0.05, reconnect_max_s=0.2)
    settings = service_settings(tmp_path).model_copy(update={"video": quick})
    never = BlackflySettings(stream_scan_s=3600.0)  # the test scans, not the background task
    async with run_service(settings,
                           extensions=[video_extension, blackfly_extension(scripted({}), never)],
                           routers=[blackfly_router()]) as svc:
        video, service = svc.station.services["video"], svc.station.services[SERVICE_KEY]

        def add_stream(stream_id: str) -> Any:  # nothing sends: the stream waits for frames
            port = free_port(socket.SOCK_DGRAM)
            return asyncio.to_thread(video.add_stream, stream_id, f"udp://127.0.0.1:{port}")

        await add_stream("va")
        await add_stream("mast-7")  # no vehicle of that name: needs a person to set it up
        assert await asyncio.to_thread(service.scan_streams) == ["va"]
        spec = service._watchers["va"].spec  # vehicle va: county A, system id 11
        assert (spec.org_id, spec.camera_system_id) == (svc.world.orgs["county_a"], 11)
        await add_stream("va")  # the ingest was replaced: the watch follows the new one
        assert await asyncio.to_thread(service.scan_streams) == ["va"]
        body = {"org_id": svc.world.orgs["county_a"],
                "mount": {"hfov_deg": 70, "gimbal_pitch_deg": -10}}
        r = await svc.client.put("/api/blackfly/watches/va",
                                 headers=svc.headers("commander_a"), json=body)
        assert r.status_code == 200, r.text
        assert (r.json()["stream_id"], r.json()["running"]) == ("va", True)
        # the stream is named after vehicle va (system id 11): its telemetry is the pose
        assert service._watchers["va"].spec.camera_system_id == 11
        assert service._watchers["va"].spec.mount.gimbal_pitch_deg == -10
        r = await svc.client.put("/api/blackfly/watches/nosuch",
                                 headers=svc.headers("commander_a"), json=body)
        assert r.status_code == 404
        r = await svc.client.delete("/api/blackfly/watches/va",
                                    headers=svc.headers("admin_b"))
        assert r.status_code == 403
        r = await svc.client.delete("/api/blackfly/watches/va",
                                    headers=svc.headers("commander_a"))
        assert r.status_code == 204
        assert service.stats() == []
        assert await asyncio.to_thread(service.scan_streams) == []  # a person turned it off
        with svc.station.db.session() as s:
            audit = [(a.action, a.actor, a.target_id) for a in s.scalars(
                select(AuditRecord).where(AuditRecord.action.like("blackfly.%"))
                .order_by(AuditRecord.id))]
        assert audit == [("blackfly.watch", "commander_a", "va"),
                         ("blackfly.unwatch", "commander_a", "va")]


@pytest.mark.parametrize(("clip_name", "size"), [("visible/V_DRONE_001.mp4", (512, 640)),
                                                  ("thermal/IR_DRONE_001.mp4", (256, 320))])
async def test_real_pipeline_on_real_drone_footage_puts_the_drone_on_an_incident(
        tmp_path: Path, clip_name: str, size: tuple[int, int]) -> None:
    clip = require_footage() / clip_name
    require(clip.is_file(), f"{clip} missing")
    async with run_service(service_settings(tmp_path),
                           extensions=[blackfly_extension(drone_pipeline)]) as svc:
        camera = Camera("patrol-cam")
        watch(svc, camera)
        frames = [f.image for _, f in zip(range(45), open_video(str(clip)), strict=False)]
        with svc.station.bus.subscribe(BlackFlyingAlert) as sub:
            await camera.play(svc, len(frames), images=frames)
            alert = await next_alert(sub)
        assert alert.new_incident and alert.lat_deg is not None
        with svc.station.db.session() as s:
            incident = s.get(Incident, alert.incident_id)
            assert incident.kind == "black_flying_drone"
            d = s.scalars(select(Detection)).one()
            assert d.incident_id == incident.id and d.confidence > 0.5
            box = d.data["box"]
            assert 0 <= box["x"] < size[1] and 0 <= box["y"] < size[0]
            snap = s.scalars(select(Attachment).where(Attachment.kind == "snapshot")).one()
            path = attachment_dir(svc.station.settings.data_dir) / snap.stored_path
            image = cv2.imdecode(np.frombuffer(path.read_bytes(), np.uint8), cv2.IMREAD_COLOR)
            assert image.shape == (*size, 3)


async def test_drone_camera_pose_from_telemetry_and_own_drone_authorised(tmp_path: Path) -> None:
    async with _service(tmp_path, {3: [(1, BOX)], 8: [(2, BOX)]}) as svc:
        cam_peer, _, _ = await connect_vehicle(svc, "va")  # at HOME, 110 m AMSL
        cam_peer.send(mavlink.MAVLink_attitude_message(1000, 0.0, 0.0, math.pi / 2, 0, 0, 0))
        # 0.35 m at 10 px with a 277 px focal length: 9.7 m ahead; facing east, level
        lon, lat, _ = GEOD.fwd(HOME[1], HOME[0], 90.0, 9.7)
        other_peer, _, other = await connect_vehicle(svc, "vb", position=(lat, lon))
        camera_vehicle = svc.station.fleet.vehicles[11]
        await camera_vehicle.wait_until(lambda s: abs(s.attitude.yaw_deg - 90.0) < 1e-3, 5)
        camera = Camera("va")
        svc.station.services[SERVICE_KEY].watch(
            WatchSpec(stream_id="va", org_id=svc.world.orgs["county_a"], camera_system_id=11,
                      mount=CameraMount(hfov_deg=60.0)), camera.hub)
        await camera.play(svc, 5)  # track 1 is our own drone vb
        send_state(other_peer, lat=26.5, lon=111.7, alt_amsl_m=HOME[2])  # vb flies away
        await other.wait_until(lambda s: abs(s.position.lat_deg - 26.5) < 1e-6, 5)
        with svc.station.bus.subscribe(BlackFlyingAlert) as sub:
            await camera.play(svc, 5)  # track 2, same place, nobody there now
            alert = await next_alert(sub)
        stats = svc.station.services[SERVICE_KEY].stats()[0]
        assert (stats.authorised, stats.alerts) == (1, 1)
        with svc.station.db.session() as s:
            d = s.get(Detection, alert.detection_id)
            assert d.track_id == "va:2" and d.seen_by_system_id == 11
            assert d.data["estimate"]["azimuth_deg"] == pytest.approx(90.0, abs=0.01)
            assert d.data["estimate"]["alt_amsl_m"] == pytest.approx(HOME[2], abs=0.1)
            _, _, off_m = GEOD.inv(lon, lat, d.lon_deg, d.lat_deg)
            assert off_m < 0.1


async def test_drone_without_position_goes_to_the_streams_incident_or_the_camera(
        service: Service) -> None:
    svc = service
    stage = AlertStage()
    image = np.zeros((H, W, 3), np.uint8)
    update = ScriptedPipeline({0: [(4, BOX)]}).process(Frame(0, 0.0, image))
    alert = stage.observe(image, update, lambda: Surroundings(at=datetime.now(UTC)))[0]
    assert alert.estimate is None
    spec = WatchSpec(stream_id="va", org_id=svc.world.orgs["county_a"], camera_system_id=11)
    evidence = Evidence(alert.snapshot_jpeg(), None, "no encoder")
    data_dir = svc.station.settings.data_dir

    def record(fallback: Fallback) -> Any:
        return svc.station.db.run_sync(lambda s: record_alert(
            s, spec, alert, evidence, data_dir=data_dir, settings=BlackflySettings(),
            fallback=fallback))

    with pytest.raises(ValueError, match="no open incident"):
        record(Fallback())
    with svc.station.db.session() as s:  # nothing half-stored
        assert s.scalars(select(Incident)).all() == [] and s.scalars(select(Detection)).all() == []
    assert not any(attachment_dir(data_dir).rglob("*.jpg"))
    r = await svc.client.post("/api/incidents", headers=svc.headers("commander_a"), json={
        "kind": "traffic accident", "priority": 3, "lat_deg": 26.3, "lon_deg": 111.5})
    on_stream = record(Fallback(stream_incident_id=r.json()["id"]))
    assert (on_stream.incident_id, on_stream.new_incident) == (r.json()["id"], False)
    at_camera = record(Fallback(camera_at=(CAM_LAT, CAM_LON)))
    assert at_camera.new_incident
    with svc.station.db.session() as s:
        incident = s.get(Incident, at_camera.incident_id)
        assert (incident.lat_deg, incident.lon_deg) == (CAM_LAT, CAM_LON)
        d = s.get(Detection, at_camera.detection_id)
        assert d.lat_deg is None and d.data["clip_problem"] == "no encoder"
        assert len(d.data["attachment_ids"]) == 1  # the snapshot; the clip could not be made


async def test_located_drone_joins_the_streams_incident_when_near_whatever_its_organisation(
        service: Service) -> None:
    svc = service
    image = np.zeros((H, W, 3), np.uint8)
    update = ScriptedPipeline({0: [(4, BOX)]}).process(Frame(0, 0.0, image))
    pose = camera_pose(MOUNT, None, W, H)
    alert = AlertStage().observe(
        image, update, lambda: Surroundings(at=datetime.now(UTC), pose=pose))[0]
    assert alert.estimate is not None  # a few tens of metres east of the camera
    spec = WatchSpec(stream_id="va", org_id=svc.world.orgs["county_a"], camera_system_id=11)
    evidence = Evidence(alert.snapshot_jpeg(), None, "no encoder")

    def record(stream_incident_id: int) -> Any:
        return svc.station.db.run_sync(lambda s: record_alert(
            s, spec, alert, evidence, data_dir=svc.station.settings.data_dir,
            settings=BlackflySettings(attach_radius_m=1000.0),
            fallback=Fallback(stream_incident_id=stream_incident_id)))

    ids = {}
    for name, metres in (("near", 200), ("far", 3000)):  # the city's: above the stream's county
        lat, lon = east_of_camera(metres)
        r = await svc.client.post("/api/incidents", headers=svc.headers("city_admin"), json={
            "kind": "disturbance", "priority": 2, "lat_deg": lat, "lon_deg": lon})
        assert r.status_code == 201 and r.json()["org_id"] == svc.world.orgs["city"], r.text
        ids[name] = r.json()["id"]
    beyond = record(ids["far"])  # the stream's incident is too far, the near one not the county's
    assert beyond.new_incident and beyond.incident_id not in ids.values()
    joined = record(ids["near"])
    assert (joined.incident_id, joined.new_incident) == (ids["near"], False)
    with svc.station.db.session() as s:
        assert s.get(Detection, joined.detection_id).incident_id == ids["near"]
