"""Delivery to browsers over HTTP: two MJPEG viewers at once from one decode, role checks
injected into the router, status pictures when the stream is down, slow viewers never stall."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import cv2
import httpx
import numpy as np
import pytest
from fastapi import FastAPI, Header, HTTPException, Request

from groundstation.simcam import read_stamp
from groundstation.video import BOUNDARY, StreamState, VideoHub, video_router
from tests.video.conftest import WAIT_S, udp_port
from tests.video.http_server import serve


def _viewer_rights(incident_id: str, x_role: Annotated[str | None, Header()] = None,
                   x_incidents: Annotated[str | None, Header()] = None) -> None:
    """A stand-in for the service's role dependency: 401 without a role, 403 off-incident."""
    if x_role is None:
        raise HTTPException(401, "not authenticated")
    if x_role not in {"commander", "pilot"} or incident_id not in (x_incidents or "").split(","):
        raise HTTPException(403, f"role {x_role} may not watch incident {incident_id}")


def _capture_rights(incident_id: str, x_role: Annotated[str | None, Header()] = None) -> None:
    if x_role != "commander":
        raise HTTPException(403, "only commanders store evidence")


def _app(hub: VideoHub) -> FastAPI:
    app = FastAPI()
    app.state.video = hub

    def get_hub(request: Request) -> VideoHub:
        return request.app.state.video

    app.include_router(video_router(get_hub=get_hub, authorize_view=_viewer_rights,
                                    authorize_capture=_capture_rights), prefix="/api")
    return app


COMMANDER = {"X-Role": "commander", "X-Incidents": "11"}


async def _read_jpegs(client: httpx.AsyncClient, url: str, count: int,
                      headers: dict[str, str] = COMMANDER) -> list[np.ndarray]:
    """Parse ``count`` JPEG parts of a multipart/x-mixed-replace response."""
    images: list[np.ndarray] = []
    async with client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("multipart/x-mixed-replace")
        buf = b""
        async for chunk in response.aiter_bytes():
            buf += chunk
            while True:
                start = buf.find(b"\r\n\r\n")
                if start < 0 or not buf.startswith(f"--{BOUNDARY}".encode()):
                    break
                head = buf[:start].decode()
                length = int(head.split("Content-Length: ")[1].split("\r\n")[0])
                if len(buf) < start + 4 + length + 2:
                    break
                jpeg = buf[start + 4:start + 4 + length]
                buf = buf[start + 4 + length + 2:]
                images.append(cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR))
                if len(images) >= count:
                    return images
    return images


@pytest.fixture
def live_hub(hub: VideoHub, make_camera) -> VideoHub:
    port = udp_port()
    stream = hub.add_stream("drone1", f"udp://127.0.0.1:{port}")
    make_camera(f"udp://127.0.0.1:{port}")
    assert stream.wait_for_state(StreamState.LIVE, timeout_s=WAIT_S)
    hub.attach_to_incident("drone1", "11")
    return hub


async def test_two_viewers_at_once_from_one_decode(live_hub: VideoHub) -> None:
    url = "/api/incidents/11/video/streams/drone1/mjpeg"
    cache = live_hub.jpeg_cache("drone1")
    stream = live_hub.stream("drone1")
    with serve(_app(live_hub)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as a, \
                httpx.AsyncClient(base_url=base, timeout=WAIT_S) as b:
            decoded_before = stream.health().frames_decoded
            got_a, got_b = await asyncio.gather(_read_jpegs(a, url, 15), _read_jpegs(b, url, 15))
            decoded = stream.health().frames_decoded - decoded_before
    for images in (got_a, got_b):
        assert len(images) == 15
        assert all(img is not None and img.shape == (360, 640, 3) for img in images)
        stamps = [read_stamp(img) for img in images]
        assert all(s is not None for s in stamps)  # real camera frames, capture time readable
        assert stamps == sorted(stamps)
    # one decode and at most one JPEG encode per frame, shared by both viewers
    assert cache.encoded <= decoded + 2
    assert cache.encoded < len(got_a) + len(got_b)


async def test_viewer_without_rights_is_refused(live_hub: VideoHub) -> None:
    base_url = "/api/incidents/11/video"
    with serve(_app(live_hub)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as client:
            anonymous = await client.get(f"{base_url}/streams/drone1/mjpeg")
            other_incident = await client.get(
                f"{base_url}/streams/drone1/mjpeg",
                headers={"X-Role": "commander", "X-Incidents": "12"})
            wrong_role = await client.get(f"{base_url}/streams",
                                          headers={"X-Role": "guest", "X-Incidents": "11"})
            pilot_snapshot = await client.post(
                f"{base_url}/streams/drone1/snapshots",
                headers={"X-Role": "pilot", "X-Incidents": "11"})
            listed = await client.get(f"{base_url}/streams", headers=COMMANDER)
            not_on_incident = await client.get(
                "/api/incidents/12/video/streams/drone1/health",
                headers={"X-Role": "commander", "X-Incidents": "12"})
            traversal = await client.get(f"{base_url}/recordings/drone1/..%2F..%2Fx.mp4",
                                         headers=COMMANDER)
    assert anonymous.status_code == 401
    assert other_incident.status_code == 403
    assert wrong_role.status_code == 403
    assert pilot_snapshot.status_code == 403
    assert listed.status_code == 200 and listed.json()[0]["stream_id"] == "drone1"
    assert "uri" not in listed.json()[0]
    assert not_on_incident.status_code == 404
    assert traversal.status_code == 404
    assert live_hub.stream("drone1").health().subscribers == 0  # refused viewers never joined


async def test_snapshot_recording_listing_and_download(live_hub: VideoHub) -> None:
    base_url = "/api/incidents/11/video"
    stream = live_hub.stream("drone1")
    with stream.hub.subscribe(from_latest=False) as sub:
        for _ in range(15):
            assert sub.get(WAIT_S) is not None
    with serve(_app(live_hub)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as client:
            shot = await client.post(f"{base_url}/streams/drone1/snapshots", headers=COMMANDER)
            assert shot.status_code == 201
            jpeg = await client.get(f"{base_url}/{shot.json()['url']}", headers=COMMANDER)
            frame = await client.get(f"{base_url}/streams/drone1/frame.jpg", headers=COMMANDER)
            live_hub.detach_from_incident("drone1")
            listing = await client.get(f"{base_url}/recordings", headers=COMMANDER)
            seg = listing.json()[0]
            mp4 = await client.get(f"{base_url}/{seg['url']}", headers=COMMANDER)
            ranged = await client.get(f"{base_url}/{seg['url']}",
                                      headers={**COMMANDER, "Range": "bytes=0-99"})
    assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
    assert cv2.imdecode(np.frombuffer(jpeg.content, np.uint8), cv2.IMREAD_COLOR) is not None
    assert frame.status_code == 200
    assert seg["complete"] and seg["start_utc"].endswith("+00:00")
    assert mp4.status_code == 200 and mp4.headers["content-type"] == "video/mp4"
    assert mp4.content[4:8] == b"ftyp"
    assert ranged.status_code == 206 and len(ranged.content) == 100


async def test_viewer_sees_status_when_stream_is_down(hub: VideoHub) -> None:
    hub.add_stream("dead", f"udp://127.0.0.1:{udp_port()}")  # nobody sends
    hub.attach_to_incident("dead", "11")
    with serve(_app(hub)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=WAIT_S) as client:
            images = await _read_jpegs(client, "/api/incidents/11/video/streams/dead/mjpeg", 1)
            health = await client.get("/api/incidents/11/video/streams/dead/health",
                                      headers=COMMANDER)
    assert images[0].shape == (360, 640, 3)  # the status picture, not a hang
    assert read_stamp(images[0]) is None
    assert health.json()["state"] in {"connecting", "reconnecting"}


async def test_slow_viewer_never_stalls_ingest(live_hub: VideoHub) -> None:
    stream = live_hub.stream("drone1")
    slow = stream.hub.subscribe()  # never reads
    fast = stream.hub.subscribe()
    try:
        t0 = time.monotonic()
        got = 0
        while got < 20:
            assert await fast.next(timeout_s=WAIT_S) is not None
            got += 1
        assert time.monotonic() - t0 < WAIT_S
        assert slow.poll() is not None  # only the newest frame is waiting for it
        assert slow.poll() is None
        assert stream.health().state is StreamState.LIVE
    finally:
        slow.close()
        fast.close()
