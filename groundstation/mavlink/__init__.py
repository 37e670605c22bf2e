"""MAVLink 2 links to a fleet of vehicles: the station's only talker of MAVLink.

Public API (everything else here is internal)::

    bus = EventBus()
    async with Fleet(settings.mavlink, bus) as fleet:       # opens settings.endpoints
        await fleet.add_endpoint("udpin:0.0.0.0:14560")      # more links at run time
        vehicle = await fleet.wait_for_vehicle(1, timeout_s=10)
        vehicle.state.position.lat_deg, vehicle.state.battery.remaining_pct, vehicle.state.mode
        await vehicle.takeoff(30)
        await vehicle.upload_plan(MissionType.MISSION, items)
        await vehicle.start_mission()
        await vehicle.params.set("WPNAV_SPEED", 800)

Fleet
    ``Fleet(settings: MavlinkSettings, bus: EventBus)`` async context manager.
    ``vehicles: dict[int, Vehicle]`` by system id; ``await wait_for_vehicle(sysid, timeout_s)``;
    ``await add_endpoint(endpoint, signing_key=None)`` / ``remove_endpoint(endpoint)``;
    ``link_stats() -> dict[str, LinkStats]``; ``set_link_signing(endpoint, key)``.
    Endpoints: ``udpin:HOST:PORT`` (many vehicles per port, told apart by system id),
    ``udpout:HOST:PORT``, ``tcp:HOST:PORT``, ``serial:DEVICE:BAUD``.

Vehicle
    ``state: VehicleState`` (typed records, updated in place; ``state.snapshot()`` copies);
    ``flying``, ``links``, ``primary_link``, ``comm_lost``, ``firmware`` (its plugin);
    commands (each raises CommandRejected / CommandTimeout / CommLost / UnsupportedAction):
    ``arm(force=False)``, ``disarm(force=False)``, ``set_mode(intent_or_name)``,
    ``takeoff(alt_m)``, ``land()``, ``return_to_launch()``, ``goto(lat_deg, lon_deg, alt_m)``,
    ``set_speed(speed_mps)``, ``orbit(lat_deg, lon_deg, radius_m, *, speed_mps=5, clockwise=True,
    alt_m=None)``, ``start_mission()``, ``pause()``, ``resume()``,
    ``command(MAV_CMD, *params, use_int=False, frame=0)`` for anything else;
    plans (raise PlanTransferError with ``result`` = MAV_MISSION_RESULT):
    ``upload_plan(mission_type, items)``, ``download_plan(mission_type)``,
    ``clear_plan(mission_type)``; progress in ``state.mission`` and MissionProgress events;
    ``params``: ``get(name)``, ``read(name)``, ``fetch_all()``, ``set(name, value)``
    (raise ParameterError); ``setup_signing(key)``;
    ``wait_until(test, timeout_s)`` waits for the state to pass a test.

Altitudes passed to commands (``alt_m``) are metres above home. Events go to the
:class:`~groundstation.events.EventBus` given to the fleet.
"""

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation.firmware import AutopilotFamily, FlightIntent, UnsupportedAction
from groundstation.mavlink._codec import CodecCounters, FrameParser
from groundstation.mavlink._commands import CommandAck
from groundstation.mavlink._fleet import Fleet
from groundstation.mavlink._params import ParamValue
from groundstation.mavlink._session import LinkStats
from groundstation.mavlink._telemetry import (
    Attitude,
    Battery,
    Gps,
    Home,
    LinkQuality,
    MissionState,
    Position,
    StatusTextEntry,
    VehicleState,
    Velocity,
)
from groundstation.mavlink._traffic import TrafficKind, TrafficSeen
from groundstation.mavlink._vehicle import Vehicle
from groundstation.mavlink.links import parse_endpoint

__all__ = [
    "Attitude",
    "AutopilotFamily",
    "Battery",
    "CodecCounters",
    "CommandAck",
    "Fleet",
    "FlightIntent",
    "FrameParser",
    "Gps",
    "Home",
    "LinkQuality",
    "LinkStats",
    "MavCmd",
    "MavFrame",
    "MissionItem",
    "MissionState",
    "MissionType",
    "ParamValue",
    "Position",
    "StatusTextEntry",
    "TrafficKind",
    "TrafficSeen",
    "UnsupportedAction",
    "Vehicle",
    "VehicleState",
    "Velocity",
    "parse_endpoint",
]
