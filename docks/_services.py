"""The dock services, their progress statuses and the reason codes a dock answers with.

Names follow DJI's Cloud API for Dock 2/3 where it has one (``cover_open``, ``drone_open``,
``device_reboot``...); the wire protocol is documented in docs/dock-protocol.md.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class DockService(StrEnum):
    """A service the station can call on a dock (the ``method`` of a ``services`` message)."""

    SELF_CHECK = "self_check"
    COVER_OPEN = "cover_open"
    COVER_CLOSE = "cover_close"
    CHARGE_OPEN = "charge_open"
    CHARGE_CLOSE = "charge_close"
    DRONE_OPEN = "drone_open"
    DRONE_CLOSE = "drone_close"
    DEVICE_REBOOT = "device_reboot"
    EMERGENCY_STOP = "emergency_stop"
    TAKEOFF_TO_POINT = "takeoff_to_point"
    RETURN_HOME = "return_home"


class ServiceStatus(StrEnum):
    """Where a service stands (``output.status`` of replies and progress events)."""

    SENT = "sent"
    IN_PROGRESS = "in_progress"
    OK = "ok"
    PAUSED = "paused"
    REJECTED = "rejected"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMEOUT = "timeout"

    @property
    def terminal(self) -> bool:
        """True when the service will report nothing more."""
        return self not in (ServiceStatus.SENT, ServiceStatus.IN_PROGRESS, ServiceStatus.PAUSED)


class ReasonCode(IntEnum):
    """The ``result`` of a reply or event: 0 is success; dock codes 3xxxx, station codes 9xxxx."""

    OK = 0
    UNKNOWN_SERVICE = 30001
    BAD_PARAMS = 30002
    BUSY = 30003
    EMERGENCY_STOPPED = 30004
    NO_DRONE = 30005
    COVER_JAMMED = 30006
    DRONE_POWER_FAILED = 30007
    SELF_CHECK_FAILED = 30008
    LANDING_AREA_BLOCKED = 30009
    NO_POWER = 30010
    NOT_READY = 30011
    DRONE_COMMAND_FAILED = 30012
    REPLY_TIMEOUT = 90001
    COMPLETION_TIMEOUT = 90002
    DISCONNECTED = 90003
    OFFLINE = 90004
