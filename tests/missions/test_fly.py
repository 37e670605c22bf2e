"""Every route kind flown by a simulated vehicle through the station, tracked to completion.

Routes are built and validated by ``missions``, uploaded with the station's plan engine
(``Vehicle.upload_plan``: ArduPilot's home slot is added there, not by the builders), flown
in accelerated sim time, and followed by :class:`missions.MissionTracker` fed with the
station's vehicle state. A route through a no-fly zone is refused before any upload.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import pytest

import missions as m
from geofence import GeoPoint, LocalProjection, MissionType, Zone, ZoneKind, ZoneSet
from groundstation.mavlink import Vehicle, VehicleState
from groundstation.sim import Personality
from tests.sim.conftest import MakeSim

pytestmark = pytest.mark.e2e

TIME_FACTOR = 40.0
FLIGHT_TIMEOUT_S = 60.0
"""Real seconds allowed for a whole sortie (a few sim minutes at the time factor)."""
PROFILE = m.VehicleProfile(cruise_speed_mps=10.0, climb_mps=2.5, descent_mps=1.5)


def _here(launch: GeoPoint) -> Callable[[float, float], tuple[float, float]]:
    proj = LocalProjection.for_center(launch.lat_deg, launch.lon_deg)
    return lambda east, north: proj.to_wgs84(east, north)


def build(kind: str, launch: GeoPoint) -> m.Route:
    """A small route of each kind, 20-30 m up, within ~150 m of the launch point."""
    at = _here(launch)
    box = [at(40, 40), at(120, 40), at(120, 90), at(40, 90)]
    dock = m.DockPoint("dock-2", *at(-25, 10))
    if kind == "waypoints":
        return m.waypoint_route(launch, [m.Waypoint(*at(60, 0), 20, speed_mps=8),
                                         m.Waypoint(*at(60, 60), 25, hold_s=3),
                                         m.Waypoint(*at(0, 60), 20, speed_mps=12)])
    if kind == "perimeter":
        return m.perimeter_route(launch, box, alt_m=25, offset_m=10, laps=2)
    if kind == "line":
        return m.line_route(launch, [at(20, 0), at(80, 30), at(140, 30)], alt_m=20,
                            end=m.RouteEnd.land_at(dock))
    if kind == "sweep":
        return m.sweep_route(launch, box, alt_m=30, side_overlap_pct=60, speed_mps=12)
    if kind == "orbit":
        return m.orbit_route(launch, at(80, 60), radius_m=30, alt_m=25, turns=1, ring_points=8,
                             speed_mps=6)
    if kind == "orbit_turns":
        return m.orbit_route(launch, at(80, 60), radius_m=30, alt_m=25, turns=1, speed_mps=6,
                             style=m.OrbitStyle.LOITER_TURNS, clockwise=False)
    if kind == "overwatch":
        return m.overwatch_route(launch, at(100, 50), alt_m=30, hold_s=8,
                                 end=m.RouteEnd.land_at(dock))
    raise AssertionError(kind)


async def fly(vehicle: Vehicle, route: m.Route, tracker: m.MissionTracker) -> list[m.Progress]:
    """Upload, start and follow a route until the tracker says it is finished and the vehicle
    has landed; returns every progress computed on the way."""
    seen: list[m.Progress] = []

    def follow(state: VehicleState) -> bool:
        seen.append(tracker.update_from_state(state))
        return tracker.phase is m.MissionPhase.FINISHED and not state.armed

    await vehicle.upload_plan(MissionType.MISSION, route.items)
    tracker.uploaded()
    await vehicle.start_mission()
    tracker.started()
    await vehicle.wait_until(follow, FLIGHT_TIMEOUT_S)
    return seen


CASES = [(k, Personality.ARDUPILOT) for k in
         ("waypoints", "perimeter", "line", "sweep", "orbit", "orbit_turns", "overwatch")] + [
    (k, Personality.PX4) for k in ("waypoints", "perimeter", "line", "sweep", "orbit", "overwatch")]


@pytest.mark.parametrize(("kind", "personality"), CASES, ids=[f"{k}-{p.value}" for k, p in CASES])
async def test_each_route_kind_flies_and_is_tracked_to_completion(
    make_sim: MakeSim, kind: str, personality: Personality,
) -> None:
    vehicle, sim = await make_sim(personality=personality, time_factor=TIME_FACTOR)
    cfg = sim.config
    launch = GeoPoint(cfg.home_lat_deg, cfg.home_lon_deg, cfg.home_alt_amsl_m)
    route = build(kind, launch)
    family = m.Autopilot.ARDUPILOT if personality is Personality.ARDUPILOT else m.Autopilot.PX4
    assert m.family_problems(route.items, family) == []
    m.validate(route, profile=PROFILE).raise_if_refused()
    tracker = m.MissionTracker(route, profile=PROFILE)
    start = tracker.progress

    seen = await fly(vehicle, route, tracker)

    assert tracker.phase is m.MissionPhase.FINISHED
    final = tracker.progress
    assert (final.percent, final.distance_to_go_m) == (100.0, 0.0)
    kinds = [e.kind for e in tracker.events]
    assert kinds[:2] == [m.MissionEventKind.UPLOADED, m.MissionEventKind.STARTED]
    assert kinds[-1] is m.MissionEventKind.FINISHED
    reached = {e.item for e in tracker.events if e.kind is m.MissionEventKind.ITEM_REACHED}
    nav = {p.item_index for p in tracker.path.points[1:]}
    assert nav <= reached, (sorted(nav - reached), tracker.events)
    # the station's progress agreed with the plan: percent mostly rising, the vehicle on the path
    running = [p for p in seen if p.phase is m.MissionPhase.RUNNING and p.cross_track_m is not None]
    assert running and start.distance_to_go_m == pytest.approx(tracker.total_m)
    assert max(p.cross_track_m for p in running) < 12.0  # type: ignore[type-var]
    drops = [b.percent - a.percent for a, b in itertools.pairwise(running)]
    assert min(drops, default=0.0) > -5.0
    truth = sim.truth()
    assert truth.on_ground and not truth.armed
    end = route.items[-1]
    if route.params["end"] == "land":
        assert math.dist(_local(launch, truth.lat_deg, truth.lon_deg),
                         _local(launch, end.lat_deg, end.lon_deg)) < 3.0
    else:
        assert math.dist(_local(launch, truth.lat_deg, truth.lon_deg), (0.0, 0.0)) < 3.0


def _local(launch: GeoPoint, lat: float, lon: float) -> tuple[float, float]:
    return LocalProjection.for_center(launch.lat_deg, launch.lon_deg).to_metres(lat, lon)


@pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])
async def test_a_route_through_a_no_fly_zone_is_refused_before_upload(
    make_sim: MakeSim, personality: Personality,
) -> None:
    vehicle, sim = await make_sim(personality=personality, time_factor=TIME_FACTOR)
    cfg = sim.config
    launch = GeoPoint(cfg.home_lat_deg, cfg.home_lon_deg, cfg.home_alt_amsl_m)
    at = _here(launch)
    school = Zone.circle("school-12", "Lingling No. 12 Middle School", ZoneKind.NO_FLY,
                         *at(60, 30), 20)
    route = build("waypoints", launch)
    result = m.validate(route, zones=ZoneSet([school]), profile=PROFILE)
    with pytest.raises(m.RouteRefused) as refused:
        result.raise_if_refused()
        await vehicle.upload_plan(MissionType.MISSION, route.items)  # never reached
    (reason,) = refused.value.reasons
    assert reason.code is m.ReasonCode.GEOFENCE and reason.zone_id == "school-12"
    assert "Lingling No. 12 Middle School" in str(refused.value)
    assert await vehicle.download_plan(MissionType.MISSION) == []


async def test_overwatch_until_told_is_aborted_with_a_reason(make_sim: MakeSim) -> None:
    vehicle, sim = await make_sim(time_factor=TIME_FACTOR)
    cfg = sim.config
    launch = GeoPoint(cfg.home_lat_deg, cfg.home_lon_deg, cfg.home_alt_amsl_m)
    route = m.overwatch_route(launch, _here(launch)(80, 40), alt_m=25, hold_s=math.inf)
    m.validate(route, profile=PROFILE).raise_if_refused()
    tracker = m.MissionTracker(route, profile=PROFILE)
    await vehicle.upload_plan(MissionType.MISSION, route.items)
    tracker.uploaded()
    await vehicle.start_mission()
    tracker.started()
    hold = next(i for i, item in enumerate(route.items) if item.command == 17)

    def overhead(state: VehicleState) -> bool:
        p = tracker.update_from_state(state)
        return p.current_item == hold and p.cross_track_m is not None and \
            state.position.alt_rel_m > 23 and tracker.path.points[p.legs_done + 1].item_index == hold \
            and _near(tracker, state)

    await vehicle.wait_until(overhead, FLIGHT_TIMEOUT_S)
    await vehicle.pause()
    tracker.paused()
    await vehicle.resume()
    tracker.resumed()
    await vehicle.return_to_launch()
    tracker.aborted("incident closed by the commander: returning")
    await vehicle.wait_until(lambda s: not s.armed, FLIGHT_TIMEOUT_S)
    assert [e.kind for e in tracker.events][-3:] == [
        m.MissionEventKind.PAUSED, m.MissionEventKind.RESUMED, m.MissionEventKind.ABORTED]
    assert tracker.events[-1].detail == "incident closed by the commander: returning"
    assert tracker.events[-1].item == hold
    assert tracker.update_from_state(vehicle.state).phase is m.MissionPhase.ABORTED


def _near(tracker: m.MissionTracker, state: VehicleState) -> bool:
    hold = tracker.path.points[-3]
    x, y = tracker.path.projection.to_metres(state.position.lat_deg, state.position.lon_deg)
    return math.dist((x, y), (hold.x_m, hold.y_m)) < 5.0
