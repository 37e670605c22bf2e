"""The station's tables (SQLAlchemy 2 declarative). API schemas live apart, in groundstation.api.

Every table that belongs to part of the police organisation carries ``org_id``; a user may act
only on rows whose organisation lies in their own subtree (``Organisation.path`` is the
materialised path ``/1/4/9/`` of ids from the root, so a subtree is a prefix match).
Timestamps are aware UTC (:class:`UTCDateTime`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from groundstation.db._types import JSONData, UTCDateTime, utc_now

__all__ = [
    "Attachment",
    "AuditRecord",
    "Base",
    "Detection",
    "Dock",
    "Flight",
    "FlightPermit",
    "GroundUnit",
    "Incident",
    "IncidentEvent",
    "Organisation",
    "Route",
    "Schedule",
    "User",
    "VehicleRecord",
    "ZoneRecord",
]


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONData,
    }


def _created() -> Mapped[datetime]:
    return mapped_column(UTCDateTime(), default=utc_now, nullable=False)


def _org_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("organisations.id"), index=True, nullable=False)


class Organisation(Base):
    """A node of the police tree: city bureau → county bureau → police station / air team."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    path: Mapped[str] = mapped_column(String(512), nullable=False, default="", index=True)
    created_at: Mapped[datetime] = _created()

    parent: Mapped[Organisation | None] = relationship(remote_side=[id])


class User(Base):
    """A person or a service account (role ``automation``, authenticated by API key)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    role: Mapped[str] = mapped_column(String(32), nullable=False)
    org_id: Mapped[int] = _org_fk()
    password_hash: Mapped[str | None] = mapped_column(String(256))
    api_key_prefix: Mapped[str | None] = mapped_column(String(32), unique=True)
    api_key_hash: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    token_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = _created()

    org: Mapped[Organisation] = relationship()


class Dock(Base):
    """An automated dock (its live state is kept by ``docks``; this is its registration)."""

    __tablename__ = "docks"

    id: Mapped[int] = mapped_column(primary_key=True)
    dock_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_id: Mapped[int] = _org_fk()
    lat_deg: Mapped[float] = mapped_column(Float, nullable=False)
    lon_deg: Mapped[float] = mapped_column(Float, nullable=False)
    alt_amsl_m: Mapped[float] = mapped_column(Float, nullable=False, default=0.0)
    created_at: Mapped[datetime] = _created()


class VehicleRecord(Base):
    """A registered drone: its MAVLink system id, owning organisation and performance."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    system_id: Mapped[int] = mapped_column(Integer, unique=True, nullable=False)
    org_id: Mapped[int] = _org_fk()
    model: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    dock_id: Mapped[int | None] = mapped_column(ForeignKey("docks.id"))
    cruise_speed_mps: Mapped[float] = mapped_column(Float, nullable=False, default=12.0)
    created_at: Mapped[datetime] = _created()


class GroundUnit(Base):
    """A patrol car, police platform or officer with a last known location."""

    __tablename__ = "ground_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    org_id: Mapped[int] = _org_fk()
    lat_deg: Mapped[float] = mapped_column(Float, nullable=False)
    lon_deg: Mapped[float] = mapped_column(Float, nullable=False)
    available: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = _created()


class ZoneRecord(Base):
    """A geofence zone stored as one GeoJSON Feature (read by ``geofence.zones_from_geojson``)."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_id: Mapped[int] = _org_fk()
    feature: Mapped[dict[str, Any]] = mapped_column(nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = _created()


class Route(Base):
    """A patrol or overwatch route: waypoints ``[[lat, lon, alt_m], ...]``."""

    __tablename__ = "routes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_id: Mapped[int] = _org_fk()
    waypoints: Mapped[list[Any]] = mapped_column(JSONData, nullable=False)
    updated_at: Mapped[datetime] = _created()


class Schedule(Base):
    """A patrol schedule: a route flown from a dock on a cron rule in a time zone."""

    __tablename__ = "schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_id: Mapped[int] = _org_fk()
    route_id: Mapped[int | None] = mapped_column(ForeignKey("routes.id"))
    dock_id: Mapped[int | None] = mapped_column(ForeignKey("docks.id"))
    cron: Mapped[str] = mapped_column(String(100), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False, default="Asia/Shanghai")
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    updated_at: Mapped[datetime] = _created()


class Incident(Base):
    """A police incident: where, what, how urgent, who reported it, and how it ended."""

    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_incident_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = _org_fk()
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="open", index=True)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="api")
    external_id: Mapped[str | None] = mapped_column(String(128))
    lat_deg: Mapped[float] = mapped_column(Float, nullable=False)
    lon_deg: Mapped[float] = mapped_column(Float, nullable=False)
    address: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    reporter_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    reporter_phone: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_at: Mapped[datetime] = _created()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")

    events: Mapped[list[IncidentEvent]] = relationship(
        order_by="IncidentEvent.id", back_populates="incident"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", back_populates="incident"
    )


class IncidentEvent(Base):
    """One line of an incident's timeline."""

    __tablename__ = "incident_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True, nullable=False)
    at: Mapped[datetime] = _created()
    kind: Mapped[str] = mapped_column(String(64), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    actor: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    data: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)

    incident: Mapped[Incident] = relationship(back_populates="events")


class Attachment(Base):
    """Evidence on an incident: a file under ``data_dir/attachments`` with its digest."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(128), nullable=False)
    stored_path: Mapped[str] = mapped_column(String(512), nullable=False)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = _created()
    created_by: Mapped[str] = mapped_column(String(64), nullable=False, default="")

    incident: Mapped[Incident] = relationship(back_populates="attachments")


class Detection(Base):
    """A drone seen in video by ``vision`` (authorised or not), optionally tied to an incident."""

    __tablename__ = "detections"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = _org_fk()
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    seen_by_system_id: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    track_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    label: Mapped[str] = mapped_column(String(64), nullable=False, default="drone")
    confidence: Mapped[float] = mapped_column(Float, nullable=False)
    authorised: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    lat_deg: Mapped[float | None] = mapped_column(Float)
    lon_deg: Mapped[float | None] = mapped_column(Float)
    data: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)


class FlightPermit(Base):
    """Leave for one cooperative flight (Remote ID UAS id or operator id, ADS-B callsign or
    ICAO hex) to fly within a circle, below a ceiling, between two times. A drone seen in video
    that matches such a flight is authorised (``vision.authorisation``)."""

    __tablename__ = "flight_permits"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    org_id: Mapped[int] = _org_fk()
    ident: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    lat_deg: Mapped[float] = mapped_column(Float, nullable=False)
    lon_deg: Mapped[float] = mapped_column(Float, nullable=False)
    radius_m: Mapped[float] = mapped_column(Float, nullable=False)
    ceiling_amsl_m: Mapped[float | None] = mapped_column(Float)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    valid_to: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    updated_at: Mapped[datetime] = _created()


class Flight(Base):
    """One flight of one vehicle (arm → disarm) and its telemetry log file (.tlog)."""

    __tablename__ = "flights"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_id: Mapped[int] = mapped_column(Integer, index=True, nullable=False)
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    tlog_path: Mapped[str] = mapped_column(String(512), nullable=False)
    frames: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class AuditRecord(Base):
    """Append-only record of a command or change: who, when, what, target, parameters, result.

    The migration installs database triggers that refuse UPDATE and DELETE on this table.
    """

    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    actor_role: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    org_id: Mapped[int | None] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    target_type: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    target_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    params: Mapped[dict[str, Any]] = mapped_column(nullable=False, default=dict)
    result: Mapped[str] = mapped_column(String(64), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False, default="")
