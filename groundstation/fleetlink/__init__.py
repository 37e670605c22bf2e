"""Links between the station's fleet and the libraries it composes (the vehicle as a ``docks.Drone``)."""

from groundstation.fleetlink._vehicle_drone import LANDED, VehicleDrone

__all__ = ["LANDED", "VehicleDrone"]
