"""What the station knows around a watched camera when a drone is confirmed: the camera's pose,
its own drones, cooperative traffic, flight permits and zones (read from a worker thread)."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from geofence import GeofenceError, ZoneSet
from groundstation.blackfly._settings import BlackflySettings, CameraMount, WatchSpec
from groundstation.db import FlightPermit
from groundstation.mavlink import TrafficSeen, Vehicle
from groundstation.station import Station
from vision.alerts import Surroundings
from vision.authorisation import (
    CooperativeReport,
    CooperativeTraffic,
    OwnDrone,
    Permit,
    ReportSource,
)
from vision.geolocation import CameraPose, GeolocationError

__all__ = ["SurroundingsReader", "report_of"]

_log = logging.getLogger(__name__)
_TELEMETRY_MAX_AGE_S = 5.0
_DEFAULT_TRAFFIC_ACCURACY_M = 30.0


def report_of(event: TrafficSeen) -> CooperativeReport:
    """A relayed traffic report as the authorisation check reads it."""
    return CooperativeReport(
        source=ReportSource(event.kind), ident=event.ident, lat_deg=event.lat_deg,
        lon_deg=event.lon_deg, alt_amsl_m=event.alt_amsl_m, at=event.at,
        accuracy_m=event.accuracy_m if event.accuracy_m is not None
        else _DEFAULT_TRAFFIC_ACCURACY_M,
        operator_id=event.operator_id, icao_address=event.icao_address,
    )  # fmt: skip


def _fresh(updated_s: float, now_s: float) -> bool:
    return updated_s > 0.0 and now_s - updated_s <= _TELEMETRY_MAX_AGE_S


def camera_pose(mount: CameraMount, vehicle: Vehicle | None, width_px: int,
                height_px: int) -> CameraPose | None:
    """The camera's pose now, or None when its drone's position or attitude is unknown or old."""
    optics = {"gimbal_pitch_deg": mount.gimbal_pitch_deg, "gimbal_yaw_deg": mount.gimbal_yaw_deg,
              "hfov_deg": mount.hfov_deg, "width_px": width_px, "height_px": height_px,
              "attitude_sigma_deg": mount.attitude_sigma_deg}
    try:
        if mount.lat_deg is not None and mount.lon_deg is not None and mount.alt_amsl_m is not None:
            return CameraPose(lat_deg=mount.lat_deg, lon_deg=mount.lon_deg,
                              alt_amsl_m=mount.alt_amsl_m, yaw_deg=mount.yaw_deg, **optics)
        if vehicle is None:
            return None
        pos, att = vehicle.state.position, vehicle.state.attitude
        now = time.monotonic()
        if not (_fresh(pos.updated_s, now) and _fresh(att.updated_s, now)):
            return None
        return CameraPose(lat_deg=pos.lat_deg, lon_deg=pos.lon_deg, alt_amsl_m=pos.alt_amsl_m,
                          roll_deg=att.roll_deg, pitch_deg=att.pitch_deg, yaw_deg=att.yaw_deg,
                          **optics)
    except GeolocationError as exc:
        _log.warning("camera pose unusable: %s", exc)
        return None


def own_drones(vehicles: Iterable[Vehicle], exclude: int | None) -> list[OwnDrone]:
    """The fleet's drones with a recent position (the camera's own drone left out)."""
    now = time.monotonic()
    out = []
    for v in vehicles:
        pos = v.state.position
        if v.system_id == exclude or not _fresh(pos.updated_s, now):
            continue
        if not all(math.isfinite(x) for x in (pos.lat_deg, pos.lon_deg, pos.alt_amsl_m)):
            continue
        accuracy = v.state.gps.eph_m if math.isfinite(v.state.gps.eph_m) else 5.0
        try:
            out.append(OwnDrone(drone_id=f"sysid-{v.system_id}", lat_deg=pos.lat_deg,
                                lon_deg=pos.lon_deg, alt_amsl_m=pos.alt_amsl_m,
                                accuracy_m=accuracy))
        except ValueError:
            continue
    return out


class SurroundingsReader:
    """Builds :class:`Surroundings` for a watched stream from the running station."""

    def __init__(self, station: Station, traffic: CooperativeTraffic,
                 settings: BlackflySettings) -> None:
        self._station = station
        self._traffic = traffic
        self._settings = settings
        self._lock = threading.Lock()
        self._permits: list[Permit] = []
        self._permits_loaded_s = -math.inf

    def permits(self) -> list[Permit]:
        """Permits still valid, re-read from the database every ``permits_refresh_s``."""
        with self._lock:
            now = time.monotonic()
            if now - self._permits_loaded_s >= self._settings.permits_refresh_s:
                self._permits = self._station.db.run_sync(_load_permits)
                self._permits_loaded_s = now
            return list(self._permits)

    def zones(self) -> ZoneSet | None:
        """The station's active zones (None when they cannot be compiled)."""
        try:
            return self._station.zones.zoneset()
        except GeofenceError as exc:
            _log.error("zones unavailable for the black-flying check: %s", exc)
            return None

    def read(self, spec: WatchSpec, width_px: int, height_px: int) -> Surroundings:
        """Everything the alert stage needs, now."""
        vehicles = list(self._station.fleet.vehicles.values())
        camera = next((v for v in vehicles if v.system_id == spec.camera_system_id), None)
        now = datetime.now(UTC)
        ground = None
        if camera is not None and camera.state.home.valid:
            ground = camera.state.home.alt_amsl_m
        return Surroundings(
            at=now, pose=camera_pose(spec.mount, camera, width_px, height_px),
            own_drones=own_drones(vehicles, spec.camera_system_id),
            reports=self._traffic.current(now), permits=self.permits(), zones=self.zones(),
            ground_amsl_m=ground)


def _load_permits(session: Session) -> list[Permit]:
    now = datetime.now(UTC)
    rows = session.scalars(select(FlightPermit).where(FlightPermit.valid_to >= now))
    out = []
    for r in rows:
        try:
            out.append(Permit(permit_id=f"permit-{r.id}", ident=r.ident, lat_deg=r.lat_deg,
                              lon_deg=r.lon_deg, radius_m=r.radius_m, valid_from=r.valid_from,
                              valid_to=r.valid_to, ceiling_amsl_m=r.ceiling_amsl_m))
        except ValueError as exc:
            _log.error("stored permit %s cannot be used: %s", r.id, exc)
    return out
