"""The dock library's exception tree.

    DockError                     carries the dock's reason code and the transaction id (tid)
    ├── IllegalTransition         a state change the transition table does not allow
    ├── DockTimeout               a reply or a completion that never came
    ├── DockUnavailable           the dock is offline or the broker connection dropped
    ├── ServiceFailed             the dock answered a service with a failure (rejected, failed...)
    ├── DroneCommandFailed        the drone refused or did not carry out a command
    ├── LaunchRefused             no dock may launch (weather, battery, zone, busy); names why
    ├── LaunchAborted             a launch or recovery step failed; names the step and the way back
    ├── ScheduleRefused           a schedule that could never fly (a one-off time long past)
    └── StoreError                the schedule store could not be read or written

``docks`` must not import the station, so these are its own; the station maps them where it
calls the library. aiomqtt errors are mapped to ``DockUnavailable`` where they enter.
"""

from __future__ import annotations


class DockError(Exception):
    """Base class of every error the dock library raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        dock_id: str | None = None,
        reason_code: int | None = None,
        tid: str | None = None,
    ) -> None:
        details = [
            f"{k}={v}"
            for k, v in (("dock", dock_id), ("reason", reason_code), ("tid", tid))
            if v is not None
        ]
        super().__init__(f"{message} ({', '.join(details)})" if details else message)
        self.dock_id = dock_id
        self.reason_code = reason_code
        self.tid = tid


class IllegalTransition(DockError):
    """The dock state machine refused a transition its table does not allow."""

    def __init__(self, message: str, *, dock_id: str, old: object, new: object) -> None:
        super().__init__(message, dock_id=dock_id)
        self.old = old
        self.new = new


class DockTimeout(DockError):
    """A service reply, progress report or completion did not arrive in time."""


class DockUnavailable(DockError):
    """The dock is offline, or the connection to the broker is down."""


class ServiceFailed(DockError):
    """The dock answered a service with a result other than success."""

    def __init__(
        self,
        message: str,
        *,
        dock_id: str | None = None,
        reason_code: int | None = None,
        tid: str | None = None,
        status: str | None = None,
    ) -> None:
        super().__init__(message, dock_id=dock_id, reason_code=reason_code, tid=tid)
        self.status = status


class DroneCommandFailed(DockError):
    """The drone refused a command or failed to carry it out (the station's error is the cause)."""


class LaunchRefused(DockError):
    """No dock may launch for this request; ``reasons`` maps dock id to why not."""

    def __init__(self, message: str, *, reasons: dict[str, list[str]]) -> None:
        super().__init__(message)
        self.reasons = reasons


class LaunchAborted(DockError):
    """A launch or recovery step failed; ``step`` names it, ``way_back`` what was done."""

    def __init__(
        self,
        message: str,
        *,
        dock_id: str | None,
        step: str,
        way_back: str,
        cause: BaseException | None = None,
    ) -> None:
        reason = getattr(cause, "reason_code", None)
        tid = getattr(cause, "tid", None)
        super().__init__(message, dock_id=dock_id, reason_code=reason, tid=tid)
        self.step = step
        self.way_back = way_back


class ScheduleRefused(DockError):
    """A schedule the scheduler will not take because it could never fly; nothing was stored."""


class StoreError(DockError):
    """The schedule store could not be read or written; nothing stored was lost."""
