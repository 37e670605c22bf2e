"""A station for tests: settings with short timeouts, an org tree with users of every role,
registered vehicles, an HTTP client (in-process ASGI or a real uvicorn on loopback)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI
from pydantic import SecretStr

from groundstation.app import create_app
from groundstation.auth import create_org, create_user
from groundstation.config import Settings
from groundstation.db import OrgKind, Role, VehicleRecord
from groundstation.station import Station, StationExtension
from tests.infra import free_port, require
from tests.mavlink.conftest import fast_settings

WEBHOOK_SECRET = "test-webhook-secret-" + "x" * 16
POSTGRES_URL = os.environ.get("GCS_TEST_POSTGRES_URL")

# name -> (role, org key)
USERS: dict[str, tuple[Role, str]] = {
    "city_admin": (Role.ADMIN, "city"),
    "admin_a": (Role.ADMIN, "county_a"),
    "pilot_a": (Role.PILOT, "county_a"),
    "pilot_a1": (Role.PILOT, "station_a1"),
    "commander_a": (Role.COMMANDER, "county_a"),
    "automation_a": (Role.AUTOMATION, "county_a"),
    "viewer_a": (Role.VIEWER, "county_a"),
    "pilot_b": (Role.PILOT, "county_b"),
    "admin_b": (Role.ADMIN, "county_b"),
}
PASSWORD = "correct horse battery staple"


def service_settings(data_dir: Path, *, database_url: str | None = None, udp_port: int | None = None,
                     **service: Any) -> Settings:
    """Station settings for tests: own data dir, one udpin port, short timeouts."""
    port = udp_port or free_port(socket.SOCK_DGRAM)
    mav = fast_settings(endpoints=[f"udpin:127.0.0.1:{port}"])
    values: dict[str, Any] = {"jwt_secret": SecretStr("t" * 48),
                              "webhook_secret": SecretStr(WEBHOOK_SECRET),
                              "command_response_timeout_s": 5.0, "tlog_flush_interval_s": 0.05,
                              "ws_min_interval_s": 0.05}
    values.update(service)
    return Settings(data_dir=data_dir, mavlink=mav, storage={"database_url": database_url},
                    service=values)


@contextlib.contextmanager
def postgres_schema() -> Any:
    """A fresh schema on the test PostgreSQL server; yields a URL whose search_path is it."""
    require(POSTGRES_URL, "GCS_TEST_POSTGRES_URL not set (scripts/test.sh starts PostgreSQL)")
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    conninfo = {"host": url.host, "port": url.port or 5432, "user": url.username,
                    "password": url.password, "dbname": url.database}
    try:
        with psycopg.connect(**conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        require(False, f"PostgreSQL unreachable: {exc}")
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(**conninfo, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass
class World:
    """The org tree, users and vehicles every service test starts with."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    vehicles: dict[str, int] = field(default_factory=dict)  # name -> vehicle id
    system_ids: dict[str, int] = field(default_factory=dict)


def build_world(station: Station) -> World:
    """Create city → county A (→ station A1), county B; users; vehicles va (A), vb (B)."""
    world = World()
    with station.db.session() as s:
        city = create_org(s, "Yongzhou city bureau", OrgKind.CITY_BUREAU)
        a = create_org(s, "Lengshuitan county bureau", OrgKind.COUNTY_BUREAU, city.id)
        a1 = create_org(s, "Station A1", OrgKind.POLICE_STATION, a.id)
        b = create_org(s, "Qiyang county bureau", OrgKind.COUNTY_BUREAU, city.id)
        world.orgs = {"city": city.id, "county_a": a.id, "station_a1": a1.id, "county_b": b.id}
        hashed = station.passwords.hash(PASSWORD)
        for name, (role, org) in USERS.items():
            user = create_user(s, station.passwords, username=name, role=role,
                               org_id=world.orgs[org], password=None)
            user.password_hash = hashed
            world.users[name] = user.id
        for name, sysid, org in (("va", 11, "county_a"), ("vb", 12, "county_b")):
            row = VehicleRecord(name=name, system_id=sysid, org_id=world.orgs[org])
            s.add(row)
            s.flush()
            world.vehicles[name] = row.id
            world.system_ids[name] = sysid
    return world


@dataclass
class Service:
    """A running station with an HTTP client and its starting world."""

    app: FastAPI
    station: Station
    client: httpx.AsyncClient
    world: World
    base_url: str
    peers: list[Any] = field(default_factory=list)  # closed when the service stops

    def headers(self, user: str) -> dict[str, str]:
        """Authorization header of a user (token issued directly)."""
        token = self.station.tokens.issue(self.world.users[user], 0)
        return {"Authorization": f"Bearer {token}"}

    @property
    def udp_port(self) -> int:
        """The station's MAVLink udpin port."""
        return int(self.station.settings.mavlink.endpoints[0].rsplit(":", 1)[1])


async def _close_peers(svc: Service) -> None:
    for peer in svc.peers:
        await peer.close()


@contextlib.asynccontextmanager
async def run_service(settings: Settings, *, real_server: bool = False, world: bool = True,
                      extensions: Sequence[StationExtension] = (),
                      routers: Sequence[APIRouter] = ()) -> AsyncIterator[Service]:
    """Start the app (lifespan included); over a real uvicorn on loopback when asked."""
    app = create_app(settings, extensions=extensions, routers=routers)
    if not real_server:
        async with app.router.lifespan_context(app):
            station: Station = app.state.station
            w = await asyncio.to_thread(build_world, station) if world else World()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://station") as client:
                svc = Service(app, station, client, w, "http://station")
                try:
                    yield svc
                finally:
                    await _close_peers(svc)
        return
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                            ws="websockets-sansio", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(20):
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("server stopped during start-up")
                await asyncio.sleep(0.02)
        station = app.state.station
        w = await asyncio.to_thread(build_world, station) if world else World()
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base) as client:
            svc = Service(app, station, client, w, base)
            try:
                yield svc
            finally:
                await _close_peers(svc)
    finally:
        server.should_exit = True
        await task
