"""Patrol and overwatch routes: mission items, validation, plan files, progress tracking.

A pure library (no sockets): builders turn what a pilot means into MAVLink mission items
(geofence's :class:`~geofence.MissionItem`) that ArduPilot and PX4 both fly, :func:`validate`
lists every reason a route must not fly, readers and writers exchange routes with
QGroundControl, Mission Planner and GIS tools, and :class:`MissionTracker` turns progress and
position reports into legs done, distance and time to go, and an event log.
"""

from missions._exceptions import (
    MissingFrameError,
    MissionError,
    PlanFormatError,
    RouteError,
    RouteRefused,
    UnknownCommandError,
)
from missions._families import Autopilot, family_problems
from missions._geometry import Camera
from missions._items import command_name, same_item
from missions._path import FlightPath, PathPoint, PathProblem, flight_path
from missions._routes import (
    DockPoint,
    EndAction,
    OrbitStyle,
    Route,
    RouteEnd,
    RouteKind,
    Waypoint,
    imported_route,
    line_route,
    orbit_route,
    overwatch_route,
    perimeter_route,
    sweep_route,
    waypoint_route,
)
from missions._validate import (
    Estimate,
    Limits,
    Reason,
    ReasonCode,
    ValidationResult,
    VehicleProfile,
    estimate_flight,
    validate,
)

__all__ = [
    "Autopilot",
    "Camera",
    "DockPoint",
    "EndAction",
    "Estimate",
    "FlightPath",
    "Limits",
    "MissingFrameError",
    "MissionError",
    "OrbitStyle",
    "PathPoint",
    "PathProblem",
    "PlanFormatError",
    "Reason",
    "ReasonCode",
    "Route",
    "RouteEnd",
    "RouteError",
    "RouteKind",
    "RouteRefused",
    "UnknownCommandError",
    "ValidationResult",
    "VehicleProfile",
    "Waypoint",
    "command_name",
    "estimate_flight",
    "family_problems",
    "flight_path",
    "imported_route",
    "line_route",
    "orbit_route",
    "overwatch_route",
    "perimeter_route",
    "same_item",
    "sweep_route",
    "validate",
    "waypoint_route",
]
