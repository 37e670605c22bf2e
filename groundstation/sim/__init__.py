"""Simulated MAVLink vehicles (ArduCopter or PX4 personality) for tests and demos.

Like QGroundControl's MockLink, but each vehicle is a separate set of asyncio tasks speaking
real MAVLink 2 (pymavlink) over UDP or TCP, so the station, MAVSDK or QGroundControl talk to
it exactly as to an autopilot. The station must never special-case it.

    async with SimFleet(5, SimConfig(endpoints=("udpout:127.0.0.1:14550",), time_factor=20)) as fleet:
        vehicle = fleet[1]
        vehicle.faults.script_command(mavutil.mavlink.MAV_CMD_NAV_TAKEOFF, CommandFault.DENY)
        vehicle.faults.script_plan(PlanFault.DROP_REQUEST, seq=2)
        vehicle.set_link(sending=False, receiving=False)    # link lost ... set_link() regains
        vehicle.set_battery(18)
        vehicle.see_aircraft(SeenAircraft(ident="BLACKFLY1", lat_deg=..., lon_deg=..., alt_amsl_m=...))
        vehicle.truth()                                      # TruthState for a simulated camera
        vehicle.set_video_stream(SimVideoStream(uri="udp://127.0.0.1:5600"))  # VIDEO_STREAM_INFORMATION

Sim time runs ``time_factor`` times faster than real time: physics, telemetry rates, the
vehicle's failsafe timers and its mission-protocol re-requests all run in sim time.
"""

from groundstation.sim._clock import SimClock
from groundstation.sim._config import YONGZHOU_HOME, Personality, SimConfig
from groundstation.sim._exceptions import SimConfigError, SimError, SimTransportError
from groundstation.sim._faults import CommandFault, FaultInjector, PlanFault
from groundstation.sim._fleet import SimFleet, fleet_configs
from groundstation.sim._personality import Behaviour, FlightMode
from groundstation.sim._telemetry import DEFAULT_RATES_HZ
from groundstation.sim._traffic import AircraftKind, SeenAircraft, SeenAircraftState
from groundstation.sim._transport import parse_sim_endpoint
from groundstation.sim._truth import TruthState
from groundstation.sim._vehicle import SimVehicle
from groundstation.sim._video import SimVideoStream

__all__ = [
    "DEFAULT_RATES_HZ",
    "YONGZHOU_HOME",
    "AircraftKind",
    "Behaviour",
    "CommandFault",
    "FaultInjector",
    "FlightMode",
    "Personality",
    "PlanFault",
    "SeenAircraft",
    "SeenAircraftState",
    "SimClock",
    "SimConfig",
    "SimConfigError",
    "SimError",
    "SimFleet",
    "SimTransportError",
    "SimVehicle",
    "SimVideoStream",
    "TruthState",
    "fleet_configs",
    "parse_sim_endpoint",
]
