"""The event the black-flying stage publishes on the station's bus (consoles show it live)."""

from __future__ import annotations

from dataclasses import dataclass

from groundstation.events import Event

__all__ = ["BlackFlyingAlert"]


@dataclass(frozen=True, slots=True, kw_only=True)
class BlackFlyingAlert(Event):
    """An unauthorised drone was seen in video, stored, and put on an incident."""

    incident_id: int
    org_id: int
    detection_id: int
    new_incident: bool
    stream_id: str
    seen_by_system_id: int | None
    lat_deg: float | None
    lon_deg: float | None
    radius_m: float | None
    text: str
