"""Video inside the running service: role and organisation checks of the real auth, recordings
and snapshots attached to the incident through the service's attachment records."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from groundstation.app import create_app
from groundstation.db import Attachment
from groundstation.sim import SimConfig, SimVehicle, SimVideoStream
from groundstation.video import StreamState, StreamUriError, VideoHub
from groundstation.video.station import SERVICE_KEY, incident_video_router, video_extension
from tests.service.harness import build_world, service_settings
from tests.video.conftest import WAIT_S, udp_port

INCIDENT = {"kind": "drone sighting", "priority": 2, "lat_deg": 26.42, "lon_deg": 111.61}


@pytest.fixture
async def station_app(tmp_path: Path, settings):
    app = create_app(service_settings(tmp_path, video=settings.model_dump()),
                     extensions=[video_extension], routers=[incident_video_router()])
    async with app.router.lifespan_context(app):
        station = app.state.station
        world = await asyncio.to_thread(build_world, station)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://station",
                                     timeout=WAIT_S) as client:

            def headers(user: str) -> dict[str, str]:
                token = station.tokens.issue(world.users[user], 0)
                return {"Authorization": f"Bearer {token}"}

            yield station, client, headers


async def test_roles_organisations_and_evidence_attachment(station_app, make_camera) -> None:
    station, client, headers = station_app
    hub: VideoHub = station.services[SERVICE_KEY]
    created = await client.post("/api/incidents", json=INCIDENT, headers=headers("commander_a"))
    assert created.status_code == 201, created.text
    incident_id = created.json()["id"]

    port = udp_port()
    stream = hub.add_stream("va", f"udp://127.0.0.1:{port}")
    make_camera(f"udp://127.0.0.1:{port}")
    assert await asyncio.to_thread(stream.wait_for_state, StreamState.LIVE, timeout_s=WAIT_S)
    hub.attach_to_incident("va", str(incident_id))

    base = f"/api/incidents/{incident_id}/video"
    anonymous = await client.get(f"{base}/streams")
    other_org = await client.get(f"{base}/streams", headers=headers("pilot_b"))
    automation = await client.get(f"{base}/streams", headers=headers("automation_a"))
    viewer = await client.get(f"{base}/streams", headers=headers("viewer_a"))
    viewer_snapshot = await client.post(f"{base}/streams/va/snapshots", headers=headers("viewer_a"))
    missing = await client.get("/api/incidents/999/video/streams", headers=headers("city_admin"))
    assert anonymous.status_code == 401
    assert other_org.status_code == 403
    assert automation.status_code == 403
    assert viewer.status_code == 200 and viewer.json()[0]["state"] == "live"
    assert viewer_snapshot.status_code == 403
    assert missing.status_code == 404
    frame = await client.get(f"{base}/streams/va/frame.jpg", headers=headers("viewer_a"))
    assert frame.status_code == 200 and frame.content[:2] == b"\xff\xd8"

    shot = await client.post(f"{base}/streams/va/snapshots", headers=headers("commander_a"))
    assert shot.status_code == 201
    with stream.hub.subscribe(from_latest=False) as sub:
        for _ in range(15):
            assert await sub.next(timeout_s=WAIT_S) is not None
    segments = await asyncio.to_thread(hub.detach_from_incident, "va")
    assert len(segments) == 1 and segments[0].complete

    def attachments() -> list[Attachment]:
        with station.db.session() as s:
            rows = s.scalars(select(Attachment).where(Attachment.incident_id == incident_id))
            return [(a.kind, a.content_type, a.stored_path, a.size_bytes) for a in rows]

    rows = await asyncio.to_thread(attachments)
    assert sorted(r[0] for r in rows) == ["clip", "snapshot"]
    assert {r[1] for r in rows} == {"video/mp4", "image/jpeg"}
    detail = await client.get(f"/api/incidents/{incident_id}", headers=headers("commander_a"))
    listed = detail.json()["attachments"]
    clip = next(a for a in listed if a["kind"] == "clip")
    download = await client.get(f"/api/incidents/{incident_id}/attachments/{clip['id']}/file",
                                headers=headers("commander_a"))
    assert download.status_code == 200 and download.content[4:8] == b"ftyp"
    recordings = await client.get(f"{base}/recordings", headers=headers("viewer_a"))
    assert [r["file"] for r in recordings.json()] == [segments[0].file]


@pytest.fixture
async def announcing_station(tmp_path: Path, settings):
    """The station with the video extension, asking new vehicles for their streams."""
    s = service_settings(tmp_path)
    s.video = settings.model_copy(update={"streams": {"vb": f"udp://127.0.0.1:{udp_port()}"}})
    s.mavlink.initial_requests = True
    app = create_app(s, extensions=[video_extension], routers=[incident_video_router()])
    async with app.router.lifespan_context(app):
        station = app.state.station
        await asyncio.to_thread(build_world, station)
        yield station


async def test_streams_come_from_mavlink_announcements_and_configuration(
        announcing_station, make_camera) -> None:
    station = announcing_station
    hub: VideoHub = station.services[SERVICE_KEY]
    assert hub.stream_ids() == ["vb"]  # configured: opened at start, before any vehicle
    port = udp_port()
    config = SimConfig(system_id=11, time_factor=5.0,
                       endpoints=(f"udpout:127.0.0.1:{station.settings.mavlink.endpoints[0].rsplit(':', 1)[1]}",))
    sim = SimVehicle(config)
    # announced before the station hears the drone: it learns it by asking (REQUEST_MESSAGE)
    sim.set_video_stream(SimVideoStream(uri=str(port), stream_type=3, width_px=640,
                                        height_px=360, fps=15))
    async with sim:
        await station.fleet.wait_for_vehicle(11, WAIT_S)
        make_camera(f"udp://127.0.0.1:{port}")
        async with asyncio.timeout(WAIT_S):
            while "va" not in hub.stream_ids():  # va: the registered name of system 11
                await asyncio.sleep(0.02)
        stream = hub.stream("va")
        assert stream.source.uri == f"udp://0.0.0.0:{port}"
        assert await asyncio.to_thread(stream.wait_for_state, StreamState.LIVE, timeout_s=WAIT_S)
        # announced again (same stream): the running ingest is kept
        sim.set_video_stream(SimVideoStream(uri=str(port), stream_type=3))
        # a stream the station cannot open is logged and skipped, the good one stays
        sim.set_video_stream(SimVideoStream(uri="http://127.0.0.1/video", stream_type=0))
        await asyncio.sleep(0.3)
        assert hub.stream("va") is stream and stream.health().state is StreamState.LIVE


async def test_a_bad_configured_stream_stops_the_start_with_its_name(tmp_path: Path, settings) -> None:
    s = service_settings(tmp_path)
    s.video = settings.model_copy(update={"streams": {"va": "ftp://127.0.0.1/cam"}})
    app = create_app(s, extensions=[video_extension], routers=[incident_video_router()])
    with pytest.raises(StreamUriError, match=r"GCS_VIDEO__STREAMS\['va'\].*ftp"):
        async with app.router.lifespan_context(app):
            pass


async def test_a_commander_puts_a_drone_stream_on_the_incident(station_app, make_camera) -> None:
    station, client, headers = station_app
    hub: VideoHub = station.services[SERVICE_KEY]
    port = udp_port()
    stream = hub.add_stream("va", f"udp://127.0.0.1:{port}")  # va: county A's drone
    make_camera(f"udp://127.0.0.1:{port}")
    created = await client.post("/api/incidents", json=INCIDENT, headers=headers("commander_a"))
    incident_id = created.json()["id"]
    url = f"/api/incidents/{incident_id}/video/streams/va"

    viewer = await client.put(url, headers=headers("viewer_a"))
    other_org = await client.put(url, headers=headers("pilot_b"))
    unknown = await client.put(f"/api/incidents/{incident_id}/video/streams/nope",
                               headers=headers("commander_a"))
    assert (viewer.status_code, other_org.status_code, unknown.status_code) == (403, 403, 404)
    assert hub.incident_of("va") is None

    attached = await client.put(url, headers=headers("commander_a"))
    assert attached.status_code == 200 and "uri" not in attached.json()
    assert hub.incident_of("va") == str(incident_id)
    again = await client.put(url, headers=headers("commander_a"))  # idempotent
    assert again.status_code == 200
    with stream.hub.subscribe(from_latest=False) as sub:
        for _ in range(15):
            assert await sub.next(timeout_s=WAIT_S) is not None
    detached = await client.delete(url, headers=headers("commander_a"))
    assert detached.status_code == 200 and hub.incident_of("va") is None

    detail = (await client.get(f"/api/incidents/{incident_id}", headers=headers("commander_a"))).json()
    kinds = [e["kind"] for e in detail["events"]]
    assert kinds.count("video") == 1 and kinds.count("video_end") == 1
    async with asyncio.timeout(WAIT_S):  # the closed segment is attached from a worker thread
        while not any(a["kind"] == "clip" for a in detail["attachments"]):
            await asyncio.sleep(0.05)
            detail = (await client.get(f"/api/incidents/{incident_id}",
                                       headers=headers("commander_a"))).json()
    audit = await client.get("/api/audit", params={"action": "video.attach"},
                             headers=headers("city_admin"))
    assert [r["params"]["stream_id"] for r in audit.json()] == ["va"]
    # on again, then the incident closes: recording stops and its last segment is still attached
    assert (await client.put(url, headers=headers("commander_a"))).status_code == 200
    with stream.hub.subscribe(from_latest=False) as sub:
        for _ in range(15):
            assert await sub.next(timeout_s=WAIT_S) is not None
    closed = await client.post(f"/api/incidents/{incident_id}/close", json={"summary": "done"},
                               headers=headers("commander_a"))
    assert closed.status_code == 200
    async with asyncio.timeout(WAIT_S):
        while [a["kind"] for a in detail["attachments"]].count("clip") < 2:
            await asyncio.sleep(0.05)
            detail = (await client.get(f"/api/incidents/{incident_id}",
                                       headers=headers("commander_a"))).json()
    assert hub.incident_of("va") is None
    late = await client.put(url, headers=headers("commander_a"))
    assert late.status_code == 409 and hub.incident_of("va") is None
