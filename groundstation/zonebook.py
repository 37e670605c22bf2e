"""The station's no-fly and operating-area zones: stored rows compiled once into a ZoneSet."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geofence import GeofenceError, Zone, ZoneSet, ZoneSource, zones_from_geojson
from groundstation.db import Database, ZoneRecord

__all__ = ["ZoneBook", "zones_of_feature"]

_log = logging.getLogger(__name__)


def zones_of_feature(record_id: int | str, feature: dict[str, Any]) -> list[Zone]:
    """The geofence zones one stored GeoJSON Feature describes (GeofenceError if it is bad)."""
    doc = dict(feature)
    doc["id"] = f"zone-{record_id}"
    return zones_from_geojson(doc, source=ZoneSource.MANUAL, source_detail="station")


class ZoneBook:
    """Active zones compiled into one :class:`ZoneSet`, rebuilt after any zone change."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._zoneset: ZoneSet | None = None
        self.version = 0

    def invalidate(self) -> None:
        """Forget the compiled set (call after changing zones)."""
        with self._lock:
            self._zoneset = None
            self.version += 1

    def zoneset(self) -> ZoneSet:
        """The compiled active zones (built from the database on first use after a change)."""
        with self._lock:
            if self._zoneset is None:
                self._zoneset = ZoneSet(self._db.run_sync(self._load))
            return self._zoneset

    @staticmethod
    def _load(session: Session) -> Sequence[Zone]:
        zones: list[Zone] = []
        rows = session.execute(
            select(ZoneRecord.id, ZoneRecord.feature).where(ZoneRecord.active.is_(True))
        )
        for record_id, feature in rows:
            try:
                zones += zones_of_feature(record_id, feature)
            except GeofenceError as exc:
                _log.error("stored zone %s cannot be read and is skipped: %s", record_id, exc)
        return zones
