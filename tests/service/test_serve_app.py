"""``groundstation serve`` composes video and the black-flying watch into the station."""

from __future__ import annotations

from pathlib import Path

from groundstation.blackfly.station import SERVICE_KEY
from groundstation.cli.serve import build_app
from tests.service.harness import service_settings


async def test_served_app_has_video_and_the_black_flying_watch(tmp_path: Path) -> None:
    said: list[str] = []
    app = build_app(service_settings(tmp_path), said.append)
    paths = set(app.openapi()["paths"])
    assert {"/api/blackfly/watches", "/api/blackfly/watches/{stream_id}", "/api/detections",
            "/api/permits"} <= paths
    assert any(p.startswith("/api/incidents/{incident_id}/video/") for p in paths)
    async with app.router.lifespan_context(app):
        assert set(app.state.station.services) >= {"video", SERVICE_KEY}
    assert any("admin" in line for line in said)
