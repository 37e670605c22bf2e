"""District coverage by the docks the caller may see (their organisation's subtree): shares
within the 1/3/5-minute rings and GeoJSON."""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

from groundstation.api.deps import CurrentUser, StationDep
from groundstation.api.routes.docks import visible_docks
from groundstation.api.schemas import Latitude, Longitude
from groundstation.dispatch import DispatchError, district_coverage
from groundstation.operations import operations_of

router = APIRouter(prefix="/coverage", tags=["dispatch"])

Corner = tuple[Latitude, Longitude]


class CoverageIn(BaseModel):
    """A district outline as (lat_deg, lon_deg) corners and the sampling cell size."""

    outline: Annotated[list[Corner], Field(min_length=3, max_length=2000)]
    cell_m: float = Field(100.0, ge=20, le=2000, allow_inf_nan=False)


class CoverageOut(BaseModel):
    """Shares (0..1) of the district per dock and ring (seconds), the fleet's union, GeoJSON."""

    area_m2: float
    cell_m: float
    per_dock: dict[str, dict[str, float]]
    union: dict[str, float]
    geojson: dict[str, Any]


@router.post("", responses={422: {"description": "bad outline or too many cells"},
                            503: {"description": "no docks on this station"}})
async def coverage(body: CoverageIn, user: CurrentUser, station: StationDep) -> CoverageOut:
    """The share of the district each of the caller's docks reaches within each ring, and their
    union (any role; another organisation's docks are neither counted nor named)."""
    ops = operations_of(station)
    if ops is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "no docks on this station")
    visible = await visible_docks(station, user)
    zones = await anyio.to_thread.run_sync(station.zones.zoneset)
    docks = [d for d in ops.dock_snapshots() if d.info.dock_id in visible]
    try:
        cov = await anyio.to_thread.run_sync(lambda: district_coverage(
            body.outline, docks, zones=zones, settings=ops.dispatch,
            launch=ops.launcher.settings.launch, timings=ops.timings, cell_m=body.cell_m,
            at=ops.clock.now()))
    except DispatchError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return CoverageOut(
        area_m2=cov.area_m2, cell_m=cov.cell_m,
        per_dock={k: {f"{r:g}": v for r, v in s.items()} for k, s in cov.per_dock.items()},
        union={f"{r:g}": v for r, v in cov.union.items()}, geojson=cov.geojson)
