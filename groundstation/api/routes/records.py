"""Zones, routes, schedules, docks, ground units and flight permits: organisation-owned records
with CRUD."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, status
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    model_validator,
)
from sqlalchemy.orm import Session

from groundstation.api._resources import ResourceSpec, resource_router
from groundstation.api.deps import scoped_row
from groundstation.api.schemas import Latitude, Longitude, Name, ORMModel
from groundstation.auth import Principal, Role
from groundstation.db import (
    Dock,
    FlightPermit,
    GroundUnit,
    GroundUnitKind,
    Route,
    Schedule,
    ZoneRecord,
)
from groundstation.station import Station
from groundstation.zonebook import zones_of_feature

OrgId = Annotated[int, Field(ge=1, le=2**31 - 1)]
RefId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _cron(value: str) -> str:
    fields = value.split()
    if len(fields) != 5 or not all(set(f) <= set("0123456789*/,-") for f in fields):
        raise ValueError("cron needs 5 fields (minute hour day month weekday) of digits * / , -")
    return " ".join(fields)


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


class ZoneIn(BaseModel):
    """A zone as one GeoJSON Feature (Polygon, MultiPolygon, or Point with radius_m) whose
    properties carry at least ``kind`` (no_fly, operating_area...) and ``name``."""

    name: Name
    org_id: OrgId
    feature: dict[str, Any] = Field(max_length=20)
    active: bool = True


class ZoneOut(ORMModel):
    """A stored zone."""

    id: int
    name: str
    org_id: int
    feature: dict[str, Any]
    active: bool
    updated_at: datetime


def _check_zone(_session: Session, _user: Principal, body: BaseModel) -> None:
    feature = body.feature  # type: ignore[attr-defined]
    if feature.get("type") != "Feature":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "feature must be one GeoJSON Feature")
    zones_of_feature("new", feature)  # GeofenceError → 422 with the problem named


Waypoint = Annotated[list[Annotated[float, Field(allow_inf_nan=False)]],
                     Field(min_length=3, max_length=3)]


def _waypoints_in_range(points: list[list[float]]) -> list[list[float]]:
    for i, (lat, lon, alt) in enumerate(points):
        if not (-90 <= lat <= 90 and -180 <= lon <= 180 and -500 <= alt <= 10000):
            raise ValueError(f"waypoint {i}: [lat, lon, alt_m] out of range")
    return points


class RouteIn(BaseModel):
    """A route: waypoints ``[lat_deg, lon_deg, alt_m above home]``."""

    name: Name
    org_id: OrgId
    waypoints: Annotated[list[Waypoint], Field(min_length=1, max_length=2000),
                         AfterValidator(_waypoints_in_range)]


class RouteOut(ORMModel):
    """A stored route."""

    id: int
    name: str
    org_id: int
    waypoints: list[Any]
    updated_at: datetime


class ScheduleIn(BaseModel):
    """A patrol schedule: a route flown from a dock on a cron rule in a time zone."""

    name: Name
    org_id: OrgId
    route_id: RefId | None = None
    dock_id: RefId | None = None
    cron: Annotated[str, StringConstraints(max_length=100), AfterValidator(_cron)]
    timezone: Annotated[str, StringConstraints(max_length=64), AfterValidator(_timezone)] = "Asia/Shanghai"
    enabled: bool = True


class ScheduleOut(ORMModel):
    """A stored schedule."""

    id: int
    name: str
    org_id: int
    route_id: int | None
    dock_id: int | None
    cron: str
    timezone: str
    enabled: bool
    updated_at: datetime


def _check_schedule(session: Session, user: Principal, body: BaseModel) -> None:
    if body.route_id is not None:  # type: ignore[attr-defined]
        scoped_row(session, Route, body.route_id, user, "route")  # type: ignore[attr-defined]
    if body.dock_id is not None:  # type: ignore[attr-defined]
        scoped_row(session, Dock, body.dock_id, user, "dock")  # type: ignore[attr-defined]


class DockIn(BaseModel):
    """An automated dock's registration."""

    dock_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    name: Name
    org_id: OrgId
    lat_deg: Latitude
    lon_deg: Longitude
    alt_amsl_m: float = Field(0.0, ge=-500, le=9000, allow_inf_nan=False)


class DockOut(ORMModel):
    """A registered dock."""

    id: int
    dock_key: str
    name: str
    org_id: int
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float


class GroundUnitIn(BaseModel):
    """A ground unit and where it is."""

    name: Name
    kind: GroundUnitKind
    org_id: OrgId
    lat_deg: Latitude
    lon_deg: Longitude
    available: bool = True


class GroundUnitOut(ORMModel):
    """A ground unit."""

    id: int
    name: str
    kind: str
    org_id: int
    lat_deg: float
    lon_deg: float
    available: bool
    updated_at: datetime


class PermitIn(BaseModel):
    """Leave for one cooperative flight to fly within a circle, below a ceiling, for a time.
    ``ident`` is what the flight broadcasts: Remote ID UAS id or operator id, ADS-B callsign,
    or ICAO address in hex."""

    name: Name
    org_id: OrgId
    ident: Annotated[str, StringConstraints(strip_whitespace=True,
                                            pattern=r"^[A-Za-z0-9_.:\-]{1,64}$")]
    lat_deg: Latitude
    lon_deg: Longitude
    radius_m: float = Field(ge=1, le=50_000, allow_inf_nan=False)
    ceiling_amsl_m: float | None = Field(None, ge=-500, le=20_000, allow_inf_nan=False)
    valid_from: AwareDatetime
    valid_to: AwareDatetime

    @model_validator(mode="after")
    def _ends_after_start(self) -> PermitIn:
        if self.valid_to <= self.valid_from:
            raise ValueError("valid_to must be after valid_from")
        return self


class PermitOut(ORMModel):
    """A stored flight permit."""

    id: int
    name: str
    org_id: int
    ident: str
    lat_deg: float
    lon_deg: float
    radius_m: float
    ceiling_amsl_m: float | None
    valid_from: datetime
    valid_to: datetime
    updated_at: datetime


def _zones_changed(station: Station) -> None:
    station.zones.invalidate()


SPECS = (
    ResourceSpec("zone", "/zones", ZoneRecord, ZoneIn, ZoneOut, (Role.ADMIN,),
                 check=_check_zone, after_change=_zones_changed),
    ResourceSpec("route", "/routes", Route, RouteIn, RouteOut,
                 (Role.ADMIN, Role.PILOT, Role.COMMANDER)),
    ResourceSpec("schedule", "/schedules", Schedule, ScheduleIn, ScheduleOut,
                 (Role.ADMIN, Role.PILOT, Role.AUTOMATION), check=_check_schedule),
    ResourceSpec("dock", "/docks", Dock, DockIn, DockOut, (Role.ADMIN,)),
    ResourceSpec("ground_unit", "/ground-units", GroundUnit, GroundUnitIn, GroundUnitOut,
                 (Role.ADMIN, Role.COMMANDER, Role.AUTOMATION)),
    ResourceSpec("permit", "/permits", FlightPermit, PermitIn, PermitOut,
                 (Role.ADMIN, Role.COMMANDER)),
)

router = APIRouter()
for _spec in SPECS:
    router.include_router(resource_router(_spec))
