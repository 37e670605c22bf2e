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
    TrackingError,
    UnknownCommandError,
)
from missions._families import Autopilot, family_problems
from missions._filemodel import PlanDocument, RouteArea, RouteFile, Unsupported
from missions._files import READERS, read_file
from missions._geometry import Camera
from missions._ground import FlatGround, GridGround, GroundError, GroundModel
from missions._items import command_name, same_item
from missions._path import FlightPath, PathPoint, PathProblem, flight_path, route_waypoints
from missions._plan_file import read_plan, write_plan
from missions._route_files import (
    read_geojson_route,
    read_kml_route,
    waypoints_to_geojson,
    waypoints_to_kml,
)
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
from missions._tracker import (
    ARRIVAL_RADIUS_M,
    MissionEvent,
    MissionEventKind,
    MissionPhase,
    MissionTracker,
    Progress,
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
from missions._wpl import read_wpl, write_wpl

__all__ = [
    "ARRIVAL_RADIUS_M",
    "READERS",
    "Autopilot",
    "Camera",
    "DockPoint",
    "EndAction",
    "Estimate",
    "FlatGround",
    "FlightPath",
    "GridGround",
    "GroundError",
    "GroundModel",
    "Limits",
    "MissingFrameError",
    "MissionError",
    "MissionEvent",
    "MissionEventKind",
    "MissionPhase",
    "MissionTracker",
    "OrbitStyle",
    "PathPoint",
    "PathProblem",
    "PlanDocument",
    "PlanFormatError",
    "Progress",
    "Reason",
    "ReasonCode",
    "Route",
    "RouteArea",
    "RouteEnd",
    "RouteError",
    "RouteFile",
    "RouteKind",
    "RouteRefused",
    "TrackingError",
    "UnknownCommandError",
    "Unsupported",
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
    "read_file",
    "read_geojson_route",
    "read_kml_route",
    "read_plan",
    "read_wpl",
    "route_waypoints",
    "same_item",
    "sweep_route",
    "validate",
    "waypoint_route",
    "waypoints_to_geojson",
    "waypoints_to_kml",
    "write_plan",
    "write_wpl",
]
