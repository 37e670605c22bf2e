"""The station's exception tree.

    StationError
    ├── LinkError                 a byte link could not be opened or failed
    │   └── CommLost              no heartbeat within the link-lost timeout
    ├── ProtocolError             the peer broke a MAVLink protocol (bad sequence, bad ack)
    │   └── PlanTransferError     a mission/fence/rally transfer failed (carries MAV_MISSION_RESULT)
    ├── CommandError              a MAV_CMD did not succeed
    │   ├── CommandRejected       the vehicle answered with a MAV_RESULT other than ACCEPTED
    │   └── CommandTimeout        no COMMAND_ACK after all retries
    ├── ParameterError            a parameter could not be read or set
    └── SafetyRefusal             the station itself refused a command (zone, battery, dock, weather)

Dock errors live in ``docks`` (``docks.DockError``), which must not import the station.

Third-party errors (pymavlink, aiomqtt, OSError on sockets) are mapped to these where they enter.
"""

from __future__ import annotations


class StationError(Exception):
    """Base class of every error the station raises on purpose."""


class LinkError(StationError):
    """A byte link could not be opened, or failed while open."""


class CommLost(LinkError):
    """No heartbeat from a vehicle within the link-lost timeout."""


class ProtocolError(StationError):
    """The peer broke a MAVLink protocol."""


class PlanTransferError(ProtocolError):
    """A mission, fence or rally transfer failed."""

    def __init__(self, message: str, *, result: int | None = None) -> None:
        super().__init__(message)
        self.result = result


class CommandError(StationError):
    """A MAV_CMD did not succeed."""


class CommandRejected(CommandError):
    """The vehicle answered a command with a result other than MAV_RESULT_ACCEPTED."""

    def __init__(self, message: str, *, command: int, result: int, result_param2: int = 0) -> None:
        super().__init__(message)
        self.command = command
        self.result = result
        self.result_param2 = result_param2


class CommandTimeout(CommandError):
    """No COMMAND_ACK arrived after every retry."""


class ParameterError(StationError):
    """A parameter could not be read or set."""


class SafetyRefusal(StationError):
    """The station refused a command for a safety reason it names."""

    def __init__(self, message: str, *, reasons: list[str] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or [message]
