"""Demo records: organisations, users with generated passwords, docks, drones, ground units, zones.

Passwords are generated at each first start and only printed (never stored in the code).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docks import FleetSpec
from geofence import Zone, ZoneKind, zones_to_geojson
from groundstation.audit import STATION, record_audit
from groundstation.auth import PasswordHashing, create_org, create_user
from groundstation.db import (
    Dock,
    GroundUnit,
    GroundUnitKind,
    OrgKind,
    Role,
    User,
    VehicleRecord,
    ZoneRecord,
)


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A demo login."""

    username: str
    role: str
    organisation: str
    password: str


_USERS = (
    ("admin", Role.ADMIN, 0), ("commander", Role.COMMANDER, 0), ("pilot", Role.PILOT, 1),
    ("county-commander", Role.COMMANDER, 1), ("viewer", Role.VIEWER, 0),
)
_GROUND_UNITS = (
    ("Patrol car 冷水滩-1", GroundUnitKind.PATROL_CAR, 26.434, 111.615),
    ("Patrol car 冷水滩-2", GroundUnitKind.PATROL_CAR, 26.409, 111.596),
    ("Police platform 滨江", GroundUnitKind.POLICE_PLATFORM, 26.418, 111.628),
    ("Patrol car 零陵-1", GroundUnitKind.PATROL_CAR, 26.388, 111.62),
)
_NO_FLY = (
    ("Detention centre (demo)", 26.452, 111.618, 180.0),
    ("Substation (demo)", 26.397, 111.628, 120.0),
    ("Government compound (demo)", 26.424, 111.62, 150.0),
)


def seed_demo(session: Session, passwords: PasswordHashing, fleet: FleetSpec) -> list[DemoUser] | None:
    """Fill an empty database with the demo records; None when it already has users."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    city = create_org(session, "永州市公安局 (demo)", OrgKind.CITY_BUREAU)
    county = create_org(session, "冷水滩区分局 (demo)", OrgKind.COUNTY_BUREAU, city.id)
    team = create_org(session, "冷水滩空中快警 (demo)", OrgKind.AIR_TEAM, county.id)
    orgs = (city, county)
    users = []
    for username, role, level in _USERS:
        password = secrets.token_urlsafe(12)
        create_user(session, passwords, username=username, role=role, org_id=orgs[level].id,
                    password=password, display_name=f"Demo {role.value}")
        users.append(DemoUser(username, role.value, orgs[level].name, password))
    rows = {}
    for info in fleet.docks:
        row = Dock(dock_key=info.dock_id, name=info.name or info.dock_id, org_id=team.id,
                   lat_deg=info.lat_deg, lon_deg=info.lon_deg, alt_amsl_m=info.alt_m)
        session.add(row)
        rows[info.dock_id] = row
    session.flush()
    homes = {d.drone_id: d.dock_id for d in fleet.docks if d.drone_id}
    for drone in fleet.drones:
        dock = rows.get(homes.get(drone.drone_id, ""))
        session.add(VehicleRecord(name=drone.drone_id, system_id=drone.system_id, org_id=team.id,
                                  model=drone.model, dock_id=dock.id if dock else None,
                                  cruise_speed_mps=drone.profile.cruise_speed_mps))
    for name, kind, lat, lon in _GROUND_UNITS:
        session.add(GroundUnit(name=name, kind=kind.value, org_id=county.id, lat_deg=lat,
                               lon_deg=lon, available=True))
    zones = [Zone.circle(f"demo-{i}", name, ZoneKind.NO_FLY, lat, lon, radius)
             for i, (name, lat, lon, radius) in enumerate(_NO_FLY)]
    for zone, feature in zip(zones, zones_to_geojson(zones)["features"], strict=True):
        session.add(ZoneRecord(name=zone.name, org_id=city.id, feature=feature, active=True))
    record_audit(session, actor=STATION, action="demo.seed", target_type="station",
                 target_id="demo", org_id=city.id, result="ok",
                 params={"docks": len(fleet.docks), "drones": len(fleet.drones),
                         "users": [u.username for u in users]})
    return users
