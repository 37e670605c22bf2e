"""What a protocol engine needs from its vehicle: ids, a way to send, and whether comm is lost."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["VehicleChannel"]


class VehicleChannel(Protocol):
    """One vehicle as seen by the command, plan and parameter engines."""

    @property
    def system_id(self) -> int:
        """The vehicle's MAVLink system id."""
        ...

    @property
    def component_id(self) -> int:
        """The autopilot's component id."""
        ...

    @property
    def gcs_system_id(self) -> int:
        """The station's own system id."""
        ...

    @property
    def gcs_component_id(self) -> int:
        """The station's own component id."""
        ...

    @property
    def comm_lost(self) -> bool:
        """True when no link to the vehicle has had a heartbeat recently."""
        ...

    def send(self, msg: Any) -> None:
        """Send a pymavlink message on the vehicle's primary link (raises CommLost)."""
        ...

    def addressed_to_us(self, target_system: int, target_component: int) -> bool:
        """Whether a message's target fields name this station (0 = broadcast)."""
        ...
