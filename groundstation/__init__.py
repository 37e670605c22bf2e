"""Ground-control station for police air rapid-response teams."""

from groundstation._exceptions import (
    CommandError,
    CommandRejected,
    CommandTimeout,
    CommLost,
    LinkError,
    ParameterError,
    PlanTransferError,
    ProtocolError,
    SafetyRefusal,
    StationError,
)
from groundstation.config import Settings

__all__ = [
    "CommLost",
    "CommandError",
    "CommandRejected",
    "CommandTimeout",
    "LinkError",
    "ParameterError",
    "PlanTransferError",
    "ProtocolError",
    "SafetyRefusal",
    "Settings",
    "StationError",
]
