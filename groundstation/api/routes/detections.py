"""Drones seen in video (``groundstation.blackfly``): list and read, scoped to the user's
organisations. Evidence files are the incident's attachments (ids in ``data.attachment_ids``,
files at ``/api/incidents/{incident_id}/attachments/{id}/file``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from groundstation.api.deps import StationDep, require_role, scoped_row
from groundstation.api.schemas import ORMModel
from groundstation.auth import Principal, Role
from groundstation.db import Detection, Organisation

router = APIRouter(prefix="/detections", tags=["detections"])

Reader = Annotated[Principal, Depends(require_role(
    Role.VIEWER, Role.COMMANDER, Role.PILOT, Role.ADMIN))]
DetectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class DetectionOut(ORMModel):
    """A stored detection: when, where (if located), how sure, why it alarmed, its evidence."""

    id: int
    org_id: int
    incident_id: int | None
    seen_by_system_id: int | None
    at: datetime
    track_id: str
    label: str
    confidence: float
    authorised: bool
    lat_deg: float | None
    lon_deg: float | None
    data: dict[str, Any]


@router.get("")
async def list_detections(
    user: Reader, station: StationDep,
    incident_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> list[DetectionOut]:
    """Detections of the user's subtree, newest first (optionally of one incident)."""
    def read(session: Session) -> list[DetectionOut]:
        stmt = (select(Detection).join(Organisation, Organisation.id == Detection.org_id)
                .where(user.subtree()))
        if incident_id is not None:
            stmt = stmt.where(Detection.incident_id == incident_id)
        rows = session.scalars(stmt.order_by(Detection.id.desc()).offset(offset).limit(limit))
        return [DetectionOut.model_validate(r) for r in rows]
    return await station.db.run(read)


@router.get("/{detection_id}")
async def get_detection(detection_id: DetectionId, user: Reader,
                        station: StationDep) -> DetectionOut:
    """One detection (404 unknown, 403 outside the user's organisations)."""
    return await station.db.run(lambda s: DetectionOut.model_validate(
        scoped_row(s, Detection, detection_id, user, "detection")))
