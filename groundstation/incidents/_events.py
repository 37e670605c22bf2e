"""Events the incident service publishes on the station's bus (consoles follow them live)."""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.events import Event

__all__ = ["IncidentChanged"]


@dataclass(frozen=True, slots=True, kw_only=True)
class IncidentChanged(Event):
    """An incident was created, moved on, got a timeline entry or evidence, or was closed."""

    incident_id: int
    org_id: int
    change: str  # created, status, event, attachment, closed
    status: str
    summary: str = ""
