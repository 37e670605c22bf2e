"""Benchmark dispatch: rank 115 airborne drones and 23 docks for one incident, 10,000 zones loaded.

The zones are the geofence benchmark's city around Yongzhou (``benchmarks/geofence.py``
``build_zones``: an operating area, no-fly compounds, official-list circles, height limits and
event zones). Docks stand within 8 km of the centre, drones fly within 10 km at 40-120 m, with
varied batteries and dock states; the incident is in town. Every straight line is zone-checked,
blocked ones are re-planned around the zones, and each candidate gets its ETA, ring and reasons.

Printed: the median time of one ranking with the zone set's spatial index, the same ranking
through ``ZoneSet(indexed=False)`` (a loop over all zones) measured in this run, and the ratio.
Both rankings must be identical. Target (issue 6): under 50 ms. The ranking plans paths
best-first (a candidate beyond the 5-minute ring and slower than the best keeps its
straight-line lower bound); the time with every eligible path planned (``complete=True``, what
sending a named candidate does) is printed too.

Run: ``python benchmarks/dispatch.py [--zones N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from docks import DockInfo, DockReadings, DockState, DoorState, DroneProfile
from geofence import ZoneSet
from groundstation.dispatch import (
    AirborneSnapshot,
    DispatchPlan,
    DockSnapshot,
    GroundUnit,
    RankedCandidate,
    Scene,
    rank_candidates,
)


def _zone_bench() -> object:
    """The geofence benchmark module (its zone builder), loaded from its file."""
    spec = importlib.util.spec_from_file_location("geofence_bench", HERE / "geofence.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _zone_bench()
PROFILE = DroneProfile(model="M4TD-class quad", cruise_speed_mps=15.0, climb_mps=6.0,
                       endurance_s=2100.0)


def fleet(rng: np.random.Generator, n_docks: int, n_drones: int) -> tuple[list[DockSnapshot], list[AirborneSnapshot]]:
    """Docks in varied states and drones in the air around the city."""
    lat, lon = BENCH._scatter(rng, n_docks, 8_000.0, concentration=0.5)  # type: ignore[attr-defined]
    states = [DockState.IDLE_READY, DockState.IDLE_CHARGING, DockState.DRONE_OUT]
    docks = []
    for i in range(n_docks):
        state = states[int(rng.choice(3, p=[0.6, 0.3, 0.1]))]
        info = DockInfo(dock_id=f"D{i:02d}", lat_deg=float(lat[i]), lon_deg=float(lon[i]),
                        alt_m=float(BENCH.HOME_AMSL_M), drone_id=f"DU{i:02d}")  # type: ignore[attr-defined]
        readings = DockReadings(
            at=BENCH.AT, door=DoorState.CLOSED, drone_present=state is not DockState.DRONE_OUT,  # type: ignore[attr-defined]
            drone_battery_pct=float(rng.uniform(40, 100)), wind_speed_mps=float(rng.uniform(0, 14)))
        docks.append(DockSnapshot(info, state, readings, True, False, PROFILE))
    lat, lon = BENCH._scatter(rng, n_drones, 10_000.0, concentration=0.5)  # type: ignore[attr-defined]
    drones = [
        AirborneSnapshot(f"U{i:03d}", float(lat[i]), float(lon[i]),
                         float(BENCH.HOME_AMSL_M + rng.uniform(40, 120)),  # type: ignore[attr-defined]
                         float(rng.uniform(50, 100)), profile=PROFILE)
        for i in range(n_drones)]
    return docks, drones


def _planned(candidate: RankedCandidate) -> bool:
    """True when the ranking planned (and zone-checked) the candidate's path."""
    return not candidate.eta_lower_bound and not any(
        "not zone-checked" in w for w in candidate.warnings)


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
    return statistics.median(times)


def main() -> None:
    """Build zones and fleet, time the ranking with and without the index, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--docks", type=int, default=23)
    parser.add_argument("--drones", type=int, default=115)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    indexed = ZoneSet(BENCH.build_zones(args.zones, rng))  # type: ignore[attr-defined]
    naive = indexed.with_indexed(False)
    docks, drones = fleet(rng, args.docks, args.drones)
    units = [GroundUnit(f"car-{i}", f"Patrol car {i}", float(la), float(lo))
             for i, (la, lo) in enumerate(zip(*BENCH._scatter(rng, 40, 20_000.0), strict=True))]  # type: ignore[attr-defined]
    scene = Scene(26.428, 111.617, float(BENCH.HOME_AMSL_M))  # type: ignore[attr-defined]

    def rank(zones: ZoneSet, complete: bool = False) -> DispatchPlan:
        return rank_candidates(scene, docks, drones, zones=zones, ground_units=units,
                               at=BENCH.AT, complete=complete)  # type: ignore[attr-defined]

    fast, slow, full = rank(indexed), rank(naive), rank(indexed, complete=True)
    assert fast.candidates == slow.candidates, "indexed and unindexed rankings differ"
    assert (fast.best, fast.rings) == (full.best, full.rings), "best-first planning changed the result"
    fast_ms = median_ms(lambda: rank(indexed), 15)
    full_ms = median_ms(lambda: rank(indexed, complete=True), 5)
    slow_ms = median_ms(lambda: rank(naive), 3)
    eligible = [c for c in fast.candidates if c.eligible]
    print(f"zones: {len(indexed)}; candidates: {len(docks)} docks + {len(drones)} airborne drones; "
          f"{sum(_planned(c) for c in fast.candidates)} path-planned, {sum(c.detoured for c in fast.candidates)} detoured around zones, "
          f"{len(eligible)} eligible; rings "
          + ", ".join(f"{r / 60:.0f} min: {len(ids)}" for r, ids in fast.rings.items()))
    if fast.best is not None:
        print(f"best: {fast.best.candidate_id} ({fast.best.kind.value}) ETA {fast.best.eta_s:.0f} s "
              f"over {fast.best.distance_m:.0f} m")
    print(f"{sum(c.eta_lower_bound for c in fast.candidates)} kept their straight-line lower bound "
          "(beyond the 5-minute ring and slower than the best); best and rings as with every path")
    print(f"ranking one incident: indexed {fast_ms:.1f} ms, unindexed baseline {slow_ms:.0f} ms, "
          f"ratio {slow_ms / fast_ms:.1f}x (target < 50 ms); every eligible path planned: "
          f"{full_ms:.1f} ms")


if __name__ == "__main__":
    main()
