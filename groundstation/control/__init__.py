"""Vehicle commands from people: access (role + organisation), safety checks, audit.

    outcome = await run_vehicle_command(station, principal, vehicle_id, "goto", GotoBody(...))
"""

from groundstation.control._safety import safety_reasons
from groundstation.control._service import (
    COMMAND_ROLES,
    CommandOutcome,
    VehicleNotFound,
    run_vehicle_command,
)
from groundstation.control._specs import COMMANDS, CommandSpec, Target

__all__ = [
    "COMMANDS",
    "COMMAND_ROLES",
    "CommandOutcome",
    "CommandSpec",
    "Target",
    "VehicleNotFound",
    "run_vehicle_command",
    "safety_reasons",
]
