"""Durability: a real ``groundstation serve`` process is killed (SIGKILL) while a simulated drone
flies, then started again on the same data directory: no incident, audit record or flight log is
lost, the interrupted flight is closed with its log, and the station re-attaches to the drone
that is still flying."""

from __future__ import annotations

import asyncio
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymavlink import mavutil

from groundstation.sim import SimConfig, SimVehicle
from tests.infra import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ADMIN_LINE = re.compile(r"admin user '([^']+)' with password '([^']+)'")


@contextmanager
def _serve(data_dir: Path, http_port: int, udp_port: int, lines: queue.Queue[str]) -> Iterator[subprocess.Popen[str]]:
    env = os.environ | {"GCS_MAVLINK__ENDPOINTS": f'["udpin:127.0.0.1:{udp_port}"]',
                        "GCS_SERVICE__TLOG_FLUSH_INTERVAL_S": "0.05"}
    env.pop("GCS_STORAGE__DATABASE_URL", None)  # SQLite in the data dir
    proc = subprocess.Popen(
        [sys.executable, "-m", "groundstation", "serve", "--port", str(http_port),
         "--data-dir", str(data_dir), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    threading.Thread(target=lambda: [lines.put(x) for x in iter(proc.stderr.readline, "")],  # type: ignore[union-attr]
                     daemon=True).start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{http_port}/api/openapi.json", timeout=2).raise_for_status()
                break
            except httpx.TransportError:
                assert proc.poll() is None, "station exited during start-up"
                time.sleep(0.1)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


async def _until(check: Any, timeout_s: float) -> Any:
    async with asyncio.timeout(timeout_s):
        while not (value := await check()):
            await asyncio.sleep(0.1)
        return value


async def test_killed_mid_flight_and_restarted_loses_nothing(tmp_path: Path) -> None:
    http_port, udp_port = free_port(), free_port(socket.SOCK_DGRAM)
    base = f"http://127.0.0.1:{http_port}"
    lines: queue.Queue[str] = queue.Queue()
    sim_config = SimConfig(system_id=7, endpoints=(f"udpout:127.0.0.1:{udp_port}",),
                           time_factor=5.0, home_lat_deg=26.42, home_lon_deg=111.6)
    with _serve(tmp_path, http_port, udp_port, lines) as first:
        admin = None
        while admin is None:
            admin = ADMIN_LINE.search(lines.get(timeout=30))
        username, password = admin.groups()
        async with SimVehicle(sim_config), httpx.AsyncClient(base_url=base, timeout=30) as c:
            token = (await c.post("/api/auth/token", json={"username": username,
                                                           "password": password})).json()
            c.headers["Authorization"] = f"Bearer {token['access_token']}"
            org = (await c.get("/api/orgs")).json()[0]["id"]
            vid = (await c.post("/api/vehicles", json={"name": "U7", "system_id": 7,
                                                       "org_id": org})).json()["id"]
            incident = (await c.post("/api/incidents", json={
                "kind": "fight", "priority": 1, "lat_deg": 26.421, "lon_deg": 111.601})).json()

            async def ready() -> bool:
                live = (await c.get(f"/api/vehicles/{vid}")).json()["live"]
                return bool(live and live["lat_deg"] and live["battery_pct"])
            await _until(ready, 30)
            for name, body in (("arm", {}), ("takeoff", {"alt_m": 30})):
                r = await c.post(f"/api/vehicles/{vid}/commands/{name}", json=body)
                assert r.status_code == 200, r.text

            async def flying_with_log() -> Any:
                flights = (await c.get("/api/flights")).json()
                live = (await c.get(f"/api/vehicles/{vid}")).json()["live"]
                return flights if flights and live["flying"] and live["alt_rel_m"] > 10 else None
            await _until(flying_with_log, 60)
            await asyncio.sleep(0.5)  # a few flushes of the open log
            audit_before = (await c.get("/api/audit", params={"limit": 1000})).json()

            first.kill()  # SIGKILL: no shutdown code runs
            first.wait()

            with _serve(tmp_path, http_port, udp_port, lines):
                login = await c.post("/api/auth/token", json={"username": username,
                                                              "password": password})
                assert login.status_code == 200  # same users, same password
                again = (await c.get(f"/api/incidents/{incident['id']}")).json()
                assert again["kind"] == "fight" and again["events"][0]["kind"] == "created"
                audit_after = (await c.get("/api/audit", params={"limit": 1000})).json()
                assert {r["id"] for r in audit_before} <= {r["id"] for r in audit_after}
                assert {"vehicle.arm", "vehicle.takeoff", "incident.create"} <= {
                    r["action"] for r in audit_after}

                async def reattached() -> Any:
                    live = (await c.get(f"/api/vehicles/{vid}")).json()["live"]
                    flights = (await c.get("/api/flights")).json()
                    ok = live and live["online"] and live["flying"] and len(flights) == 2
                    return flights if ok else None
                flights = await _until(reattached, 30)
                interrupted = next(f for f in flights if f["end_reason"] == "interrupted")
                assert interrupted["frames"] > 0 and interrupted["ended_at"] is not None
                assert any(f["ended_at"] is None for f in flights)  # still flying: a new flight
                log = await c.get(f"/api/flights/{interrupted['id']}/tlog")
                assert log.status_code == 200
                path = tmp_path / "interrupted.tlog"
                path.write_bytes(log.content)
                reader = mavutil.mavlink_connection(str(path))
                count = 0
                while reader.recv_match() is not None:
                    count += 1
                reader.close()
                assert count == interrupted["frames"]
