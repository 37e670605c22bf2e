"""Zones as FENCE items through a simulated vehicle's fence storage over real MAVLink.

geofence writes the items; the station's plan engine uploads them with mission_type FENCE
(``Vehicle.upload_plan``) to the simulator, which stores and enforces them; the items read back
from the vehicle turn into the same zones. Both autopilot families.
"""

from __future__ import annotations

import math

import pytest

from geofence import (
    GeoPoint,
    LocalProjection,
    MissionType,
    Zone,
    ZoneKind,
    fence_items_to_zones,
    return_point_from_fence_items,
    zones_to_fence_items,
)
from groundstation.sim import Personality
from tests.sim.conftest import MakeSim, make_sim, station  # noqa: F401 - fixtures

pytestmark = pytest.mark.e2e

E7 = 1e-7


def _zones(home: GeoPoint) -> tuple[list[Zone], GeoPoint, LocalProjection]:
    proj = LocalProjection.for_center(home.lat_deg, home.lon_deg)

    def at(east: float, north: float) -> tuple[float, float]:
        return proj.to_wgs84(east, north)

    zones = [
        Zone.polygon("patrol", "Patrol area", ZoneKind.OPERATING_AREA,
                     [at(-300, -300), at(300, -300), at(300, 300), at(-300, 300)]),
        Zone.circle("school-12", "No. 12 Middle School", ZoneKind.NO_FLY, *at(100, 0), 40),
        Zone.polygon("prison-3", "Lingling Prison", ZoneKind.NO_FLY,
                     [at(-150, -50), at(-100, -50), at(-120, 0)]),
    ]
    return zones, GeoPoint(*at(-20, 0), home.alt_m + 30), proj


@pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])
async def test_zones_round_trip_through_the_vehicles_fence_storage(
    make_sim: MakeSim, personality: Personality,  # noqa: F811 - pytest fixture
) -> None:
    vehicle, sim = await make_sim(personality=personality)
    cfg = sim.config
    home = GeoPoint(cfg.home_lat_deg, cfg.home_lon_deg, cfg.home_alt_amsl_m)
    zones, rally, _ = _zones(home)
    items = zones_to_fence_items(zones, rally, home=home)

    await vehicle.upload_plan(MissionType.FENCE, items)
    stored = sim.plan(MissionType.FENCE)
    back = await vehicle.download_plan(MissionType.FENCE)

    assert len(stored) == len(back) == len(items) == 1 + 4 + 1 + 3
    fields = [(i.command, i.x, i.y, i.param1, i.param2) for i in items]
    assert [(i.command, i.x, i.y, i.param1, i.param2) for i in back] == fields
    got = fence_items_to_zones(back)
    assert [z.kind for z in got] == [z.kind for z in zones]
    for before, after in zip(zones, got, strict=True):
        if before.id == "school-12":
            assert after.shape.radius_m == before.shape.radius_m  # type: ignore[union-attr]
            centre = (after.shape.center_lat_deg, after.shape.center_lon_deg)  # type: ignore[union-attr]
            assert centre == pytest.approx(
                (before.shape.center_lat_deg, before.shape.center_lon_deg), abs=E7)  # type: ignore[union-attr]
        else:
            assert len(after.shape.exterior) == len(before.shape.exterior)  # type: ignore[union-attr]
            for a, b in zip(after.shape.exterior, before.shape.exterior, strict=True):  # type: ignore[union-attr]
                assert a == pytest.approx(b, abs=E7)
    point = return_point_from_fence_items(back)
    assert point is not None
    assert (point.lat_deg, point.lon_deg, point.alt_m) == pytest.approx(
        (rally.lat_deg, rally.lon_deg, rally.alt_m), abs=E7)


async def test_the_vehicle_enforces_the_uploaded_no_fly_circle(
    make_sim: MakeSim,  # noqa: F811 - pytest fixture
) -> None:
    vehicle, sim = await make_sim(time_factor=20.0)
    cfg = sim.config
    home = GeoPoint(cfg.home_lat_deg, cfg.home_lon_deg, cfg.home_alt_amsl_m)
    zones, rally, proj = _zones(home)
    await vehicle.upload_plan(MissionType.FENCE, zones_to_fence_items(zones, rally, home=home))
    await vehicle.params.set("FENCE_ENABLE", 1)
    await vehicle.takeoff(20)
    await vehicle.wait_until(lambda s: s.position.alt_rel_m > 19, 30)
    await vehicle.goto(*proj.to_wgs84(200, 0), 20)  # straight through the school's circle
    truth = await sim.wait_until(lambda t: "RTL" in t.mode, 30)
    east, north = proj.to_metres(truth.lat_deg, truth.lon_deg)
    assert math.hypot(east - 100, north) < 40 + 15  # stopped at the circle, not beyond it
    assert east < 100
