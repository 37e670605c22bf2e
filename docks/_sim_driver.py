"""The in-process dock driver: the station drives a ``SimulatedDock`` directly (no broker)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from docks._driver import DockDriver, ServiceResult
from docks._exceptions import DockTimeout, DockUnavailable, ServiceFailed
from docks._model import DockEvent, OnlineChanged, ReadingsChanged, ServiceProgress
from docks._services import DockService, ReasonCode, ServiceStatus
from docks._sim import SimServiceError, SimulatedDock


class SimDockDriver(DockDriver):
    """Drives a simulated dock in the same process; used by the demo when no broker is set."""

    def __init__(self, sim: SimulatedDock) -> None:
        super().__init__(sim.info.dock_id)
        self.sim = sim
        self._online = True
        self._readings = sim.readings()
        self._remove = sim.add_listener(self._on_sim_event)

    def set_online(self, online: bool) -> None:
        """Cut or restore the (simulated) network to the dock."""
        if online != self._online:
            self._online = online
            if online:
                self._readings = self.sim.readings()
            self._emit(OnlineChanged(self.dock_id, online))

    def _on_sim_event(self, event: DockEvent) -> None:
        if not self._online:
            return
        if isinstance(event, ReadingsChanged):
            self._readings = event.readings
        self._emit(event)

    async def execute(
        self,
        service: DockService,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float,
    ) -> ServiceResult:
        """Run ``service`` on the simulator until it completes."""
        tid, bid = uuid.uuid4().hex, uuid.uuid4().hex
        if not self._online:
            raise DockUnavailable(
                f"{service} refused: dock offline", dock_id=self.dock_id,
                reason_code=ReasonCode.OFFLINE, tid=tid,
            )

        def progress(percent: int, step: str) -> None:
            self._emit(
                ServiceProgress(self.dock_id, service, bid, ServiceStatus.IN_PROGRESS, percent, step)
            )

        try:
            async with self.sim.clock.timeout(timeout_s):
                output = await self.sim.run(service, params, progress)
        except TimeoutError:
            raise DockTimeout(
                f"{service} did not complete in {timeout_s} s", dock_id=self.dock_id,
                reason_code=ReasonCode.COMPLETION_TIMEOUT, tid=tid,
            ) from None
        except SimServiceError as exc:
            raise ServiceFailed(
                f"{service} failed: {exc}", dock_id=self.dock_id, reason_code=int(exc.reason),
                tid=tid, status=ServiceStatus.FAILED.value,
            ) from None
        return ServiceResult(service, tid, bid, output)

    async def aclose(self) -> None:
        """Stop following the simulator."""
        self._remove()
