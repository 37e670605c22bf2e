"""Dispatch for an incident: the ranking with its rings, "request overhead video", ground hand-off."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import BaseModel, Field

from docks import HoldMode
from groundstation.api.deps import CurrentUser, StationDep, require_role, scoped_row
from groundstation.auth import Principal, Role
from groundstation.db import Incident
from groundstation.dispatch import DispatchPlan, RankedCandidate
from groundstation.incidents import IncidentClosed
from groundstation.operations import Dispatcher, DispatchRefused, dispatcher_of
from groundstation.station import Station

router = APIRouter(prefix="/incidents", tags=["dispatch"])

IncidentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Sender = Annotated[Principal, Depends(require_role(Role.COMMANDER, Role.ADMIN, Role.PILOT))]
HandOff = Annotated[Principal, Depends(require_role(Role.COMMANDER, Role.ADMIN))]


class ExclusionOut(BaseModel):
    """Why a candidate may not go."""

    reason: str
    text: str


class CandidateOut(BaseModel):
    """One ranked drone."""

    candidate_id: str
    kind: str
    drone_id: str | None
    dock_id: str | None
    lat_deg: float
    lon_deg: float
    eta_s: float
    launch_s: float
    climb_s: float
    cruise_s: float
    distance_m: float
    straight_m: float
    detoured: bool
    path: list[tuple[float, float]]
    battery_pct: float | None
    battery_needed_pct: float
    ring_s: float | None
    eligible: bool
    exclusions: list[ExclusionOut]
    warnings: list[str]
    eta_lower_bound: bool = Field(
        False, description="eta_s is the straight line's (a lower bound): beyond the outermost "
        "ring and slower than the best, its path was not planned")


class GroundUnitOut(BaseModel):
    """The nearest available ground unit."""

    unit_id: int
    name: str
    lat_deg: float
    lon_deg: float
    distance_m: float
    eta_s: float


class DispatchOut(BaseModel):
    """The ranking for an incident: eligible drones fastest first, rings, ground unit."""

    incident_id: int
    candidates: list[CandidateOut]
    rings: dict[str, list[str]] = Field(description="ring in seconds -> candidate ids within it")
    best: str | None
    ground_unit: GroundUnitOut | None


class SendIn(BaseModel):
    """Which drone (default: the best) and how it holds over the scene."""

    candidate_id: str | None = Field(None, max_length=64)
    hold: HoldMode = HoldMode.HOVER


class SentOut(BaseModel):
    """The drone on its way."""

    incident_id: int
    candidate: CandidateOut
    hold: str


class HandOffIn(BaseModel):
    """Which ground unit (default: the nearest available)."""

    unit_id: int | None = Field(None, ge=1, le=2**31 - 1)


def candidate_out(c: RankedCandidate) -> CandidateOut:
    """API form of a ranked candidate."""
    return CandidateOut(
        candidate_id=c.candidate_id, kind=c.kind.value, drone_id=c.drone_id, dock_id=c.dock_id,
        lat_deg=c.lat_deg, lon_deg=c.lon_deg, eta_s=c.eta_s, launch_s=c.launch_s,
        climb_s=c.climb_s, cruise_s=c.cruise_s, distance_m=c.distance_m, straight_m=c.straight_m,
        detoured=c.detoured, path=list(c.path), battery_pct=c.battery_pct,
        battery_needed_pct=c.battery_needed_pct, ring_s=c.ring_s, eligible=c.eligible,
        exclusions=[ExclusionOut(reason=e.reason.value, text=e.text) for e in c.exclusions],
        warnings=list(c.warnings), eta_lower_bound=c.eta_lower_bound)


def plan_out(incident_id: int, plan: DispatchPlan) -> DispatchOut:
    """API form of a dispatch plan."""
    unit = plan.ground_unit
    return DispatchOut(
        incident_id=incident_id, candidates=[candidate_out(c) for c in plan.candidates],
        rings={f"{r:g}": list(ids) for r, ids in plan.rings.items()},
        best=plan.best.candidate_id if plan.best else None,
        ground_unit=None if unit is None else GroundUnitOut(
            unit_id=int(unit.unit.unit_id), name=unit.unit.name, lat_deg=unit.unit.lat_deg,
            lon_deg=unit.unit.lon_deg, distance_m=unit.distance_m, eta_s=unit.eta_s))


async def _dispatcher(station: Station, incident_id: int, user: Principal) -> Dispatcher:
    """The station's dispatcher (503 without docks), once the user may reach the incident
    (checked first: another organisation's incident is 403 whatever the station has)."""
    await station.db.run(lambda s: scoped_row(s, Incident, incident_id, user, "incident"))
    found = dispatcher_of(station)
    if found is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no docks or dispatch on this station")
    return found


@router.get("/{incident_id}/dispatch")
async def ranking(incident_id: IncidentId, user: CurrentUser, station: StationDep) -> DispatchOut:
    """Every dock-based and airborne drone ranked by time to the scene, with the 1/3/5-min rings."""
    dispatcher = await _dispatcher(station, incident_id, user)
    return plan_out(incident_id, await dispatcher.plan_for(incident_id))


@router.post("/{incident_id}/dispatch", status_code=202)
async def request_overhead_video(
    incident_id: IncidentId, body: SendIn, user: Sender, station: StationDep
) -> SentOut:
    """Send the best drone (or the one named) over the incident with one click."""
    dispatcher = await _dispatcher(station, incident_id, user)
    try:
        sent = await dispatcher.send(incident_id, actor=user, candidate_id=body.candidate_id,
                                     hold=body.hold)
    except DispatchRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            {"message": str(exc), "reasons": exc.reasons}) from None
    return SentOut(incident_id=incident_id, candidate=candidate_out(sent.candidate),
                   hold=sent.hold.value)


@router.post("/{incident_id}/handoff")
async def hand_off(
    incident_id: IncidentId, body: HandOffIn, user: HandOff, station: StationDep
) -> GroundUnitOut:
    """Hand the incident to the nearest available ground unit (or the one named); 409 when
    none is available or the incident is closed."""
    dispatcher = await _dispatcher(station, incident_id, user)
    try:
        choice = await dispatcher.handoff(incident_id, actor=user, unit_id=body.unit_id)
    except (LookupError, IncidentClosed) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    u = choice.unit
    return GroundUnitOut(unit_id=int(u.unit_id), name=u.name, lat_deg=u.lat_deg,
                         lon_deg=u.lon_deg, distance_m=choice.distance_m, eta_s=choice.eta_s)
