"""Registered vehicles with their live state, and the commands a pilot sends them."""

from __future__ import annotations

import inspect
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from groundstation.api.deps import AdminUser, CurrentUser, SessionDep, StationDep, scoped_row
from groundstation.api.schemas import Name, ORMModel, Problem
from groundstation.audit import record_audit
from groundstation.auth import Principal, org_path
from groundstation.control import COMMANDS, CommandSpec, VehicleNotFound, run_vehicle_command
from groundstation.db import Dock, Organisation, VehicleRecord
from groundstation.live import telemetry_of
from groundstation.station import Station

router = APIRouter(prefix="/vehicles", tags=["vehicles"])

VehicleId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class VehicleIn(BaseModel):
    """A drone to register: its MAVLink system id and owning organisation."""

    name: Name
    system_id: int = Field(ge=1, le=254)
    org_id: int = Field(ge=1, le=2**31 - 1)
    model: str = Field("", max_length=100)
    dock_id: int | None = Field(None, ge=1, le=2**31 - 1)
    cruise_speed_mps: float = Field(12.0, gt=0, le=60, allow_inf_nan=False)


class VehicleOut(ORMModel):
    """A registered vehicle and, when it is heard, its live state."""

    id: int
    name: str
    system_id: int
    org_id: int
    model: str
    dock_id: int | None
    cruise_speed_mps: float
    created_at: datetime
    live: dict[str, Any] | None = None


class CommandResult(BaseModel):
    """A command's outcome: ACCEPTED (the vehicle's COMMAND_ACK), or IN_PROGRESS."""

    vehicle_id: int
    system_id: int
    command: str
    result: str


def _out(station: Station, row: VehicleRecord) -> VehicleOut:
    out = VehicleOut.model_validate(row)
    vehicle = station.fleet.vehicles.get(row.system_id)
    out.live = telemetry_of(vehicle) if vehicle is not None else None
    return out


@router.get("")
def list_vehicles(user: CurrentUser, session: SessionDep, station: StationDep) -> list[VehicleOut]:
    """Vehicles of the user's organisation subtree."""
    rows = session.scalars(
        select(VehicleRecord)
        .join(Organisation, Organisation.id == VehicleRecord.org_id)
        .where(user.subtree())
        .order_by(VehicleRecord.id)
    ).all()
    return [_out(station, r) for r in rows]


@router.post("", status_code=201)
def register_vehicle(
    body: VehicleIn, admin: AdminUser, session: SessionDep, station: StationDep
) -> VehicleOut:
    """Register a vehicle in an organisation the admin covers."""
    try:
        path = org_path(session, body.org_id)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"organisation {body.org_id} not found") from None
    if not admin.covers(path):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "organisation outside yours")
    if body.dock_id is not None:
        scoped_row(session, Dock, body.dock_id, admin, "dock")
    if session.scalar(select(VehicleRecord.id).where(VehicleRecord.system_id == body.system_id)):
        raise HTTPException(status.HTTP_409_CONFLICT,
                            f"system id {body.system_id} is already registered")
    row = VehicleRecord(**body.model_dump())
    session.add(row)
    session.flush()
    record_audit(session, actor=admin, action="vehicle.register", target_type="vehicle",
                 target_id=row.id, params=body.model_dump(), result="ok", org_id=row.org_id)
    return _out(station, row)


@router.get("/{vehicle_id}")
def get_vehicle(
    vehicle_id: VehicleId, user: CurrentUser, session: SessionDep, station: StationDep
) -> VehicleOut:
    """One vehicle with its live state."""
    return _out(station, scoped_row(session, VehicleRecord, vehicle_id, user, "vehicle"))


_REFUSALS: dict[int | str, dict[str, Any]] = {
    403: {"model": Problem, "description": "role or organisation does not allow it"},
    404: {"model": Problem, "description": "no such vehicle"},
    409: {"model": Problem, "description": "refused: offline, battery, no-fly zone, or the "
                                           "vehicle's COMMAND_ACK was not ACCEPTED"},
    504: {"model": Problem, "description": "no COMMAND_ACK after every retry"},
}


def _add_command_route(spec: CommandSpec) -> None:
    body_model = spec.body
    optional = not any(f.is_required() for f in body_model.model_fields.values())

    async def command(
        vehicle_id: int, user: Principal, station: Station, body: BaseModel | None
    ) -> CommandResult:
        try:
            outcome = await run_vehicle_command(
                station, user, vehicle_id, spec.name, body if body is not None else body_model()
            )
        except VehicleNotFound as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
        return CommandResult(vehicle_id=outcome.vehicle_id, system_id=outcome.system_id,
                             command=outcome.command, result=outcome.result)

    # Real annotation objects (this module's are strings): FastAPI reads the signature.
    kind = inspect.Parameter.KEYWORD_ONLY
    command.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("vehicle_id", kind, annotation=VehicleId),
            inspect.Parameter("user", kind, annotation=CurrentUser),
            inspect.Parameter("station", kind, annotation=StationDep),
            inspect.Parameter(
                "body", kind,
                annotation=Annotated[body_model | None if optional else body_model, Body()],
                default=None if optional else inspect.Parameter.empty,
            ),
        ],
        return_annotation=CommandResult,
    )
    router.add_api_route(
        f"/{{vehicle_id}}/commands/{spec.name}",
        command,
        methods=["POST"],
        summary=spec.summary,
        description=(body_model.__doc__ or "") + " Roles: pilot, admin (vehicle's organisation).",
        responses=_REFUSALS,
        name=f"command_{spec.name}",
        response_model=CommandResult,
    )


for _spec in COMMANDS.values():
    _add_command_route(_spec)
