"""The station's docks at work: live docks, one-click launch, patrol schedules and dispatch."""

from groundstation.operations._runtime import (
    SERVICE_NAME,
    Operations,
    dock_audit_sink,
    operations_of,
)
from groundstation.operations._scope import dock_orgs
from groundstation.operations._sending import (
    DISPATCHER_NAME,
    Dispatcher,
    DispatchRefused,
    Sent,
    dispatcher_of,
)

__all__ = [
    "DISPATCHER_NAME",
    "SERVICE_NAME",
    "DispatchRefused",
    "Dispatcher",
    "Operations",
    "Sent",
    "dispatcher_of",
    "dock_audit_sink",
    "dock_orgs",
    "operations_of",
]
