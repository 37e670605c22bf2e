""""Request overhead video": send the best drone to an incident with one click, and hand an
incident to the nearest ground unit, each on the incident's timeline and in the audit log."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from pyproj import Geod
from sqlalchemy import select
from sqlalchemy.orm import Session

from docks import HoldMode
from groundstation.audit import STATION, Actor, record_audit
from groundstation.db import GroundUnit as GroundUnitRow
from groundstation.db import Incident, IncidentStatus, Organisation
from groundstation.dispatch import (
    CandidateKind,
    DispatchPlan,
    GroundAssignment,
    GroundUnit,
    RankedCandidate,
    Scene,
    nearest_ground_unit,
)
from groundstation.incidents import IncidentChanged, add_timeline_event, set_status
from groundstation.operations._runtime import Operations

_log = logging.getLogger(__name__)
_GEOD = Geod(ellps="WGS84")
VIDEO_SERVICE = "video"
"""Where the video extension keeps its hub (``groundstation.video.station.SERVICE_KEY``); a
drone's stream carries the drone's id."""
VIDEO_WAIT_S = 15.0
"""How long after arrival a drone's stream may still appear and be put on the incident."""


class DispatchRefused(Exception):
    """No candidate may be sent (or the one asked for may not); carries each one's reasons."""

    def __init__(self, message: str, reasons: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.reasons = reasons


@dataclass(frozen=True, slots=True)
class Sent:
    """A drone on its way to an incident."""

    incident_id: int
    candidate: RankedCandidate
    hold: HoldMode


class Dispatcher:
    """Ranks, sends and hands off for incidents; remembers which drone serves which incident."""

    def __init__(self, ops: Operations) -> None:
        self.ops = ops
        self.assigned: dict[str, int] = {}
        """Drone id -> incident it was sent to (those drones are busy for other incidents)."""

    async def plan_for(self, incident_id: int) -> DispatchPlan:
        """The ranking for an incident's location, with its organisation's ground units."""
        lat, lon, _org, units = await self.ops.station.db.run(
            lambda s: _incident_and_units(s, incident_id))
        return await self.ops.plan(lat, lon, units, busy=self._busy())

    async def send(
        self, incident_id: int, *, actor: Actor, candidate_id: str | None = None,
        hold: HoldMode = HoldMode.HOVER,
    ) -> Sent:
        """Send the best eligible drone (or the one named) over the incident; return at once.

        Raises DispatchRefused (audited as ``dispatch.send`` REFUSED) when no drone may go, the
        named one may not, or an orbit over the scene would enter a no-fly zone.
        """
        lat, lon, org_id, units = await self.ops.station.db.run(
            lambda s: _incident_and_units(s, incident_id))
        # a named candidate may be one whose path the ranking did not need: plan them all
        plan = await self.ops.plan(lat, lon, units, busy=self._busy(),
                                   complete=candidate_id is not None)
        try:
            chosen = _chosen(plan, candidate_id)
            if hold is HoldMode.ORBIT and (conflicts := await self.ops.orbit_conflicts(lat, lon)):
                raise DispatchRefused("an orbit over the incident would enter a no-fly zone; "
                                      "send it to hover", {chosen.candidate_id: conflicts})
        except DispatchRefused as exc:
            await self._note(incident_id, "dispatch_refused", str(exc), actor,
                             {"candidate": candidate_id, "hold": hold.value,
                              "reasons": exc.reasons}, audit="dispatch.send", result="REFUSED")
            raise
        if chosen.drone_id:
            self.assigned[chosen.drone_id] = incident_id
        data = {"candidate": chosen.candidate_id, "kind": chosen.kind.value,
                "drone_id": chosen.drone_id, "dock_id": chosen.dock_id,
                "eta_s": round(chosen.eta_s, 1), "distance_m": round(chosen.distance_m, 1),
                "ring_s": chosen.ring_s, "hold": hold.value}
        await self._note(incident_id, "dispatch",
                         f"overhead video requested: {chosen.candidate_id} ({chosen.kind.value}), "
                         f"ETA {chosen.eta_s:.0f} s", actor, data, audit="dispatch.send",
                         status=IncidentStatus.DISPATCHED)
        self.ops.station.spawn(self._fly(incident_id, chosen, lat, lon, hold),
                               f"dispatch {chosen.candidate_id} to incident {incident_id}")
        _log.info("incident %s: sent %s (org %s)", incident_id, chosen.candidate_id, org_id)
        return Sent(incident_id, chosen, hold)

    async def handoff(
        self, incident_id: int, *, actor: Actor, unit_id: int | None = None
    ) -> GroundAssignment:
        """Hand the incident to a ground unit (the nearest available one unless named)."""
        def write(session: Session) -> tuple[GroundAssignment, IncidentChanged]:
            lat, lon, _org, units = _incident_and_units(session, incident_id)
            pool = [u for u in units if unit_id is None or u.unit_id == str(unit_id)]
            choice = nearest_ground_unit(Scene(lat, lon), pool, self.ops.dispatch)
            if choice is None:
                raise LookupError("no available ground unit" if unit_id is None
                                  else f"ground unit {unit_id} is not available")
            row = session.get(GroundUnitRow, int(choice.unit.unit_id))
            assert row is not None
            row.available = False
            incident = session.get(Incident, incident_id)
            assert incident is not None
            data = {"unit_id": row.id, "unit": row.name, "distance_m": round(choice.distance_m),
                    "eta_s": round(choice.eta_s)}
            _, changed = add_timeline_event(session, incident, kind="handoff",
                                            text=f"handed to {row.name}", actor=actor, data=data)
            record_audit(session, actor=actor, action="incident.handoff", target_type="incident",
                         target_id=incident_id, org_id=incident.org_id, result="ok", params=data)
            return choice, changed

        choice, changed = await self.ops.station.db.run(write)
        self.ops.station.publish(changed)
        return choice

    def _busy(self) -> dict[str, str]:
        return {d: f"sent to incident {i}" for d, i in self.assigned.items()}

    async def _fly(self, incident_id: int, chosen: RankedCandidate, lat: float, lon: float,
                   hold: HoldMode) -> None:
        try:
            if chosen.kind is CandidateKind.DOCK:
                assert chosen.dock_id is not None
                sortie = await self.ops.launcher.launch(
                    lat, lon, hold=hold, dock_id=chosen.dock_id, purpose=f"incident {incident_id}",
                    via=chosen.path[1:-1])
                arrived = sortie.state.value
                detail: dict[str, Any] = {"sortie": sortie.sortie_id, "state": arrived}
            else:
                assert chosen.drone_id is not None
                for corner_lat, corner_lon in chosen.path[1:-1]:  # around no-fly zones, in order
                    await self.ops.send_airborne(chosen.drone_id, corner_lat, corner_lon,
                                                 HoldMode.HOVER)
                    await self._arrive(chosen, corner_lat, corner_lon,
                                        self.ops.launcher.settings.launch.corner_radius_m)
                await self.ops.send_airborne(chosen.drone_id, lat, lon, hold)
                await self._arrive(chosen, lat, lon)
                detail = {"drone_id": chosen.drone_id}
        except Exception as exc:  # noqa: BLE001 - any failure goes on the record
            self.assigned.pop(chosen.drone_id or "", None)
            await self._note(incident_id, "dispatch_failed",
                             f"{chosen.candidate_id} did not reach the scene: {exc}", STATION,
                             {"candidate": chosen.candidate_id}, audit="dispatch.arrive",
                             result=f"failed: {exc}")
            return
        detail["candidate"] = chosen.candidate_id
        detail["video"] = await self._attach_video(incident_id, chosen.drone_id)
        await self._note(incident_id, "on_scene",
                         f"{chosen.drone_id or chosen.candidate_id} overhead ({hold.value})",
                         STATION, detail, audit="dispatch.arrive", status=IncidentStatus.ON_SCENE)

    async def _attach_video(self, incident_id: int, drone_id: str | None) -> str | None:
        """Attach the drone's video stream (named after the drone) to the incident; a stream
        not open yet (its camera just started) is attached when it appears, if it does soon."""
        hub = self.ops.station.services.get(VIDEO_SERVICE)
        if hub is None or drone_id is None:
            return None
        if drone_id not in hub.stream_ids():
            self.ops.station.spawn(self._attach_when_open(hub, incident_id, drone_id),
                                   f"video of {drone_id} for incident {incident_id}")
            return None
        await anyio.to_thread.run_sync(hub.attach_to_incident, drone_id, str(incident_id))
        return drone_id

    async def _attach_when_open(self, hub: Any, incident_id: int, drone_id: str) -> None:
        deadline = anyio.current_time() + VIDEO_WAIT_S
        while drone_id not in hub.stream_ids():
            if anyio.current_time() > deadline:
                _log.info("incident %d: %s has no video stream", incident_id, drone_id)
                return
            await anyio.sleep(0.2)
        if self.assigned.get(drone_id) != incident_id:
            return  # sent elsewhere meanwhile
        await anyio.to_thread.run_sync(hub.attach_to_incident, drone_id, str(incident_id))
        await self._note(incident_id, "video", f"overhead video from {drone_id}", STATION,
                         {"stream_id": drone_id}, audit="video.attach")

    async def _arrive(self, chosen: RankedCandidate, lat: float, lon: float,
                      radius_m: float | None = None) -> None:
        """Wait until the drone is within ``radius_m`` (default: the on-scene radius) of a point."""
        vehicle = self.ops.vehicle_named(chosen.drone_id or "")
        if vehicle is None:
            raise LookupError(f"drone {chosen.drone_id} is gone")
        radius = radius_m or self.ops.launcher.settings.launch.on_scene_radius_m

        def near(state: Any) -> bool:
            p = state.position
            _, _, d = _GEOD.inv(p.lon_deg, p.lat_deg, lon, lat)
            return bool(d <= radius)

        limit_s = chosen.eta_s + self.ops.launcher.settings.launch.transit_margin_s
        await vehicle.wait_until(near, limit_s)

    async def _note(
        self, incident_id: int, kind: str, text: str, actor: Actor, data: dict[str, Any], *,
        audit: str, status: IncidentStatus | None = None, result: str = "ok",
    ) -> None:
        def write(session: Session) -> list[IncidentChanged]:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise LookupError(f"incident {incident_id} not found")
            changes = []
            if incident.status != IncidentStatus.CLOSED.value:
                changes.append(add_timeline_event(session, incident, kind=kind, text=text,
                                                  actor=actor, data=data)[1])
                current = IncidentStatus(incident.status)
                if status is not None and list(IncidentStatus).index(status) > list(
                        IncidentStatus).index(current):
                    changes.append(set_status(session, incident, status, actor=actor))
            record_audit(session, actor=actor, action=audit, target_type="incident",
                         target_id=incident_id, org_id=incident.org_id, result=result, params=data)
            return changes

        for changed in await self.ops.station.db.run(write):
            self.ops.station.publish(changed)


def _chosen(plan: DispatchPlan, candidate_id: str | None) -> RankedCandidate:
    """The best eligible candidate, or the one named; DispatchRefused with everyone's reasons."""
    reasons = {c.candidate_id: [e.text for e in c.exclusions] for c in plan.candidates}
    if candidate_id is None:
        chosen = plan.best
    else:
        chosen = next((c for c in plan.candidates if c.candidate_id == candidate_id), None)
        if chosen is None:
            raise DispatchRefused(f"no candidate {candidate_id!r}", reasons)
    if chosen is None or not chosen.eligible:
        raise DispatchRefused("no drone may be sent to this incident", reasons)
    return chosen


DISPATCHER_NAME = "dispatcher"


def dispatcher_of(station: Any) -> Dispatcher | None:
    """The station's dispatcher, when an extension composed docks."""
    found = station.services.get(DISPATCHER_NAME)
    return found if isinstance(found, Dispatcher) else None


def _incident_and_units(
    session: Session, incident_id: int
) -> tuple[float, float, int, list[GroundUnit]]:
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise LookupError(f"incident {incident_id} not found")
    org = session.get(Organisation, incident.org_id)
    path = org.path if org is not None else ""
    rows = session.scalars(
        select(GroundUnitRow).join(Organisation, Organisation.id == GroundUnitRow.org_id)
        .where(Organisation.path.startswith(path, autoescape=True))).all()
    units = [GroundUnit(str(r.id), r.name, r.lat_deg, r.lon_deg, r.available) for r in rows]
    return incident.lat_deg, incident.lon_deg, incident.org_id, units
