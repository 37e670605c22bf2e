"""Benchmark building and validating a district sweep with a city's zones loaded.

A 2 km × 2 km district (4 km²) of Yongzhou, Hunan, swept at 80 m with the default camera
(lines along its long axis, 70 % side overlap), then validated: geofence over 10,000 zones
(the same city as ``benchmarks/geofence.py``), ceiling and minimum altitude, endurance,
distance from launch and waypoint spacing. Printed: the build time, the validation time with
geofence's spatial index, the same validation with ``ZoneSet(indexed=False)`` (a plain loop
over zones) measured in the same run, and the ratio. Both validations must give the same
reasons. Each figure is the median of several runs.

Run: ``python benchmarks/plan.py [--zones N] [--repeat R] [--seed S]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from geofence import GeoPoint, LocalProjection, ZoneSet
from missions import sweep_route, validate


def _city_zones(n_zones: int, seed: int) -> tuple[list[Any], Any]:
    """The geofence benchmark's city of zones (loaded from that script, not copied)."""
    spec = importlib.util.spec_from_file_location("geofence_benchmark", HERE / "geofence.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_zones(n_zones, np.random.default_rng(seed)), module


def _median_s(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print build and validation times and the indexed/plain ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    zones, city = _city_zones(args.zones, args.seed)
    centre = city.CENTRE
    launch = GeoPoint(centre[0], centre[1], city.HOME_AMSL_M)
    proj = LocalProjection.for_center(*centre)
    corners = [(300.0, 300.0), (2300.0, 300.0), (2300.0, 2300.0), (300.0, 2300.0)]
    district = [proj.to_wgs84(x, y) for x, y in corners]
    indexed = ZoneSet(zones, indexed=True)
    plain = indexed.with_indexed(False)

    route = sweep_route(launch, district, alt_m=80.0)
    build_s = _median_s(lambda: sweep_route(launch, district, alt_m=80.0), args.repeat)
    shared = indexed.projection  # the service keeps one projection for its zones and routes
    shared_s = _median_s(lambda: sweep_route(launch, district, alt_m=80.0, projection=shared),
                         args.repeat)
    fast = validate(route, zones=indexed, at=city.AT)
    slow = validate(route, zones=plain, at=city.AT)
    if fast.reasons != slow.reasons:
        raise SystemExit("indexed and plain validation disagree")
    fast_s = _median_s(lambda: validate(route, zones=indexed, at=city.AT), args.repeat)
    slow_s = _median_s(lambda: validate(route, zones=plain, at=city.AT), max(1, args.repeat // 2))

    lines = route.params["lines"]
    print(f"district sweep: 4.0 km², {lines} lines {route.params['spacing_m']:.1f} m apart, "
          f"{len(route.items)} items; {len(zones)} zones loaded")
    print(f"build sweep route (own projection): {build_s * 1000:8.2f} ms")
    print(f"build sweep route (zones' proj.):   {shared_s * 1000:8.2f} ms")
    print(f"validate (geofence indexed):        {fast_s * 1000:8.2f} ms")
    print(f"validate (indexed=False baseline):  {slow_s * 1000:8.2f} ms")
    print(f"build + validate:                   {(shared_s + fast_s) * 1000:8.2f} ms")
    print(f"ratio plain / indexed validation:   {slow_s / fast_s:8.1f}x")
    print(f"reasons found: {len(fast.reasons)} ({', '.join(sorted({r.code.value for r in fast.reasons}))})")


if __name__ == "__main__":
    main()
