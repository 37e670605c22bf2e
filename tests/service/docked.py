"""A station with docks composed: the demo composition (simulated docks, each with a simulated
ArduCopter over loopback UDP, launcher, scheduler, dispatch) cut down to a few docks, in-process
on SQLite or PostgreSQL, with the demo's seeded users as the test's users."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from sqlalchemy import select

from docks import FleetSpec, load_fleet
from groundstation.db import User
from groundstation.demo import DemoConfig, demo_extension
from groundstation.video.station import video_extension
from tests.console.harness import VIDEO
from tests.service.harness import Service, run_service, service_settings

DEMO_USERS = ("admin", "commander", "pilot", "county-commander", "viewer")


def small_fleet(docks: int = 2) -> FleetSpec:
    """The first ``docks`` docks of the demo fleet with their drones, and no patrols."""
    full = load_fleet()
    kept = full.docks[:docks]
    drones = {d.drone_id for d in kept}
    return full.model_copy(update={
        "docks": kept, "drones": [d for d in full.drones if d.drone_id in drones],
        "patrols": [], "routes": {k: v for k, v in full.routes.items()
                                  if any(k.endswith(d.dock_id) for d in kept)}})


@contextlib.asynccontextmanager
async def run_docked_service(
    data_dir: Path, *, database_url: str | None = None, docks: int = 2,
    time_factor: float = 40.0, real_server: bool = False, announced: list[str] | None = None,
    video: bool = False,
) -> AsyncIterator[Service]:
    """A station running the cut-down demo (and the video hub when asked); ``svc.headers(name)``
    works for the demo users."""
    settings = service_settings(data_dir, database_url=database_url)
    settings.video = VIDEO
    port = int(settings.mavlink.endpoints[0].rsplit(":", 1)[1])
    lines = announced if announced is not None else []
    extension = demo_extension(
        DemoConfig(mavlink_port=port, time_factor=time_factor, fleet=small_fleet(docks)),
        lines.append)
    extensions = [video_extension, extension] if video else [extension]
    async with run_service(settings, real_server=real_server, world=False,
                           extensions=extensions) as svc:
        with svc.station.db.session() as s:
            for user in s.scalars(select(User).where(User.username.in_(DEMO_USERS))):
                svc.world.users[user.username] = user.id
        yield svc
