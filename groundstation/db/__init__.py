"""Storage: SQLAlchemy 2 tables, Alembic migrations (applied at start-up), sessions.

    db = Database(settings)        # SQLite (WAL) in settings.data_dir, or settings.storage.database_url
    db.open()                      # migrate to head
    with db.session() as s:        # one transaction
        s.add(Incident(...))
    await db.run(lambda s: s.get(Incident, 1))     # from async code: on a worker thread
"""

from groundstation.db._engine import Database, database_url, migrate
from groundstation.db._enums import (
    AttachmentKind,
    GroundUnitKind,
    IncidentSource,
    IncidentStatus,
    OrgKind,
    Role,
)
from groundstation.db._models import (
    Attachment,
    AuditRecord,
    Base,
    Detection,
    Dock,
    Flight,
    FlightPermit,
    GroundUnit,
    Incident,
    IncidentEvent,
    Organisation,
    Route,
    Schedule,
    User,
    VehicleRecord,
    ZoneRecord,
)
from groundstation.db._types import UTCDateTime, utc_now

__all__ = [
    "Attachment",
    "AttachmentKind",
    "AuditRecord",
    "Base",
    "Database",
    "Detection",
    "Dock",
    "Flight",
    "FlightPermit",
    "GroundUnit",
    "GroundUnitKind",
    "Incident",
    "IncidentEvent",
    "IncidentSource",
    "IncidentStatus",
    "OrgKind",
    "Organisation",
    "Role",
    "Route",
    "Schedule",
    "UTCDateTime",
    "User",
    "VehicleRecord",
    "ZoneRecord",
    "database_url",
    "migrate",
    "utc_now",
]
