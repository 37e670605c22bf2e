"""The one interface both dock drivers (in-process simulator, MQTT) implement."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docks._model import DockEvent, DockReadings, Listeners
from docks._services import DockService


@dataclass(frozen=True, slots=True)
class ServiceResult:
    """A service that completed: its transaction and business ids and the dock's output."""

    service: DockService
    tid: str
    bid: str
    output: Mapping[str, Any] = field(default_factory=dict)


class DockDriver(ABC):
    """One dock's hardware interface: services run to completion, readings, online state.

    ``execute`` returns when the dock reports the service done and raises ``DockError``
    subclasses otherwise: ``ServiceFailed`` (the dock said no), ``DockTimeout`` (no reply, or
    no completion within ``timeout_s`` dock seconds), ``DockUnavailable`` (offline).
    Drivers emit ``ReadingsChanged``, ``OnlineChanged``, ``DockAlarm`` and ``ServiceProgress``.
    """

    def __init__(self, dock_id: str) -> None:
        self.dock_id = dock_id
        self._listeners: Listeners[DockEvent] = Listeners()
        self._online = False
        self._readings: DockReadings | None = None

    @property
    def online(self) -> bool:
        """True while the dock is reachable."""
        return self._online

    @property
    def readings(self) -> DockReadings | None:
        """The latest readings, or None before the first report."""
        return self._readings

    @abstractmethod
    async def execute(
        self,
        service: DockService,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float,
    ) -> ServiceResult:
        """Run ``service`` on the dock until it completes (``timeout_s`` in dock seconds)."""

    def add_listener(self, callback: Callable[[DockEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with every driver event; returns its remover."""
        return self._listeners.add(callback)

    def _emit(self, event: DockEvent) -> None:
        self._listeners.emit(event)

    async def aclose(self) -> None:
        """Release what the driver holds."""
