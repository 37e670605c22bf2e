"""Routes of the demo docks, built by ``missions``: overwatch for one-click launches, patrols."""

from __future__ import annotations

import math
from collections.abc import Sequence

import missions
from docks import DockInfo, FleetSpec, RouteRequest
from geofence import GeoPoint, MavCmd, MissionItem

_DOCK_RECOVERS = frozenset({MavCmd.NAV_RETURN_TO_LAUNCH, MavCmd.NAV_LAND})
"""End items left out: the dock's sortie brings the drone home and lands it in the dock."""


def _launch(dock: DockInfo) -> GeoPoint:
    lat, lon = dock.landing_point
    return GeoPoint(lat, lon, dock.alt_m)


def _without_end(items: Sequence[MissionItem]) -> list[MissionItem]:
    return [i for i in items if i.command not in _DOCK_RECOVERS]


def overwatch_items(request: RouteRequest) -> list[MissionItem]:
    """Take off over the dock, fly to the scene with the camera on it and hold until told."""
    route = missions.overwatch_route(
        _launch(request.dock), (request.target_lat_deg, request.target_lon_deg),
        alt_m=request.alt_m, hold_s=math.inf, name=f"overwatch from {request.dock.dock_id}",
        via=request.via)
    return _without_end(route.items)


def patrol_items(fleet: FleetSpec, route_id: str, dock: DockInfo) -> list[MissionItem]:
    """A named patrol route of the fleet, flown from a dock (KeyError when unknown)."""
    waypoints = [missions.Waypoint(w.lat_deg, w.lon_deg, w.alt_m) for w in fleet.routes[route_id]]
    route = missions.waypoint_route(_launch(dock), waypoints, name=route_id)
    return _without_end(route.items)
