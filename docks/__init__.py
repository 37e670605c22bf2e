"""Automated docks: the dock model and state machine, its MQTT protocol and drivers (simulated and
MQTT), the one-click launch sequence, and patrol schedules.

A library: it imports neither the station nor MAVLink. It flies drones through the small
``Drone`` Protocol, which the station's vehicle satisfies, and builds and checks routes through
injected callables (``missions`` builds overwatch routes, ``geofence`` checks zones).
"""

from docks._clock import Clock, ScaledClock
from docks._cron import CronSpec
from docks._dock import Dock
from docks._driver import DockDriver, ServiceResult
from docks._drone import Drone, DronePosition, LandedState, wait_for_drone
from docks._exceptions import (
    DockError,
    DockTimeout,
    DockUnavailable,
    DroneCommandFailed,
    IllegalTransition,
    LaunchAborted,
    LaunchRefused,
    ScheduleRefused,
    ServiceFailed,
    StoreError,
)
from docks._fleet import DroneSpec, FleetSpec, PatrolSpec, SimFleet, Waypoint, load_fleet
from docks._geo import LatLon
from docks._launch import Launcher
from docks._model import (
    IDLE_STATES,
    TRANSITIONS,
    AlarmLevel,
    AuditRecord,
    AuditSink,
    ChargeState,
    DockAlarm,
    DockEvent,
    DockInfo,
    DockMode,
    DockPower,
    DockReadings,
    DockState,
    DoorState,
    NetworkQuality,
    OnlineChanged,
    RainLevel,
    RallyPoint,
    ReadingsChanged,
    ServiceProgress,
    StateChanged,
    Transition,
)
from docks._mqtt_agent import DockAgent
from docks._mqtt_station import BusStats, DockBus, MqttDockDriver
from docks._preflight import (
    Candidate,
    DroneProfile,
    HoldMode,
    LegChecker,
    RouteBuilder,
    RouteChecker,
    RouteRequest,
)
from docks._protocol import ProtocolViolation, Topics
from docks._schedule import RouteProvider, Scheduler
from docks._schedule_model import MissedPolicy, PatrolSchedule
from docks._services import DockService, ReasonCode, ServiceStatus
from docks._settings import (
    DockSettings,
    LaunchSettings,
    MqttSettings,
    ScheduleSettings,
    ServiceTimeouts,
)
from docks._sim import (
    ChargingCurve,
    DockedDrone,
    DockFault,
    SimTimings,
    SimulatedDock,
    Weather,
    WeatherScript,
)
from docks._sim_driver import SimDockDriver
from docks._sortie import LaunchReport, Sortie, SortieState, StepRecord
from docks._store import JsonFileStore, PatrolRun, RunStatus, ScheduleStore
from docks._tasks import cancel_and_wait
from docks._ways import Way, WayFinder, straight_ways
from docks._zones import leg_checker, route_points, zone_checker

__all__ = [
    "IDLE_STATES",
    "TRANSITIONS",
    "AlarmLevel",
    "AuditRecord",
    "AuditSink",
    "BusStats",
    "Candidate",
    "ChargeState",
    "ChargingCurve",
    "Clock",
    "CronSpec",
    "Dock",
    "DockAgent",
    "DockAlarm",
    "DockBus",
    "DockDriver",
    "DockError",
    "DockEvent",
    "DockFault",
    "DockInfo",
    "DockMode",
    "DockPower",
    "DockReadings",
    "DockService",
    "DockSettings",
    "DockState",
    "DockTimeout",
    "DockUnavailable",
    "DockedDrone",
    "DoorState",
    "Drone",
    "DroneCommandFailed",
    "DronePosition",
    "DroneProfile",
    "DroneSpec",
    "FleetSpec",
    "HoldMode",
    "IllegalTransition",
    "JsonFileStore",
    "LandedState",
    "LatLon",
    "LaunchAborted",
    "LaunchRefused",
    "LaunchReport",
    "LaunchSettings",
    "Launcher",
    "LegChecker",
    "MissedPolicy",
    "MqttDockDriver",
    "MqttSettings",
    "NetworkQuality",
    "OnlineChanged",
    "PatrolRun",
    "PatrolSchedule",
    "PatrolSpec",
    "ProtocolViolation",
    "RainLevel",
    "RallyPoint",
    "ReadingsChanged",
    "ReasonCode",
    "RouteBuilder",
    "RouteChecker",
    "RouteProvider",
    "RouteRequest",
    "RunStatus",
    "ScaledClock",
    "ScheduleRefused",
    "ScheduleSettings",
    "ScheduleStore",
    "Scheduler",
    "ServiceFailed",
    "ServiceProgress",
    "ServiceResult",
    "ServiceStatus",
    "ServiceTimeouts",
    "SimDockDriver",
    "SimFleet",
    "SimTimings",
    "SimulatedDock",
    "Sortie",
    "SortieState",
    "StateChanged",
    "StepRecord",
    "StoreError",
    "Topics",
    "Transition",
    "Way",
    "WayFinder",
    "Waypoint",
    "Weather",
    "WeatherScript",
    "cancel_and_wait",
    "leg_checker",
    "load_fleet",
    "route_points",
    "straight_ways",
    "wait_for_drone",
    "zone_checker",
]
