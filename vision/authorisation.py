"""Is a confirmed drone allowed to be there? It is when it is one of the station's own drones,
or when a cooperative report (Remote ID, ADS-B) places a flight there that holds a permit for
that place and time. Otherwise it is unauthorised, and the decision says why.

Matching is in metres on the WGS84 ellipsoid (pyproj): a drone or report matches the estimated
position when their horizontal distance is within the estimate's uncertainty radius plus the
report's own accuracy plus a gate, and their altitudes agree within the same kind of sum.
Reports older than ``max_report_age_s`` are ignored, so a flight that went quiet cannot cover
for a drone seen later.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pyproj import Geod

from vision.geolocation import PositionEstimate

__all__ = [
    "Authorisation",
    "AuthorisationSettings",
    "Basis",
    "CooperativeReport",
    "CooperativeTraffic",
    "OwnDrone",
    "Permit",
    "ReportSource",
    "authorise",
]

_GEOD = Geod(ellps="WGS84")


class ReportSource(StrEnum):
    """Which cooperative system a report came from."""

    REMOTE_ID = "remote_id"
    """ASTM F3411 Remote ID (MAVLink OPEN_DRONE_ID_*)."""
    ADSB = "adsb"
    """ADS-B (MAVLink ADSB_VEHICLE)."""


class Basis(StrEnum):
    """What a decision rests on."""

    OWN_DRONE = "own_drone"
    REMOTE_ID = "remote_id"
    ADSB = "adsb"
    NONE = "none"


def _require_aware(name: str, moment: datetime) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _require_position(name: str, lat_deg: float, lon_deg: float, *others: float) -> None:
    if not all(math.isfinite(v) for v in (lat_deg, lon_deg, *others)):
        raise ValueError(f"{name}: position must be finite")
    if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
        raise ValueError(f"{name}: position ({lat_deg}, {lon_deg}) out of range")


@dataclass(frozen=True, slots=True, kw_only=True)
class OwnDrone:
    """One of the station's drones where its telemetry last put it."""

    drone_id: str
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    accuracy_m: float = 5.0

    def __post_init__(self) -> None:
        _require_position(f"own drone {self.drone_id}", self.lat_deg, self.lon_deg, self.alt_amsl_m)


@dataclass(frozen=True, slots=True, kw_only=True)
class CooperativeReport:
    """A flight that says where it is: Remote ID (serial number, operator id) or ADS-B."""

    source: ReportSource
    ident: str
    """Remote ID UAS id (serial number or registration), or the ADS-B callsign."""
    lat_deg: float
    lon_deg: float
    alt_amsl_m: float
    at: datetime
    accuracy_m: float = 10.0
    operator_id: str = ""
    icao_address: int | None = None

    def __post_init__(self) -> None:
        _require_position(f"{self.source.value} report {self.ident!r}", self.lat_deg,
                          self.lon_deg, self.alt_amsl_m, self.accuracy_m)
        _require_aware("report time", self.at)
        if not self.ident.strip():
            raise ValueError("a cooperative report needs an identity")

    @property
    def idents(self) -> frozenset[str]:
        """Every name a permit may be issued under (case-insensitive)."""
        names = {self.ident, self.operator_id}
        if self.icao_address is not None:
            names.add(f"{self.icao_address:06X}")
        return frozenset(n.strip().upper() for n in names if n.strip())


@dataclass(frozen=True, slots=True, kw_only=True)
class Permit:
    """Leave for one flight (by UAS id, operator id, callsign or ICAO hex) to fly within a circle,
    below a ceiling, between two times."""

    permit_id: str
    ident: str
    lat_deg: float
    lon_deg: float
    radius_m: float
    valid_from: datetime
    valid_to: datetime
    ceiling_amsl_m: float | None = None

    def __post_init__(self) -> None:
        _require_position(f"permit {self.permit_id}", self.lat_deg, self.lon_deg, self.radius_m)
        _require_aware("permit start", self.valid_from)
        _require_aware("permit end", self.valid_to)
        if self.radius_m <= 0 or self.valid_to <= self.valid_from:
            raise ValueError(
                f"permit {self.permit_id}: needs radius_m > 0 and an end after its start")

    def covers(self, report: CooperativeReport) -> bool:
        """Whether the report's flight, place, height and time are within this permit."""
        if self.ident.strip().upper() not in report.idents:
            return False
        if not self.valid_from <= report.at <= self.valid_to:
            return False
        if self.ceiling_amsl_m is not None and report.alt_amsl_m > self.ceiling_amsl_m:
            return False
        distance = _distance_m(self.lat_deg, self.lon_deg, report.lat_deg, report.lon_deg)
        return distance <= self.radius_m


@dataclass(frozen=True, slots=True)
class AuthorisationSettings:
    """Gates of the matching."""

    gate_m: float = 15.0
    """Slack added to the summed uncertainties, horizontally and vertically."""
    max_report_age_s: float = 5.0


@dataclass(frozen=True, slots=True)
class Authorisation:
    """The decision on one track: authorised or not, on what basis, and why in words."""

    authorised: bool
    basis: Basis
    reason: str
    matched: str | None = None
    """The own drone's id or the report's identity that matched."""
    permit_id: str | None = None
    distance_m: float | None = None


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    _, _, d = _GEOD.inv(lon1, lat1, lon2, lat2)
    return float(d)


def _near(estimate: PositionEstimate, lat: float, lon: float, alt: float, accuracy_m: float,
          gate_m: float) -> float | None:
    """Horizontal distance when the point agrees with the estimate, else None."""
    d = _distance_m(estimate.lat_deg, estimate.lon_deg, lat, lon)
    if d > estimate.radius_m + accuracy_m + gate_m:
        return None
    if abs(alt - estimate.alt_amsl_m) > estimate.alt_sigma_m + accuracy_m + gate_m:
        return None
    return d


def authorise(
    estimate: PositionEstimate, *, at: datetime, own_drones: Iterable[OwnDrone] = (),
    reports: Iterable[CooperativeReport] = (), permits: Sequence[Permit] = (),
    settings: AuthorisationSettings | None = None,
) -> Authorisation:
    """Decide whether the drone estimated at ``estimate`` at time ``at`` is authorised."""
    _require_aware("decision time", at)
    settings = settings or AuthorisationSettings()
    own = [(d, m) for d in own_drones
           if (m := _near(estimate, d.lat_deg, d.lon_deg, d.alt_amsl_m, d.accuracy_m,
                          settings.gate_m)) is not None]
    if own:
        drone, dist = min(own, key=lambda pair: pair[1])
        return Authorisation(True, Basis.OWN_DRONE, f"own drone {drone.drone_id} {dist:.0f} m away",
                             drone.drone_id, None, dist)
    oldest = at - timedelta(seconds=settings.max_report_age_s)
    matches = sorted(
        ((m, r) for r in reports if oldest <= r.at <= at + timedelta(seconds=1)
         and (m := _near(estimate, r.lat_deg, r.lon_deg, r.alt_amsl_m, r.accuracy_m,
                         settings.gate_m)) is not None),
        key=lambda pair: pair[0])
    for dist, report in matches:
        permit = next((p for p in permits if p.covers(report)), None)
        if permit is not None:
            return Authorisation(
                True, Basis(report.source.value),
                f"{report.source.value} {report.ident} {dist:.0f} m away holds permit "
                f"{permit.permit_id}", report.ident, permit.permit_id, dist)
    if matches:
        dist, report = matches[0]
        return Authorisation(
            False, Basis(report.source.value),
            f"{report.source.value} {report.ident} {dist:.0f} m away has no permit for this "
            "place and time", report.ident, None, dist)
    return Authorisation(
        False, Basis.NONE,
        f"no own drone and no {ReportSource.REMOTE_ID.value}/{ReportSource.ADSB.value} report "
        f"within {estimate.radius_m + settings.gate_m:.0f} m of the estimate (plus their accuracy)")


class CooperativeTraffic:
    """The newest report of each cooperative flight, safe to share between threads. Past
    ``max_flights`` the reports gone stale are dropped, and then the oldest."""

    def __init__(self, max_age_s: float = 30.0, max_flights: int = 10_000) -> None:
        self.max_age_s = max_age_s
        self.max_flights = max_flights
        self._lock = threading.Lock()
        self._latest: dict[tuple[ReportSource, str], CooperativeReport] = {}

    def add(self, report: CooperativeReport) -> None:
        """Keep ``report`` as its flight's newest (an older one arriving late is ignored)."""
        key = (report.source, report.ident)
        with self._lock:
            known = self._latest.get(key)
            if known is None or known.at <= report.at:
                self._latest[key] = report
            if len(self._latest) > self.max_flights:
                oldest = report.at - timedelta(seconds=self.max_age_s)
                kept = sorted((r for r in self._latest.values() if r.at >= oldest),
                              key=lambda r: r.at)[-self.max_flights:]
                self._latest = {(r.source, r.ident): r for r in kept}

    def current(self, at: datetime) -> list[CooperativeReport]:
        """Reports no older than ``max_age_s`` at ``at``; older ones are forgotten."""
        oldest = at - timedelta(seconds=self.max_age_s)
        with self._lock:
            self._latest = {k: r for k, r in self._latest.items() if r.at >= oldest}
            return list(self._latest.values())
