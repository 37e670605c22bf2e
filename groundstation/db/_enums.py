"""Enumerations stored in the database (as their string values)."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "AttachmentKind",
    "GroundUnitKind",
    "IncidentSource",
    "IncidentStatus",
    "OrgKind",
    "Role",
]


class Role(StrEnum):
    """What a user may do; every endpoint names the roles it allows (deny by default)."""

    ADMIN = "admin"
    PILOT = "pilot"
    COMMANDER = "commander"
    AUTOMATION = "automation"
    VIEWER = "viewer"


class OrgKind(StrEnum):
    """Levels of the police organisation tree."""

    CITY_BUREAU = "city_bureau"
    COUNTY_BUREAU = "county_bureau"
    POLICE_STATION = "police_station"
    AIR_TEAM = "air_team"


class IncidentStatus(StrEnum):
    """An incident's life: open → dispatched → on_scene → closed (closing from any state).

    ``advance`` is the one transition method; it refuses moves backwards and out of closed.
    """

    OPEN = "open"
    DISPATCHED = "dispatched"
    ON_SCENE = "on_scene"
    CLOSED = "closed"

    def advance(self, new: IncidentStatus) -> IncidentStatus:
        """The next status, or ValueError when the move is not allowed."""
        order = list(IncidentStatus)
        if self is IncidentStatus.CLOSED:
            raise ValueError("incident is closed")
        if order.index(new) <= order.index(self):
            raise ValueError(f"cannot go from {self.value} to {new.value}")
        return new


class IncidentSource(StrEnum):
    """Where an incident came from."""

    API = "api"
    CONSOLE = "console"
    CALL_TAKING = "call_taking"
    DETECTION = "detection"


class AttachmentKind(StrEnum):
    """Evidence attached to an incident."""

    SNAPSHOT = "snapshot"
    CLIP = "clip"
    DETECTION = "detection"
    DOCUMENT = "document"


class GroundUnitKind(StrEnum):
    """Ground units that can take an incident."""

    PATROL_CAR = "patrol_car"
    POLICE_PLATFORM = "police_platform"
    OFFICER = "officer"
