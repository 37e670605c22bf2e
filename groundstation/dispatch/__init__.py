"""Dispatch: rank every dock-based and airborne drone for an incident by time to scene.

Pure logic over snapshots (no I/O): zone-avoiding paths through ``geofence``, launch overhead
and limits from ``docks``' timings and settings, battery for the round trip with reserve,
the 1, 3 and 5-minute rings, and the nearest ground unit for a hand-off.
"""

from groundstation.dispatch._coverage import Coverage, district_coverage
from groundstation.dispatch._divert import zone_avoiding_ways
from groundstation.dispatch._exceptions import DispatchError
from groundstation.dispatch._launch import dock_exclusions, launch_overhead_s
from groundstation.dispatch._model import (
    AirborneSnapshot,
    CandidateKind,
    DispatchPlan,
    DockSnapshot,
    Exclusion,
    GroundAssignment,
    GroundUnit,
    RankedCandidate,
    Reason,
    Scene,
)
from groundstation.dispatch._paths import Leg, PathPlanner, PlannedPath
from groundstation.dispatch._rank import nearest_ground_unit, rank_candidates
from groundstation.dispatch._settings import DispatchSettings

__all__ = [
    "AirborneSnapshot",
    "CandidateKind",
    "Coverage",
    "DispatchError",
    "DispatchPlan",
    "DispatchSettings",
    "DockSnapshot",
    "Exclusion",
    "GroundAssignment",
    "GroundUnit",
    "Leg",
    "PathPlanner",
    "PlannedPath",
    "RankedCandidate",
    "Reason",
    "Scene",
    "district_coverage",
    "dock_exclusions",
    "launch_overhead_s",
    "nearest_ground_unit",
    "rank_candidates",
    "zone_avoiding_ways",
]
