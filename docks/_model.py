"""The dock model: states and their transition table, readings, the dock's description, events.

States (``DockState``) and the legal moves between them::

    OFFLINE ──online──► IDLE_{CHARGING,READY,EMPTY} ◄──────────────────────────────┐
                            │ launch                                              │
                            ▼                                                     │
                        PREPARING (self-check, cover opening, drone powering on)  │
                            │                     └──abort──► CLOSING ────────────┤
                            ▼                                   ▲                 │
                        LAUNCHING (arm, take off) ──abort───────┘                 │
                            │ airborne                                            │
                            ▼                                                     │
                        DRONE_OUT ──recover──► AWAITING_RETURN ──► LANDING ──► CLOSING
                            │                      ▲     └──divert──► CLOSING     │
                            └──drone lost/diverted─┴── IDLE_EMPTY ◄──────────────┘
    any state ──► FAULT (emergency stop, alarm) ──► MAINTENANCE ──► IDLE_*
    any state ──► OFFLINE (last-will, silence)

The idle state is split by what the dock holds: a charged drone (READY), a drone still
charging (CHARGING), or no drone (EMPTY, e.g. after a divert; it may receive one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, IntEnum
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from docks._services import DockService, ServiceStatus

_log = logging.getLogger("docks")


class DockState(Enum):
    """Operational state of a dock as the station tracks it."""

    OFFLINE = "offline"
    IDLE_CHARGING = "idle_charging"
    IDLE_READY = "idle_ready"
    IDLE_EMPTY = "idle_empty"
    PREPARING = "preparing"
    LAUNCHING = "launching"
    DRONE_OUT = "drone_out"
    AWAITING_RETURN = "awaiting_return"
    LANDING = "landing"
    CLOSING = "closing"
    FAULT = "fault"
    MAINTENANCE = "maintenance"

    @property
    def idle(self) -> bool:
        """True in the three idle states."""
        return self in IDLE_STATES


IDLE_STATES = frozenset({DockState.IDLE_CHARGING, DockState.IDLE_READY, DockState.IDLE_EMPTY})
_S = DockState
_ALWAYS = frozenset({_S.FAULT, _S.OFFLINE})

TRANSITIONS: Mapping[DockState, frozenset[DockState]] = {
    _S.OFFLINE: IDLE_STATES | {_S.FAULT, _S.MAINTENANCE},
    _S.IDLE_CHARGING: _ALWAYS | {_S.IDLE_READY, _S.IDLE_EMPTY, _S.PREPARING, _S.MAINTENANCE},
    _S.IDLE_READY: _ALWAYS | {_S.IDLE_CHARGING, _S.IDLE_EMPTY, _S.PREPARING, _S.MAINTENANCE},
    _S.IDLE_EMPTY: _ALWAYS
    | {_S.IDLE_CHARGING, _S.IDLE_READY, _S.AWAITING_RETURN, _S.MAINTENANCE},
    _S.PREPARING: _ALWAYS | {_S.LAUNCHING, _S.CLOSING},
    _S.LAUNCHING: _ALWAYS | {_S.DRONE_OUT, _S.CLOSING},
    _S.DRONE_OUT: _ALWAYS | {_S.AWAITING_RETURN, _S.IDLE_EMPTY},
    _S.AWAITING_RETURN: _ALWAYS | {_S.LANDING, _S.CLOSING},
    _S.LANDING: _ALWAYS | {_S.CLOSING, _S.AWAITING_RETURN},
    _S.CLOSING: _ALWAYS | IDLE_STATES,
    _S.FAULT: IDLE_STATES | {_S.MAINTENANCE, _S.OFFLINE},
    _S.MAINTENANCE: IDLE_STATES | {_S.OFFLINE, _S.FAULT},
}


class DoorState(IntEnum):
    """Cover (door) position, as DJI's ``cover_state``."""

    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2
    FAULT = 3


class ChargeState(IntEnum):
    """Whether the dock is charging its drone (DJI ``drone_charge_state.state``)."""

    IDLE = 0
    CHARGING = 1


class RainLevel(IntEnum):
    """Rainfall at the dock (DJI ``rainfall``)."""

    NONE = 0
    LIGHT = 1
    MODERATE = 2
    HEAVY = 3


class DockPower(IntEnum):
    """Where the dock's power comes from."""

    MAINS = 0
    BACKUP_BATTERY = 1
    FAILED = 2


class NetworkQuality(IntEnum):
    """Dock network quality (DJI ``network_state.quality``)."""

    NO_SIGNAL = 0
    BAD = 1
    POOR = 2
    FAIR = 3
    GOOD = 4
    EXCELLENT = 5


class DockMode(IntEnum):
    """What the dock itself says it is doing (DJI ``mode_code``)."""

    IDLE = 0
    LOCAL_DEBUG = 1
    REMOTE_DEBUG = 2
    UPGRADING = 3
    WORKING = 4


class AlarmLevel(IntEnum):
    """Severity of a dock alarm (DJI HMS level)."""

    INFO = 0
    NOTICE = 1
    WARNING = 2


@dataclass(frozen=True, slots=True)
class DockReadings:
    """One snapshot of what a dock reports (osd merged with state-on-change)."""

    at: datetime
    mode: DockMode = DockMode.IDLE
    door: DoorState = DoorState.CLOSED
    drone_present: bool = False
    drone_powered: bool = False
    drone_battery_pct: float | None = None
    charge_state: ChargeState = ChargeState.IDLE
    wind_speed_mps: float = 0.0
    rain: RainLevel = RainLevel.NONE
    temperature_c: float = 20.0
    humidity_pct: float = 50.0
    power: DockPower = DockPower.MAINS
    network: NetworkQuality = NetworkQuality.GOOD
    emergency_stop: bool = False
    lat_deg: float | None = None
    lon_deg: float | None = None


class DockInfo(BaseModel):
    """What a dock is and where: id, place, its own landing point, limits and its drone."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    dock_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = ""
    model: str = "dock3"
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)
    alt_m: float = Field(0.0, description="ground altitude AMSL, metres")
    landing_lat_deg: float | None = Field(None, ge=-90, le=90)
    landing_lon_deg: float | None = Field(None, ge=-180, le=180)
    max_wind_mps: float = Field(12.0, gt=0, description="launch limit (Dock 3 about 12, Dock 2 8)")
    max_rain: RainLevel = RainLevel.LIGHT
    drone_id: str | None = None

    @property
    def landing_point(self) -> tuple[float, float]:
        """The dock's own landing point (its location when not given separately)."""
        return (
            self.landing_lat_deg if self.landing_lat_deg is not None else self.lat_deg,
            self.landing_lon_deg if self.landing_lon_deg is not None else self.lon_deg,
        )


class RallyPoint(BaseModel):
    """A place a drone may land when no dock can take it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    lat_deg: float = Field(ge=-90, le=90)
    lon_deg: float = Field(ge=-180, le=180)


@dataclass(frozen=True, slots=True)
class Transition:
    """One recorded state change: when, how long the old state lasted, and why."""

    dock_id: str
    old: DockState
    new: DockState
    at: datetime
    t_s: float
    duration_s: float
    reason: str


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The dock changed state."""

    dock_id: str
    transition: Transition


@dataclass(frozen=True, slots=True)
class ReadingsChanged:
    """New readings arrived from the dock."""

    dock_id: str
    readings: DockReadings


@dataclass(frozen=True, slots=True)
class OnlineChanged:
    """The dock came online or went offline."""

    dock_id: str
    online: bool


@dataclass(frozen=True, slots=True)
class DockAlarm:
    """The dock raised an alarm (health message)."""

    dock_id: str
    code: str
    level: AlarmLevel
    message: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ServiceProgress:
    """Progress of a long service (door travelling, drone powering on)."""

    dock_id: str
    service: DockService
    bid: str
    status: ServiceStatus
    percent: int | None = None
    step: str | None = None


DockEvent = StateChanged | ReadingsChanged | OnlineChanged | DockAlarm | ServiceProgress


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One command sent to a dock or a drone, and how it ended."""

    at: datetime
    target: str
    command: str
    params: Mapping[str, Any] = field(default_factory=dict)
    outcome: str = "ok"
    tid: str | None = None


AuditSink = Callable[[AuditRecord], None]


E = TypeVar("E")


class Listeners(Generic[E]):
    """A list of callbacks with add-returns-remover; a failing callback is logged, not raised."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[E], None]] = []

    def add(self, callback: Callable[[E], None]) -> Callable[[], None]:
        """Register ``callback``; return a function that removes it."""
        self._callbacks.append(callback)

        def remove() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return remove

    def emit(self, event: E) -> None:
        """Call every callback with ``event``."""
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:  # noqa: BLE001 - a listener's bug must not stop the dock
                _log.exception("dock listener failed on %r", event)
