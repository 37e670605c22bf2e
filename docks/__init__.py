"""Automated docks: the dock model and state machine, its MQTT protocol and drivers (simulated and
MQTT), the one-click launch sequence, and patrol schedules.

A library: it imports neither the station nor MAVLink. It flies drones through the small
``Drone`` Protocol, which the station's vehicle satisfies, and builds and checks routes through
injected callables (``missions`` builds overwatch routes, ``geofence`` checks zones).
"""

from docks._clock import Clock, ScaledClock
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
    ServiceFailed,
    StoreError,
)
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
    RouteBuilder,
    RouteChecker,
    RouteRequest,
)
from docks._protocol import ProtocolViolation, Topics
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
    "HoldMode",
    "IllegalTransition",
    "LandedState",
    "LaunchAborted",
    "LaunchRefused",
    "LaunchReport",
    "LaunchSettings",
    "Launcher",
    "MqttDockDriver",
    "MqttSettings",
    "NetworkQuality",
    "OnlineChanged",
    "ProtocolViolation",
    "RainLevel",
    "RallyPoint",
    "ReadingsChanged",
    "ReasonCode",
    "RouteBuilder",
    "RouteChecker",
    "RouteRequest",
    "ScaledClock",
    "ScheduleSettings",
    "ServiceFailed",
    "ServiceProgress",
    "ServiceResult",
    "ServiceStatus",
    "ServiceTimeouts",
    "SimDockDriver",
    "SimTimings",
    "SimulatedDock",
    "Sortie",
    "SortieState",
    "StateChanged",
    "StepRecord",
    "StoreError",
    "Topics",
    "Transition",
    "Weather",
    "WeatherScript",
    "wait_for_drone",
]
