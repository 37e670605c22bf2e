"""What a check reports: one record per zone broken, with the place, the altitude and a distance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ViolationKind(StrEnum):
    """How a place or leg breaks a zone."""

    INSIDE_NO_FLY = "inside_no_fly"
    OUTSIDE_OPERATING_AREA = "outside_operating_area"
    ABOVE_CEILING = "above_ceiling"
    BELOW_FLOOR = "below_floor"
    WITHIN_MARGIN = "within_margin"
    """Legal, but closer than the clearance margin to one of the limits above."""


KIND_BY_CODE: tuple[ViolationKind, ...] = tuple(ViolationKind)
"""Small integer codes used in the vectorised checks (index into this tuple)."""
CODE = {kind: code for code, kind in enumerate(KIND_BY_CODE)}


@dataclass(frozen=True, slots=True)
class Violation:
    """One zone broken at one place.

    ``lat_deg``/``lon_deg``/``alt_m`` (AMSL) locate the place: the point checked, or the first
    point of a leg where the breach starts. ``distance_m`` depends on the kind and on whether a
    point or a leg was checked:

    - a point (``leg_index`` None, or a leg with no horizontal length): INSIDE_NO_FLY: how
      deep inside (metres to the boundary); OUTSIDE_OPERATING_AREA: metres to the nearest
      active operating area; ABOVE_CEILING / BELOW_FLOOR: metres beyond the limit vertically;
    - a leg: for those four kinds, the horizontal metres of the leg in breach;
    - WITHIN_MARGIN (both): the clearance left, horizontal if the place is beside the zone,
      else vertical; ``margin_kind`` says which limit the margin guards.

    ``along_leg_m`` is the horizontal distance from the leg's start to the place.
    """

    zone_id: str
    zone_name: str
    kind: ViolationKind
    lat_deg: float
    lon_deg: float
    alt_m: float
    distance_m: float
    leg_index: int | None = None
    along_leg_m: float | None = None
    margin_kind: ViolationKind | None = None

    def describe(self) -> str:
        """One line of human text."""
        where = f"({self.lat_deg:.6f}, {self.lon_deg:.6f}, {self.alt_m:.1f} m AMSL)"
        leg = "" if self.leg_index is None else f" on leg {self.leg_index}"
        margin = f" of {self.margin_kind.value}" if self.margin_kind else ""
        return (f"{self.kind.value}{margin} zone {self.zone_name!r} ({self.zone_id}){leg} at "
                f"{where}, {self.distance_m:.1f} m")
