"""Benchmark the geofence hot paths against the naive loop over zones, in the same run.

A city's worth of zones around Yongzhou, Hunan (lat 26.42, lon 111.61): one operating area,
no-fly compounds (schools, government buildings, prisons, substations), altitude-limit zones,
temporary event zones with hours and official-list-like circles (airports, military sites):
10,000 zones. Measured:

- a 1,000-waypoint patrol route checked leg by leg (``ZoneSet.check_route``);
- one live-watch tick of 1,000 vehicles with positions and velocities (``ZoneSet.watch``).

Each figure is the median of several runs, printed with the same check through
``indexed=False`` (a plain loop over zones) and the ratio. Targets (issue 3): route under
20 ms, tick under 5 ms, both at least 20 times faster than the naive loop. The results of the
two paths are compared and must be identical.

Run: ``python benchmarks/geofence.py [--zones N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
# this script is named like the package: import the package from the repository root instead
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from geofence import GeoPoint, TimeWindow, Zone, ZoneKind, ZoneSet, ZoneSource
from geofence._geo import WGS84_GEOD

CENTRE = (26.42, 111.61)
CITY_RADIUS_M = 45_000.0
AT = datetime(2024, 6, 3, 4, 0, tzinfo=UTC)
HOME_AMSL_M = 110.0


def build_zones(n_zones: int, rng: np.random.Generator) -> list[Zone]:
    """A plausible city's worth of zones plus official-list circles, ``n_zones`` in all."""
    zones = [_city_area(rng)]
    n_official = n_zones // 12
    n_limits = n_zones // 60
    n_events = n_zones // 200
    n_compounds = n_zones - 1 - n_official - n_limits - n_events
    lat, lon = _scatter(rng, n_compounds, 40_000.0)
    sizes = rng.uniform(20.0, 120.0, n_compounds)
    for i in range(n_compounds):
        vertices = _blob(rng, lat[i], lon[i], sizes[i], int(rng.integers(4, 13)))
        zones.append(Zone.polygon(f"compound-{i}", f"Compound {i}", ZoneKind.NO_FLY, vertices,
                                  source=ZoneSource.IMPORTED_FILE))
    lat, lon = _scatter(rng, n_official, CITY_RADIUS_M)
    radii = np.where(rng.random(n_official) < 0.01, rng.uniform(1_000, 3_000, n_official),
                     rng.uniform(100, 300, n_official))
    for i in range(n_official):
        zones.append(Zone.circle(f"official-{i}", f"Official list {i}", ZoneKind.NO_FLY, lat[i],
                                 lon[i], float(radii[i]), source=ZoneSource.OFFICIAL_LIST))
    lat, lon = _scatter(rng, n_limits, 35_000.0)
    for i in range(n_limits):
        vertices = _blob(rng, lat[i], lon[i], float(rng.uniform(300, 1_500)), 8)
        zones.append(Zone.polygon(f"limit-{i}", f"Height limit {i}", ZoneKind.ALTITUDE_LIMIT,
                                  vertices, ceiling_m=float(rng.choice([60.0, 90.0, 120.0])),
                                  altitude_ref="home"))  # type: ignore[arg-type]
    lat, lon = _scatter(rng, n_events, 20_000.0)
    for i in range(n_events):
        start = AT + timedelta(hours=float(rng.uniform(-6, 6)))
        zones.append(Zone.circle(f"event-{i}", f"Event {i}", ZoneKind.NO_FLY, lat[i], lon[i],
                                 float(rng.uniform(300, 1_000)),
                                 schedule=TimeWindow(start, start + timedelta(hours=4))))
    return zones


def _city_area(rng: np.random.Generator) -> Zone:
    azimuths = np.linspace(0, 360, 96, endpoint=False)
    radii = CITY_RADIUS_M * (1.0 + 0.08 * np.sin(np.radians(azimuths) * 5) + rng.uniform(0, 0.04, 96))
    lat, lon = _polar(CENTRE, azimuths, radii)
    return Zone.polygon("city", "Yongzhou operating area", ZoneKind.OPERATING_AREA,
                        list(zip(lat, lon, strict=True)), ceiling_m=500.0)


def _scatter(
    rng: np.random.Generator, n: int, radius_m: float, concentration: float = 0.6
) -> tuple[np.ndarray, np.ndarray]:
    """Points over a disc, denser towards the centre as a city's sites are (0.5 = uniform)."""
    return _polar(CENTRE, rng.uniform(0, 360, n), radius_m * rng.random(n) ** concentration)


def _polar(centre: tuple[float, float], azimuths: np.ndarray, radii: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat, _ = WGS84_GEOD.fwd(np.full(len(azimuths), centre[1]), np.full(len(azimuths), centre[0]),
                                 azimuths, radii)
    return np.asarray(lat), np.asarray(lon)


def _blob(rng: np.random.Generator, lat: float, lon: float, size_m: float, n: int) -> list[tuple[float, float]]:
    """A star-shaped (so simple) polygon of about ``size_m`` across."""
    azimuths = (np.arange(n) + rng.uniform(-0.3, 0.3, n)) * 360.0 / n
    lat_v, lon_v = _polar((lat, lon), azimuths, size_m * rng.uniform(0.5, 1.0, n))
    return list(zip(lat_v, lon_v, strict=True))


def patrol_route(rng: np.random.Generator, n: int) -> list[GeoPoint]:
    """A lawn-mower patrol across the city at 80-150 m above home."""
    rows = 20
    per_row = n // rows
    points = []
    for r in range(rows):
        north = -30_000 + 60_000 * r / (rows - 1)
        easts = np.linspace(-30_000, 30_000, per_row)
        if r % 2:
            easts = easts[::-1]
        for east in easts:
            lat, lon = _polar(CENTRE, np.array([0.0]), np.array([north]))
            lat, lon = _polar((float(lat[0]), float(lon[0])), np.array([90.0]), np.array([east]))
            alt = HOME_AMSL_M + float(rng.uniform(80, 150))
            points.append(GeoPoint(float(lat[0]), float(lon[0]), alt))
    return points[:n]


def fleet_tick(rng: np.random.Generator, n: int) -> tuple[np.ndarray, ...]:
    """Positions and velocities of ``n`` vehicles over the city."""
    lat, lon = _scatter(rng, n, 47_000.0, concentration=0.5)
    alt = HOME_AMSL_M + rng.uniform(30, 140, n)
    speed = rng.uniform(0, 20, n)
    heading = np.radians(rng.uniform(0, 360, n))
    return lat, lon, alt, speed * np.cos(heading), speed * np.sin(heading), rng.uniform(-2, 2, n)


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn`` in milliseconds (the CPU time is kept in ``CPU_MS``)."""
    times, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
    CPU_MS[fn.__code__] = statistics.median(cpu)
    return statistics.median(times)


CPU_MS: dict[object, float] = {}
"""CPU-time medians by timed code: on a shared machine wall time includes waiting for a core."""


def cpu(fn: Callable[[], object]) -> str:
    """`` (CPU x ms)`` for the last timing of ``fn``."""
    return f" (CPU {CPU_MS[fn.__code__]:.1f} ms)"


def main() -> None:
    """Build the zones, time both paths for both hot paths, print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--zones", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    zones = build_zones(args.zones, rng)
    built = time.perf_counter()
    indexed = ZoneSet(zones)
    compiled = time.perf_counter()
    naive = indexed.with_indexed(False)
    print(f"zones: {len(zones)} around Yongzhou (built {built - start:.1f} s, compiled into "
          f"metric geometry + STRtree {compiled - built:.1f} s)")

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    route = patrol_route(rng, 1_000)
    route_fast = indexed.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M)
    route_slow = naive.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M)
    assert route_fast == route_slow, "indexed and naive route checks differ"

    def check() -> object:
        return indexed.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M)

    fast_ms = median_ms(check, 15)
    slow_ms = median_ms(lambda: naive.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M), 3)
    print(f"route check, {len(route)} waypoints ({len(route_fast)} violations): indexed "
          f"{fast_ms:.1f} ms{cpu(check)}, naive loop {slow_ms:.0f} ms, ratio "
          f"{slow_ms / fast_ms:.0f}x (target < 20 ms, >= 20x)")

    margin_fast = median_ms(lambda: indexed.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M,
                                                        margin_m=30.0), 9)
    margin_slow = median_ms(lambda: naive.check_route(route, at=AT, home_amsl_m=HOME_AMSL_M,
                                                      margin_m=30.0), 3)
    print(f"route check with a 30 m clearance margin: indexed {margin_fast:.1f} ms, naive loop "
          f"{margin_slow:.0f} ms, ratio {margin_slow / margin_fast:.0f}x")

    vehicles = fleet_tick(rng, 1_000)
    tick_fast = indexed.watch(*vehicles, at=AT, home_amsl_m=HOME_AMSL_M)
    tick_slow = naive.watch(*vehicles, at=AT, home_amsl_m=HOME_AMSL_M)
    assert tick_fast.alerts == tick_slow.alerts, "indexed and naive ticks differ"
    def tick() -> object:
        return indexed.watch(*vehicles, at=AT, home_amsl_m=HOME_AMSL_M)

    fast_ms = median_ms(tick, 25)
    slow_ms = median_ms(lambda: naive.watch(*vehicles, at=AT, home_amsl_m=HOME_AMSL_M), 3)
    print(f"live tick, 1000 vehicles, 30 s horizon ({int(tick_fast.inside.sum())} inside, "
          f"{int(tick_fast.entering.sum())} about to enter, "
          f"{int(tick_fast.outside_operating_area.sum())} outside the area, "
          f"{int(tick_fast.leaving_operating_area.sum())} leaving it): indexed "
          f"{fast_ms:.2f} ms{cpu(tick)}, naive loop {slow_ms:.0f} ms, ratio "
          f"{slow_ms / fast_ms:.0f}x (target < 5 ms, >= 20x)")


if __name__ == "__main__":
    main()
