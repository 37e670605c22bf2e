"""The demo's scripted unknown drone: no Remote ID, not in the fleet, so only the cameras see it.

It turns up where a commander will look: when a demo drone holds still over an incident with
its camera streaming, the intruder starts loitering a little ahead of that camera and above
it (against the sky, where a real one would be spotted), and stays there. When that drone
leaves the incident the intruder is gone, and comes back ahead of the next drone that holds on
one. It loiters on a small circle in wall-clock time: the video runs in real time even when
the simulator is accelerated, so its motion in the picture stays that of a real small drone.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from groundstation.sim import SimVehicle, TruthState
from groundstation.simcam import Aircraft, offset_position

__all__ = ["DemoIntruder", "IntruderScript"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IntruderScript:
    """Where the intruder loiters relative to the camera it shows itself to, and its size."""

    ahead_m: float = 35.0
    """Distance in front of the camera (along its heading) of the loiter centre."""
    above_m: float = 6.0
    """Height above the camera: a few degrees over the horizon of a level camera."""
    loiter_radius_m: float = 3.0
    speed_mps: float = 2.0
    span_m: float = 0.6
    """Tip to tip: a consumer quadcopter (about 11 px wide at 35 m in the demo camera)."""
    hold_speed_mps: float = 1.0
    """A drone slower than this is holding (the intruder shows itself only to those)."""
    min_alt_m: float = 20.0


@dataclass(frozen=True, slots=True)
class _Anchor:
    drone_id: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    """Above the ground under the cameras (the simulated camera's terms)."""


class DemoIntruder:
    """The unknown drone: ``update`` places it from the drones' truth, ``aircraft`` draws it."""

    def __init__(self, on_incident: Callable[[str], bool], *,
                 script: IntruderScript = IntruderScript(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.on_incident = on_incident
        """Whether a drone's stream is on an incident now."""
        self.script = script
        self._clock = clock
        self._anchor: _Anchor | None = None
        self._t0 = clock()

    @property
    def shown_to(self) -> str | None:
        """The drone whose camera the intruder loiters in front of, if any."""
        return self._anchor.drone_id if self._anchor is not None else None

    def update(self, truths: Mapping[str, TruthState]) -> None:
        """Keep the intruder where it is, take it away, or place it ahead of a holding drone."""
        anchor = self._anchor
        if anchor is not None:
            truth = truths.get(anchor.drone_id)
            if truth is not None and truth.armed and self.on_incident(anchor.drone_id):
                return
            _log.info("demo: the unknown drone left (%s is off its incident)", anchor.drone_id)
            self._anchor = None
        s = self.script
        for drone_id, t in truths.items():
            if (t.armed and t.ground_speed_mps < s.hold_speed_mps and t.alt_rel_m >= s.min_alt_m
                    and self.on_incident(drone_id)):
                h = math.radians(t.heading_deg)
                lat, lon = offset_position(t.lat_deg, t.lon_deg, s.ahead_m * math.sin(h),
                                           s.ahead_m * math.cos(h))
                self._anchor = _Anchor(drone_id, lat, lon, t.alt_rel_m + s.above_m)
                self._t0 = self._clock()
                _log.warning("demo: an unknown drone (no Remote ID) loiters at %.5f, %.5f, "
                             "%.0f m ahead of %s's camera", lat, lon, s.ahead_m, drone_id)
                return

    async def run(self, sims: Mapping[str, SimVehicle], poll_s: float = 0.5) -> None:
        """Follow the drones until cancelled."""
        while True:
            self.update({drone_id: sim.truth() for drone_id, sim in sims.items()})
            await asyncio.sleep(poll_s)

    def aircraft(self) -> list[Aircraft]:
        """The intruder where it is now (nothing when it is not out)."""
        anchor = self._anchor
        if anchor is None:
            return []
        s = self.script
        angle = (self._clock() - self._t0) * s.speed_mps / s.loiter_radius_m
        lat, lon = offset_position(anchor.lat_deg, anchor.lon_deg,
                                   s.loiter_radius_m * math.sin(angle),
                                   s.loiter_radius_m * math.cos(angle))
        return [Aircraft(lat, lon, anchor.alt_m, s.span_m, known=False, label="unknown")]
