"""A simulated MAVLink drone as a dock sees it: the station's vehicle (``VehicleDrone``) for
flying, plus the power and charging hooks the simulated dock pulls on the simulator."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from docks import DronePosition, LandedState
from geofence import MissionItem
from groundstation.fleetlink import VehicleDrone
from groundstation.sim import SimVehicle


class SimDockedDrone:
    """``docks.DockedDrone`` over a station ``VehicleDrone`` and the ``SimVehicle`` behind it."""

    def __init__(self, drone: VehicleDrone, sim: SimVehicle) -> None:
        self.drone = drone
        self.sim = sim

    def set_powered(self, on: bool) -> None:
        """Power the drone on or off: an unpowered drone is silent on its link."""
        self.sim.set_link(sending=on, receiving=on)

    def charge_battery(self, delta_pct: float) -> None:
        """Add charge to the simulator's battery."""
        self.sim.set_battery(min(100.0, self.sim.truth().battery_pct + delta_pct))

    @property
    def drone_id(self) -> str:
        """The drone's fleet name."""
        return self.drone.drone_id

    @property
    def connected(self) -> bool:
        """True while the station hears the drone."""
        return self.drone.connected

    @property
    def position(self) -> DronePosition | None:
        """Latest position."""
        return self.drone.position

    @property
    def armed(self) -> bool:
        """Motors armed."""
        return self.drone.armed

    @property
    def mode(self) -> str:
        """Flight mode."""
        return self.drone.mode

    @property
    def battery_pct(self) -> float | None:
        """Battery as the station reads it."""
        return self.drone.battery_pct

    @property
    def landed_state(self) -> LandedState:
        """On the ground or in the air."""
        return self.drone.landed_state

    def add_listener(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` after every state change."""
        return self.drone.add_listener(callback)

    async def arm(self) -> None:
        """Arm."""
        await self.drone.arm()

    async def takeoff(self, alt_m: float) -> None:
        """Take off."""
        await self.drone.takeoff(alt_m)

    async def goto(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        """Fly to a point and hold."""
        await self.drone.goto(lat_deg, lon_deg, alt_m)

    async def orbit(self, lat_deg: float, lon_deg: float, radius_m: float, alt_m: float) -> None:
        """Circle a point."""
        await self.drone.orbit(lat_deg, lon_deg, radius_m, alt_m)

    async def upload_route(self, items: Sequence[MissionItem]) -> None:
        """Upload a mission."""
        await self.drone.upload_route(items)

    async def start_mission(self) -> None:
        """Start the mission."""
        await self.drone.start_mission()

    async def return_to_launch(self) -> None:
        """Fly home."""
        await self.drone.return_to_launch()

    async def land(self) -> None:
        """Land."""
        await self.drone.land()
