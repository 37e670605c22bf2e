"""The live WebSocket over a real uvicorn on loopback: auth, throttled telemetry, scope,
incident changes and alerts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import websockets
from websockets.exceptions import InvalidStatus

from tests.service.harness import Service, run_service, service_settings
from tests.service.vehicles import connect_vehicle


async def _next(ws: Any, kind: str, timeout_s: float = 5.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout_s):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


def _ws_url(svc: Service, user: str | None, **query: object) -> str:
    params = dict(query)
    if user is not None:
        params["token"] = svc.headers(user)["Authorization"].split()[1]
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    return svc.base_url.replace("http", "ws") + "/api/ws" + (f"?{qs}" if qs else "")


@pytest.fixture
async def live_service(tmp_path: Path) -> Any:
    async with run_service(service_settings(tmp_path), real_server=True) as svc:
        yield svc


async def test_websocket_refuses_missing_and_forged_tokens(live_service: Service) -> None:
    for url in (_ws_url(live_service, None), _ws_url(live_service, None, token="forged.jwt.x")):
        with pytest.raises(InvalidStatus) as info:
            async with websockets.connect(url):
                pass
        assert info.value.response.status_code == 403


async def test_telemetry_is_scoped_to_the_users_organisation(live_service: Service) -> None:
    svc = live_service
    await connect_vehicle(svc, "va")
    await connect_vehicle(svc, "vb")
    async with websockets.connect(_ws_url(svc, "viewer_a", interval_s=0.05)) as ws:
        hello = await _next(ws, "hello")
        assert hello["role"] == "viewer"
        tel = await _next(ws, "telemetry")
        assert [v["system_id"] for v in tel["vehicles"]] == [11]
        assert tel["vehicles"][0]["battery_pct"] == 80
    async with websockets.connect(_ws_url(svc, "city_admin", interval_s=0.05)) as ws:
        tel = await _next(ws, "telemetry")
        assert [v["system_id"] for v in tel["vehicles"]] == [11, 12]


async def test_incident_changes_reach_consoles_of_that_organisation(live_service: Service) -> None:
    svc = live_service
    async with websockets.connect(_ws_url(svc, "commander_a", interval_s=30)) as ws_a, \
            websockets.connect(_ws_url(svc, "pilot_b", interval_s=30)) as ws_b:
        await _next(ws_a, "telemetry")
        await _next(ws_b, "telemetry")
        r = await svc.client.post("/api/incidents", headers=svc.headers("commander_a"), json={
            "kind": "burglary", "priority": 2, "lat_deg": 26.42, "lon_deg": 111.61})
        assert r.status_code == 201, r.text
        message = await _next(ws_a, "incident")
        assert message["incident_id"] == r.json()["id"]
        assert message["change"] == "created"
        # county B's console hears nothing of county A's incident
        r2 = await svc.client.post("/api/incidents", headers=svc.headers("pilot_b"), json={
            "kind": "lost person", "priority": 3, "lat_deg": 26.6, "lon_deg": 111.9})
        got = await _next(ws_b, "incident")
        assert got["incident_id"] == r2.json()["id"]


async def test_telemetry_is_throttled_per_client(live_service: Service) -> None:
    svc = live_service
    await connect_vehicle(svc, "va")
    async with websockets.connect(_ws_url(svc, "pilot_a", interval_s=3600)) as slow, \
            websockets.connect(_ws_url(svc, "pilot_a", interval_s=0.05)) as fast:
        await _next(slow, "telemetry")
        for _ in range(5):
            await _next(fast, "telemetry")
        # the slow client asked for one an hour: after its first, nothing until it asks
        await slow.send(json.dumps({"type": "set_interval", "interval_s": 0.05}))
        await _next(slow, "telemetry")


async def test_link_loss_is_an_alert(live_service: Service) -> None:
    svc = live_service
    peer, _, _ = await connect_vehicle(svc, "va")
    async with websockets.connect(_ws_url(svc, "pilot_a", interval_s=30)) as ws:
        await _next(ws, "telemetry")
        peer.heartbeats_enabled = False
        alert = await _next(ws, "alert")
        assert alert["kind"] == "link_lost"
        assert alert["system_id"] == 11
