"""The simulator's exception tree.

    SimError                      base of every error the simulator raises on purpose
    ├── SimConfigError            a SimConfig value or an endpoint string is not usable
    └── SimTransportError         a transport could not be opened
"""

from __future__ import annotations

from groundstation._exceptions import StationError

__all__ = ["SimConfigError", "SimError", "SimTransportError"]


class SimError(StationError):
    """Base class of the simulator's errors."""


class SimConfigError(SimError, ValueError):
    """A configuration value or endpoint string is not usable."""


class SimTransportError(SimError):
    """A transport (UDP socket, TCP server) could not be opened."""
