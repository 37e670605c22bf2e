"""Patrol schedules the docks' scheduler runs (``/api/operations/schedules``): create, read, replace, delete (audited), and each one's run history."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, status
from pydantic import AwareDatetime, BaseModel, Field, ValidationError

from docks import MissedPolicy, PatrolRun, PatrolSchedule, Scheduler, ScheduleRefused
from groundstation.api.deps import CurrentUser, StationDep, require_role
from groundstation.api.routes.docks import live_dock, visible_docks
from groundstation.audit import record_audit
from groundstation.auth import Principal, Role
from groundstation.operations import operations_of
from groundstation.station import Station

router = APIRouter(prefix="/operations/schedules", tags=["operations"])

ScheduleId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Planner = Annotated[Principal, Depends(require_role(Role.ADMIN, Role.COMMANDER, Role.AUTOMATION))]


class ScheduleIn(BaseModel):
    """A patrol: a dock flies a named route on a cron rule (or once ``at``) in a time zone."""

    dock_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    route_id: str = Field(min_length=1, max_length=128)
    cron: str | None = Field(None, max_length=100)
    at: AwareDatetime | None = None
    timezone: str = Field("Asia/Shanghai", max_length=64)
    missed: MissedPolicy = MissedPolicy.RUN_LATEST
    enabled: bool = True


class ScheduleCreate(ScheduleIn):
    """A new schedule with its id."""

    schedule_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")


def _scheduler(station: Station) -> Scheduler:
    ops = operations_of(station)
    if ops is None or ops.scheduler is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no patrol scheduler on this station")
    return ops.scheduler


async def _find(scheduler: Scheduler, schedule_id: str) -> PatrolSchedule:
    for schedule in await scheduler.store.list_schedules():
        if schedule.schedule_id == schedule_id:
            return schedule
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"schedule {schedule_id} not found")


async def _audit(station: Station, user: Principal, org_id: int | None, action: str,
                 schedule_id: str, params: dict[str, Any]) -> None:
    await station.db.run(lambda s: record_audit(
        s, actor=user, action=action, target_type="schedule", target_id=schedule_id,
        params=params, result="ok", org_id=org_id))


async def _save(station: Station, user: Principal, schedule_id: str, body: ScheduleIn,
                created_at: datetime, action: str) -> PatrolSchedule:
    scheduler = _scheduler(station)
    dock, org_id = await live_dock(station, body.dock_id, user)
    try:
        scheduler.routes(body.route_id, dock.info)
    except KeyError:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"unknown route {body.route_id!r}") from None
    try:
        schedule = PatrolSchedule(schedule_id=schedule_id, created_at=created_at,
                                  **body.model_dump(exclude={"schedule_id"}))
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            [e["msg"] for e in exc.errors()]) from None
    try:
        await scheduler.add(schedule)
    except ScheduleRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    await _audit(station, user, org_id, action, schedule_id, body.model_dump(mode="json"))
    return schedule


@router.get("")
async def list_patrol_schedules(user: CurrentUser, station: StationDep) -> list[PatrolSchedule]:
    """Schedules of the docks the user may see."""
    scheduler = _scheduler(station)
    visible = await visible_docks(station, user)
    return [s for s in await scheduler.store.list_schedules() if s.dock_id in visible]


@router.post("", status_code=201)
async def create_patrol_schedule(body: ScheduleCreate, user: Planner, station: StationDep) -> PatrolSchedule:
    """Add a patrol schedule (admin, commander, automation)."""
    scheduler = _scheduler(station)
    if any(s.schedule_id == body.schedule_id for s in await scheduler.store.list_schedules()):
        raise HTTPException(status.HTTP_409_CONFLICT, f"schedule {body.schedule_id} exists")
    return await _save(station, user, body.schedule_id, body, scheduler.clock.now(),
                       "schedule.create")


@router.get("/{schedule_id}")
async def get_patrol_schedule(schedule_id: ScheduleId, user: CurrentUser,
                       station: StationDep) -> PatrolSchedule:
    """One schedule."""
    schedule = await _find(_scheduler(station), schedule_id)
    await live_dock(station, schedule.dock_id, user)
    return schedule


@router.put("/{schedule_id}")
async def replace_patrol_schedule(schedule_id: ScheduleId, body: ScheduleIn, user: Planner,
                  station: StationDep) -> PatrolSchedule:
    """Replace a schedule (admin, commander, automation)."""
    old = await _find(_scheduler(station), schedule_id)
    await live_dock(station, old.dock_id, user)
    return await _save(station, user, schedule_id, body, old.created_at, "schedule.update")


@router.delete("/{schedule_id}", status_code=204)
async def delete_patrol_schedule(schedule_id: ScheduleId, user: Planner, station: StationDep) -> None:
    """Remove a schedule; its run history stays (admin, commander, automation)."""
    scheduler = _scheduler(station)
    old = await _find(scheduler, schedule_id)
    _, org_id = await live_dock(station, old.dock_id, user)
    await scheduler.remove(schedule_id)
    await _audit(station, user, org_id, "schedule.delete", schedule_id, {})


@router.get("/{schedule_id}/runs")
async def runs(schedule_id: ScheduleId, user: CurrentUser, station: StationDep) -> list[PatrolRun]:
    """The schedule's runs, oldest first: launched, completed, skipped with reasons, failed."""
    scheduler = _scheduler(station)
    history = await scheduler.history(schedule_id)
    dock_id = history[0].dock_id if history else (await _find(scheduler, schedule_id)).dock_id
    await live_dock(station, dock_id, user)
    return history
