"""Plan and route files: files made by QGC / Mission Planner / GIS tools load, round trips, bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missions as m
from geofence import GeoPoint, MavFrame, ZoneKind
from tests.missions.helpers import YONGZHOU, latlon
from tests.missions.test_routes import all_routes

DATA = Path(__file__).parent / "data"


def same_items(a: tuple | list, b: tuple | list) -> bool:  # type: ignore[type-arg]
    """Item lists equal, NaN parameters equal."""
    return len(a) == len(b) and all(m.same_item(x, y) for x, y in zip(a, b, strict=True))


# -- QGroundControl .plan ----------------------------------------------------------------------

def test_qgc_plan_with_survey_and_corridor_reads_as_their_waypoints() -> None:
    doc = m.read_file(DATA / "qgc_survey.plan")
    assert isinstance(doc, m.PlanDocument)
    cmds = [i.command for i in doc.items]
    assert cmds == [22, 16, 16, 206, 16, 16, 16, 206, 16, 16, 19, 20]
    assert doc.items[1].lat_deg == pytest.approx(26.4212345, abs=1e-7)
    assert doc.items[1].frame == MavFrame.GLOBAL_RELATIVE_ALT_INT and math.isnan(doc.items[1].param4)
    assert doc.items[3].frame == MavFrame.MISSION and doc.items[3].param1 == 25
    assert (doc.items[10].param1, doc.items[10].z) == (30, 40)
    # the structure scan's waypoints are not in the file: reported, not dropped silently
    (gap,) = doc.unsupported
    assert gap.where == "qgc_survey.plan mission item 4" and "StructureScan" in gap.what
    assert not doc.complete
    assert doc.home == GeoPoint(26.42, 111.61, 110.5)
    assert [z.kind for z in doc.zones] == [ZoneKind.OPERATING_AREA, ZoneKind.NO_FLY]
    assert doc.zones[1].shape.radius_m == 120.5  # type: ignore[union-attr]
    assert [(p.lat_deg, p.alt_m) for p in doc.rally_points] == [(26.419, 30), (26.421, 35)]
    assert (doc.cruise_speed_mps, doc.hover_speed_mps) == (15, 5)
    # the loaded mission validates (and names the fence's no-fly circle if crossed)
    assert m.validate(doc.items, launch=doc.home).ok


def test_qgc_plan_file_round_trips_through_items() -> None:
    doc = m.read_plan((DATA / "qgc_survey.plan").read_text())
    text = m.write_plan(doc.items, home=doc.home, zones=doc.zones, rally_points=doc.rally_points)
    again = m.read_plan(text)
    assert same_items(doc.items, again.items)
    assert again.home == doc.home and again.rally_points == doc.rally_points
    assert [(z.kind, z.shape) for z in again.zones] == [(z.kind, z.shape) for z in doc.zones]
    plan = json.loads(text)
    assert plan["fileType"] == "Plan" and plan["mission"]["items"][1]["frame"] == 3
    assert plan["mission"]["items"][1]["params"][3] is None  # NaN yaw written as null, as QGC does
    assert plan["mission"]["items"][1]["AltitudeMode"] == 1


@pytest.mark.parametrize("route", all_routes(), ids=lambda r: f"{r.kind}-{r.params.get('style', '')}")
def test_every_route_kind_round_trips_through_plan_and_wpl(route: m.Route) -> None:
    home = route.launch
    plan = m.read_plan(m.write_plan(route.items, home=home))
    assert same_items(plan.items, route.items) and plan.home == home and plan.complete
    wpl = m.read_wpl(m.write_wpl(route.items, home=home))
    assert same_items(wpl.items, route.items) and wpl.home == home and wpl.complete


# -- WPL 110 -----------------------------------------------------------------------------------

def test_mission_planner_file_loads_with_home_amsl_items_and_unrolled_jump() -> None:
    doc = m.read_file(DATA / "mission_planner.waypoints")
    assert isinstance(doc, m.PlanDocument)
    assert doc.home == GeoPoint(26.42, 111.61, 110.5)
    cmds = [i.command for i in doc.items]
    assert cmds == [22, 178, 16, 16, 16, 16, 16, 16, 16, 16, 16, 20]
    assert doc.items[4].frame == MavFrame.GLOBAL_INT and doc.items[4].z == 160.5
    assert any("DO_JUMP" in n and "2 time" in n for n in doc.notes)
    result = m.validate(doc.items, launch=doc.home)
    assert result.ok, result.reasons


def test_wpl_written_is_tab_separated_with_the_header_and_home_first() -> None:
    route = all_routes()[0]
    lines = m.write_wpl(route.items, home=route.launch).splitlines()
    assert lines[0] == "QGC WPL 110"
    home = lines[1].split("\t")
    assert len(home) == 12 and home[:4] == ["0", "1", "0", "16"]
    assert [len(line.split("\t")) for line in lines[1:]] == [12] * (len(route.items) + 1)
    assert lines[2].split("\t")[2:4] == ["3", "22"]


def test_a_space_separated_file_also_loads() -> None:
    text = (DATA / "mission_planner.waypoints").read_text().replace("\t", " ")
    assert len(m.read_wpl(text).items) == 12


def test_a_jump_repeating_forever_is_reported() -> None:
    text = (DATA / "mission_planner.waypoints").read_text().replace(
        "6\t0\t3\t177\t3.000000\t2.000000", "6\t0\t3\t177\t3.000000\t-1.000000")
    doc = m.read_wpl(text, source="forever.waypoints")
    (gap,) = doc.unsupported
    assert gap.where == "forever.waypoints line 8" and "forever" in gap.reason
    assert [i.command for i in doc.items].count(16) == 3


# -- GeoJSON and KML ---------------------------------------------------------------------------

def test_map_app_geojson_route_loads_and_its_area_is_reported() -> None:
    doc = m.read_file(DATA / "map_app_route.geojson")
    assert isinstance(doc, m.RouteFile)
    assert [(w.lat_deg, w.lon_deg, w.alt_m) for w in doc.waypoints] == [
        (26.421, 111.611, 40), (26.4215, 111.613, 40), (26.4221, 111.615, 42), (26.4225, 111.616, 45)]
    assert [w.speed_mps for w in doc.waypoints] == [6, 6, 6, None]
    assert doc.waypoints[-1].hold_s == 20
    assert doc.unsupported == () and doc.complete
    (area,) = doc.areas
    assert area.name == "Market block" and "feature 2" in area.where
    assert area.outline == ((26.42, 111.61), (26.42, 111.62), (26.43, 111.62))  # (lat, lon), open
    route = m.waypoint_route(YONGZHOU, doc.waypoints)
    assert m.validate(route).ok
    sweep = m.sweep_route(YONGZHOU, area.outline, alt_m=60)
    assert m.validate(sweep, profile=m.VehicleProfile(usable_battery_wh=600)).ok
    assert sweep.params["lines"] > 5


def test_google_earth_kml_route_loads_and_its_polygon_is_reported() -> None:
    doc = m.read_file(DATA / "google_earth_route.kml")
    assert isinstance(doc, m.RouteFile) and doc.name == "Xiaoshui embankment"
    assert [(w.lat_deg, w.lon_deg, w.alt_m) for w in doc.waypoints] == [
        (26.421, 111.611, 45), (26.4225, 111.614, 45), (26.423, 111.618, 50)]
    assert doc.unsupported == ()
    (area,) = doc.areas
    assert area.name == "School grounds" and len(area.outline) == 3
    assert m.perimeter_route(YONGZHOU, area.outline, alt_m=40, offset_m=20).kind is m.RouteKind.PERIMETER


def test_amsl_routes_need_the_home_altitude() -> None:
    text = (DATA / "google_earth_route.kml").read_text().replace("relativeToGround", "absolute")
    with pytest.raises(m.MissingFrameError, match="home altitude"):
        m.read_kml_route(text)
    doc = m.read_kml_route(text, home_amsl_m=10.0)
    assert doc.waypoints[0].alt_m == 35


waypoint_lists = st.lists(st.builds(
    lambda x, y, alt, speed, hold: m.Waypoint(*latlon(x, y), alt, speed, hold),
    st.floats(-3000, 3000), st.floats(-3000, 3000), st.floats(5, 120),
    st.none() | st.floats(1, 20), st.floats(0, 300)), min_size=1, max_size=30)


@given(waypoint_lists)
@settings(max_examples=40, deadline=None)
def test_waypoints_round_trip_through_geojson_and_kml(waypoints: list[m.Waypoint]) -> None:
    assert m.read_geojson_route(m.waypoints_to_geojson(waypoints)).waypoints == tuple(waypoints)
    assert m.read_kml_route(m.waypoints_to_kml(waypoints)).waypoints == tuple(waypoints)


@given(waypoint_lists, st.sampled_from([None, 8.0]))
@settings(max_examples=40, deadline=None)
def test_built_routes_round_trip_through_every_format(waypoints: list[m.Waypoint],
                                                       speed: float | None) -> None:
    route = m.waypoint_route(YONGZHOU, waypoints, speed_mps=speed)
    assert same_items(m.read_plan(m.write_plan(route.items, home=YONGZHOU)).items, route.items)
    assert same_items(m.read_wpl(m.write_wpl(route.items, home=YONGZHOU)).items, route.items)
    exported = m.route_waypoints(route.items, YONGZHOU)
    back = m.read_geojson_route(m.waypoints_to_geojson(exported)).waypoints
    rebuilt = m.waypoint_route(YONGZHOU, back, speed_mps=speed)
    assert [(i.command, i.x, i.y, i.z, i.param1) for i in rebuilt.items if i.command == 16] == [
        (i.command, i.x, i.y, i.z, i.param1) for i in route.items if i.command == 16]


# -- bad input ---------------------------------------------------------------------------------

def _plan_with(item: dict) -> str:  # type: ignore[type-arg]
    doc = json.loads((DATA / "qgc_survey.plan").read_text())
    doc["mission"]["items"][1] = item
    return json.dumps(doc)


WAYPOINT = {"autoContinue": True, "command": 16, "doJumpId": 2, "frame": 3,
            "params": [0, 0, 0, None, 26.421, 111.612, 50], "type": "SimpleItem"}


@pytest.mark.parametrize(("text", "error", "where", "problem"), [
    ('{"fileType": "Plan",\n "version": 1,\n "mission": [}', m.PlanFormatError,
     "x.plan line 3 column 14", "not JSON"),
    ('[1, 2]', m.PlanFormatError, "x.plan", "JSON object"),
    ('{"fileType": "Mission", "version": 1}', m.PlanFormatError, "x.plan fileType", "'Plan'"),
    (_plan_with({**WAYPOINT, "command": 9999}), m.UnknownCommandError, "x.plan mission item 1",
     "unknown command id 9999"),
    (_plan_with({k: v for k, v in WAYPOINT.items() if k != "frame"}), m.MissingFrameError,
     "x.plan mission item 1", "NAV_WAYPOINT has no frame"),
    (_plan_with({**WAYPOINT, "frame": 2}), m.MissingFrameError, "x.plan mission item 1",
     "frame MISSION"),
    (_plan_with({**WAYPOINT, "params": [0, 0, 0, None, 111.612, 26.421, 50]}), m.PlanFormatError,
     "x.plan mission item 1", "not a latitude/longitude"),
    (_plan_with({**WAYPOINT, "params": [0, 0, 0]}), m.PlanFormatError, "x.plan mission item 1",
     "list of 7"),
    (_plan_with({**WAYPOINT, "params": [0, 0, 0, None, 26.421, 111.612, "high"]}),
     m.PlanFormatError, "x.plan mission item 1", "param 7 'high'"),
    (_plan_with({**WAYPOINT, "command": 177, "frame": 2, "params": [42, 1, 0, 0, 0, 0, 0]}),
     m.PlanFormatError, "x.plan mission item 1", "doJumpId 42"),
    (_plan_with({"type": "ComplexItem", "complexItemType": "survey"}), m.PlanFormatError,
     "x.plan mission item 1", "TransectStyleComplexItem.Items"),
])
def test_bad_plan_files_name_the_position(text: str, error: type, where: str, problem: str) -> None:
    with pytest.raises(error) as caught:
        m.read_plan(text, source="x.plan")
    assert caught.value.where == where and problem in caught.value.problem


def test_plan_items_in_local_frames_and_unknown_item_types_are_reported_not_dropped() -> None:
    local = _plan_with({**WAYPOINT, "frame": 1})
    doc = m.read_plan(local, source="x.plan")
    assert [u.where for u in doc.unsupported] == ["x.plan mission item 1",
                                                 "x.plan mission item 4"]
    assert "LOCAL_NED" in doc.unsupported[0].reason
    odd = _plan_with({"type": "FancyItem"})
    assert any(u.what == "item type 'FancyItem'" for u in m.read_plan(odd).unsupported)


def test_a_null_rally_point_is_refused_by_position() -> None:
    doc = json.loads((DATA / "qgc_survey.plan").read_text())
    doc["rallyPoints"]["points"][1] = None
    with pytest.raises(m.PlanFormatError) as caught:
        m.read_plan(json.dumps(doc), source="x.plan")
    assert caught.value.where == "x.plan rallyPoints point 1"


def test_bad_fence_section_is_named() -> None:
    doc = json.loads((DATA / "qgc_survey.plan").read_text())
    doc["geoFence"]["circles"][0]["circle"]["radius"] = -5
    with pytest.raises(m.PlanFormatError) as caught:
        m.read_plan(json.dumps(doc), source="x.plan")
    assert caught.value.where == "x.plan geoFence"


WPL_GOOD = (DATA / "mission_planner.waypoints").read_text()


@pytest.mark.parametrize(("text", "error", "where", "problem"), [
    ("QGC WPL 100\n", m.PlanFormatError, "w line 1", "header"),
    ("", m.PlanFormatError, "w line 1", "header"),
    (WPL_GOOD.replace("3\t0\t3\t16\t5.000000\t", "3\t0\t3\t5.000000\t"), m.PlanFormatError,
     "w line 5", "11 fields"),
    (WPL_GOOD.replace("4\t0\t3\t16\t", "4\t0\t3\t31337\t"), m.UnknownCommandError, "w line 6",
     "unknown command id 31337"),
    (WPL_GOOD.replace("4\t0\t3\t16\t", "4\t0\t2\t16\t"), m.MissingFrameError, "w line 6",
     "frame MISSION"),
    (WPL_GOOD.replace("4\t0\t3\t16\t", "9\t0\t3\t16\t"), m.PlanFormatError, "w line 6",
     "out of sequence"),
    (WPL_GOOD.replace("26.422000", "north"), m.PlanFormatError, "w line 6", "latitude 'north'"),
    (WPL_GOOD.replace("6\t0\t3\t177\t3.000000", "6\t0\t3\t177\t30.000000"), m.PlanFormatError,
     "w line 8", "DO_JUMP target 30"),
])
def test_bad_wpl_files_name_the_line(text: str, error: type, where: str, problem: str) -> None:
    with pytest.raises(error) as caught:
        m.read_wpl(text, source="w")
    assert caught.value.where == where and problem in caught.value.problem


@pytest.mark.parametrize(("text", "where", "problem"), [
    ('{"type": "LineString", "coordinates": [[111.61, 26.42, 30], [111.62, 26.42]]}',
     "r position 1", "no altitude"),
    (('{"type": "Feature", "properties": {"altitude_ref": "amsl"}, '
     '"geometry": {"type": "Point", "coordinates": [111.61, 26.42, 130]}}'),
     "r feature 0 position 0", "home altitude"),
    (('{"type": "Feature", "properties": {"altitude_ref": "ground"}, '
     '"geometry": {"type": "Point", "coordinates": [111.61, 26.42, 130]}}'),
     "r feature 0", "altitude_ref"),
])
def test_geojson_without_an_altitude_reference_is_refused(text: str, where: str, problem: str) -> None:
    with pytest.raises(m.MissingFrameError) as caught:
        m.read_geojson_route(text, source="r")
    assert caught.value.where.endswith(where.removeprefix("r ")) and problem in caught.value.problem
    if "altitude_ref" not in problem:  # with the missing reference supplied, the file loads
        assert m.read_geojson_route(text, default_alt_m=40, home_amsl_m=100, source="r").waypoints


def test_kml_without_altitude_mode_needs_a_default_altitude() -> None:
    text = (DATA / "google_earth_route.kml").read_text().replace(
        "<altitudeMode>relativeToGround</altitudeMode>", "")
    with pytest.raises(m.MissingFrameError) as caught:
        m.read_kml_route(text, source="k.kml")
    assert "Embankment patrol" in caught.value.where and "coordinate 0" in caught.value.where
    assert [w.alt_m for w in m.read_kml_route(text, default_alt_m=35).waypoints] == [35, 35, 35]


@pytest.mark.parametrize("text", [
    "<kml", '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x "y">]><kml/>', "<gpx/>",
])
def test_malformed_kml_is_refused(text: str) -> None:
    with pytest.raises(m.PlanFormatError):
        m.read_kml_route(text)


def test_unknown_extension_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "route.gpx"
    path.write_text("<gpx/>")
    with pytest.raises(m.PlanFormatError, match="unknown file type"):
        m.read_file(path)


def _feature(geometry: dict, name: str = "Event venue") -> str:
    return json.dumps({"type": "Feature", "properties": {"name": name}, "geometry": geometry})


def test_geojson_areas_keep_their_holes_and_multipolygon_parts() -> None:
    outer = [[111.600, 26.400], [111.610, 26.400], [111.610, 26.410], [111.600, 26.410],
             [111.600, 26.400]]
    hole = [[111.604, 26.404], [111.606, 26.404], [111.606, 26.406], [111.604, 26.404]]
    doc = m.read_geojson_route(_feature({"type": "Polygon", "coordinates": [outer, hole]}))
    (area,) = doc.areas
    assert area.outline[0] == (26.400, 111.600) and len(area.outline) == 4
    assert area.holes == (((26.404, 111.604), (26.404, 111.606), (26.406, 111.606)),)
    shifted = [[[lon + 0.02, lat] for lon, lat in outer]]
    doc = m.read_geojson_route(_feature({"type": "MultiPolygon", "coordinates": [[outer], shifted]}))
    assert [a.where.rsplit(" ", 2)[-2:] for a in doc.areas] == [["polygon", "0"], ["polygon", "1"]]


@pytest.mark.parametrize(("coordinates", "problem"), [
    ([[[111.60, 26.40], [111.61, 26.41], [111.61, 26.40], [111.60, 26.41]]], "crosses itself"),
    ([[[111.60, 26.40], [111.61, 26.41], [111.60, 26.40]]], "distinct vertices"),
    ([[[26.40, 111.60], [26.41, 111.60], [26.41, 111.61]]], "latitude"),
    ([[[111.60, 26.40], "x", [111.61, 26.41]]], "ring 0 position 1"),
    ([], "list of rings"),
])
def test_bad_geojson_areas_are_refused_by_position(coordinates: list, problem: str) -> None:
    with pytest.raises(m.PlanFormatError, match=problem) as caught:
        m.read_geojson_route(_feature({"type": "Polygon", "coordinates": coordinates}))
    assert "feature 0" in str(caught.value)


def test_kml_multigeometry_polygons_are_areas_and_its_points_are_reported() -> None:
    text = f"""<kml xmlns="{m._route_files.KML_NS}"><Document><Placemark><name>Stadium</name>
      <MultiGeometry>
        <Polygon><outerBoundaryIs><LinearRing><coordinates>
          111.60,26.40 111.61,26.40 111.61,26.41 111.60,26.41 111.60,26.40</coordinates>
        </LinearRing></outerBoundaryIs>
        <innerBoundaryIs><LinearRing><coordinates>
          111.604,26.404 111.606,26.404 111.606,26.406 111.604,26.404</coordinates>
        </LinearRing></innerBoundaryIs></Polygon>
        <Point><coordinates>111.605,26.405</coordinates></Point>
      </MultiGeometry></Placemark></Document></kml>"""
    doc = m.read_kml_route(text)
    (area,) = doc.areas
    assert area.name == "Stadium" and len(area.outline) == 4 and len(area.holes) == 1
    (gap,) = doc.unsupported
    assert gap.what == "Point" and "MultiGeometry part 1" in gap.where
    bad = text.replace("111.61,26.41 111.60,26.41", "111.60,26.41 111.61,26.41")
    with pytest.raises(m.PlanFormatError, match="Stadium.*crosses itself"):
        m.read_kml_route(bad)
