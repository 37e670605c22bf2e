"""Poses from the simulator's truth: the camera rides a simulated vehicle, and draws the fleet's
other vehicles, the aircraft the vehicle "sees" (Remote ID / ADS-B traffic) and any unreported
(black-flying) drones a scenario adds.

Duck-typed against ``groundstation.sim``'s ``TruthState`` and ``SeenAircraftState`` so the camera
does not import the simulator: anything with these attributes will do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from groundstation.simcam._camera import Aircraft, CameraPose, CameraView

__all__ = ["AirborneLike", "TruthLike", "TruthPoseSource"]


class AirborneLike(Protocol):
    """Something flying at a WGS84 position and an altitude above mean sea level."""

    @property
    def lat_deg(self) -> float: ...

    @property
    def lon_deg(self) -> float: ...

    @property
    def alt_amsl_m(self) -> float: ...


class TruthLike(AirborneLike, Protocol):
    """A simulated vehicle's true state as the camera needs it."""

    @property
    def alt_rel_m(self) -> float: ...

    @property
    def heading_deg(self) -> float: ...

    @property
    def gimbal_pitch_deg(self) -> float: ...


def _none() -> tuple[()]:
    return ()


class TruthPoseSource:
    """A ``PoseSource`` reading a simulated vehicle's truth each frame."""

    def __init__(self, truth: Callable[[], TruthLike], *,
                 fleet: Callable[[], Iterable[AirborneLike]] = _none,
                 seen: Callable[[], Iterable[AirborneLike]] = _none,
                 unreported: Callable[[], Iterable[Aircraft]] = _none,
                 drone_span_m: float = 0.6) -> None:
        self.truth = truth
        self.fleet = fleet
        """The fleet's other vehicles, not this one (drawn light, like the fleet's airframes)."""
        self.seen = seen
        """Aircraft the vehicle receives reports of (drawn dark: someone else's drones)."""
        self.unreported = unreported
        """Drones that report nothing (already in camera terms: altitude above the ground)."""
        self.drone_span_m = drone_span_m

    def camera_view(self) -> CameraView:
        """The camera on the vehicle and everything else flying, at this moment."""
        t = self.truth()
        ground_amsl_m = t.alt_amsl_m - t.alt_rel_m
        others: list[Aircraft] = [
            Aircraft(o.lat_deg, o.lon_deg, o.alt_amsl_m - ground_amsl_m, self.drone_span_m, True)
            for o in self.fleet()]
        others += [Aircraft(o.lat_deg, o.lon_deg, o.alt_amsl_m - ground_amsl_m, self.drone_span_m,
                            False) for o in self.seen()]
        others += list(self.unreported())
        pose = CameraPose(t.lat_deg, t.lon_deg, t.alt_rel_m, t.heading_deg, t.gimbal_pitch_deg)
        return CameraView(pose, others)
