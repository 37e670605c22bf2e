"""Running one API command on one vehicle: access, safety, the command itself, its audit."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from groundstation._exceptions import (
    CommandRejected,
    CommandTimeout,
    CommLost,
    SafetyRefusal,
)
from groundstation.audit import record_audit
from groundstation.auth import Forbidden, Principal, Role, org_path
from groundstation.control._safety import safety_reasons
from groundstation.control._specs import COMMANDS, CommandSpec
from groundstation.db import VehicleRecord
from groundstation.station import Station

__all__ = ["COMMAND_ROLES", "CommandOutcome", "VehicleNotFound", "run_vehicle_command"]

_log = logging.getLogger(__name__)

COMMAND_ROLES = frozenset({Role.PILOT, Role.ADMIN})
"""Who may fly a vehicle (in their organisation subtree)."""


class VehicleNotFound(LookupError):
    """No registered vehicle with that id."""


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What happened to a command the vehicle was sent."""

    vehicle_id: int
    system_id: int
    command: str
    result: str  # ACCEPTED, or IN_PROGRESS when it outlasted the response timeout


@dataclass(frozen=True, slots=True)
class _Target:
    vehicle_id: int
    system_id: int
    org_id: int
    org_path: str


def _load(session: Session, vehicle_id: int) -> _Target:
    row = session.get(VehicleRecord, vehicle_id)
    if row is None:
        raise VehicleNotFound(f"vehicle {vehicle_id} not found")
    return _Target(row.id, row.system_id, row.org_id, org_path(session, row.org_id))


def _result_of(exc: BaseException) -> str:
    if isinstance(exc, CommandRejected):
        return f"REJECTED:{exc.result}"
    if isinstance(exc, CommandTimeout):
        return "TIMEOUT"
    if isinstance(exc, CommLost):
        return "COMM_LOST"
    if isinstance(exc, SafetyRefusal):
        return "REFUSED_SAFETY"
    if isinstance(exc, Forbidden):
        return "REFUSED_ACCESS"
    return type(exc).__name__


async def run_vehicle_command(
    station: Station, user: Principal, vehicle_id: int, name: str, body: BaseModel
) -> CommandOutcome:
    """Check and send one command; every attempt, refused or not, leaves an audit record.

    Raises VehicleNotFound, Forbidden (role or organisation), SafetyRefusal (offline, battery,
    zones), CommandRejected / CommandTimeout / CommLost / UnsupportedAction from the vehicle.
    """
    spec: CommandSpec = COMMANDS[name]
    target = await station.db.run(lambda s: _load(s, vehicle_id))
    params: dict[str, Any] = body.model_dump()

    async def audit(result: str, detail: str = "") -> None:
        def write(session: Session) -> None:
            record_audit(session, actor=user, action=f"vehicle.{name}", target_type="vehicle",
                         target_id=target.vehicle_id, org_id=target.org_id, result=result,
                         detail=detail, params=params | {"system_id": target.system_id})
        await station.db.run(write)

    try:
        user.check_role(*COMMAND_ROLES)
        user.check_org(target.org_path, f"vehicle {vehicle_id}")
        vehicle = station.fleet.vehicles.get(target.system_id)
        if vehicle is None or vehicle.comm_lost:
            raise SafetyRefusal(f"vehicle {vehicle_id} is not connected",
                                reasons=["vehicle offline: no live link"])
        zones = await asyncio.to_thread(station.zones.zoneset)
        reasons = safety_reasons(
            spec, body, vehicle, zones,
            min_battery_pct=station.settings.service.command_min_battery_pct,
            margin_m=station.settings.service.command_zone_margin_m,
        )
        if reasons:
            raise SafetyRefusal(f"{name} refused: " + "; ".join(reasons), reasons=reasons)
    except (Forbidden, SafetyRefusal) as exc:
        await audit(_result_of(exc), str(exc))
        raise

    task = station.spawn(spec.call(vehicle, body), f"vehicle {vehicle_id} {name}", log_errors=False)
    done, _ = await asyncio.wait({task}, timeout=station.settings.service.command_response_timeout_s)
    if not done:
        await audit("IN_PROGRESS")
        task.add_done_callback(lambda t: _finish_late(station, t, audit))
        return CommandOutcome(target.vehicle_id, target.system_id, name, "IN_PROGRESS")
    exc = task.exception()
    if exc is not None:
        await audit(_result_of(exc), str(exc))
        raise exc
    await audit("ACCEPTED")
    return CommandOutcome(target.vehicle_id, target.system_id, name, "ACCEPTED")


def _finish_late(station: Station, task: asyncio.Task[None], audit: Any) -> None:
    """Audit the end of a command that outlasted its HTTP request."""
    if task.cancelled():
        result, detail = "CANCELLED", "station stopped"
    elif (exc := task.exception()) is not None:
        result, detail = _result_of(exc), str(exc)
    else:
        result, detail = "ACCEPTED", "completed after the response"
    station.spawn(audit(result, detail), "audit of a late command result")


