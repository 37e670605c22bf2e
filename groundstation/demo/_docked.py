"""A simulated MAVLink drone as a dock sees it: the station's vehicle adapter (``VehicleDrone``)
plus the power and charging hooks the simulated dock pulls on the simulator behind it."""

from __future__ import annotations

from groundstation.fleetlink import VehicleDrone
from groundstation.mavlink import Vehicle
from groundstation.sim import SimVehicle


class SimDockedDrone(VehicleDrone):
    """``docks.DockedDrone``: flown through the station's vehicle, powered and charged in the sim."""

    def __init__(self, vehicle: Vehicle, sim: SimVehicle, *, name: str) -> None:
        super().__init__(vehicle, name=name)
        self.sim = sim

    def set_powered(self, on: bool) -> None:
        """Power the drone on or off: an unpowered drone is silent on its link."""
        self.sim.set_link(sending=on, receiving=on)

    def charge_battery(self, delta_pct: float) -> None:
        """Add charge to the simulator's battery."""
        self.sim.set_battery(min(100.0, self.sim.truth().battery_pct + delta_pct))
