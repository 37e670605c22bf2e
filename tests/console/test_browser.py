"""The console in real headless Chromium against a running station with simulated drones.

One station per module; the tests follow a shift: a pilot flies, a refused command, a
commander's incident and dispatch, a viewer's view, a station restart, a 115-drone load.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.console.browser import (
    centre_map,
    click_map,
    confirm,
    drawn_drone,
    telemetry,
)
from tests.console.conftest import Shots
from tests.console.harness import HOME, NO_FLY_CENTRE, ConsoleStation

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

VA = 11  # county A's drone (pilot_a, admin_a, commander_a, viewer_a see it)


def moved_px(a: list[float], b: list[float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def fly_up(page: Any, alt_m: int = 30) -> None:
    """Select VA and take it off through the panel (confirming), unless it already flies."""
    page.click(f"#fleet-list li[data-system-id='{VA}']")
    page.wait_for_selector("#drone-panel")
    if telemetry(page, VA)["flying"]:
        return
    page.fill("#cmd-alt", str(alt_m))
    page.click("button[data-command=takeoff]")
    confirm(page)
    page.wait_for_selector("#command-result[data-outcome=ok]")
    page.wait_for_function(f"window.gcs.state.vehicles.get({VA}).t.alt_rel_m > {alt_m * 0.8}")


def recordings_listed(page: Any) -> bool:
    """Ask the panel to reload the incident's recordings; True once one is listed."""
    page.click("#recordings-refresh")
    try:
        page.wait_for_selector("#recordings li button.play", timeout=1_000)
    except PlaywrightTimeout:
        return False
    return True


def test_pilot_logs_in_and_sees_the_drone_move(console: Any, station: ConsoleStation, shots: Shots) -> None:
    page = console("pilot_a")
    page.wait_for_selector(f"#fleet-list li[data-system-id='{VA}']")
    centre_map(page, *HOME)
    shots(page, "logged-in")
    fly_up(page)
    shots(page, "took-off")
    before = drawn_drone(page, VA)
    start = telemetry(page, VA)
    target = (start["lat_deg"] + 0.003, start["lon_deg"] - 0.002)
    page.click("button[data-command=goto]")
    page.wait_for_selector("#modehint:not([hidden])")
    click_map(page, *target)
    confirm(page)
    page.wait_for_selector("#command-result[data-outcome=ok]")
    page.wait_for_function(
        f"(() => {{ const p = window.gcs.renderer.drawn.drones[{VA}];"
        f" return p && Math.hypot(p[0] - {before[0]}, p[1] - {before[1]}) > 40; }})()")
    after = drawn_drone(page, VA)
    assert moved_px(before, after) > 40
    # the trail follows it and the panel shows the new position
    assert page.evaluate(f"window.gcs.state.vehicles.get({VA}).trail.length") > 2
    shown = page.text_content("#drone-panel table")
    assert f"{start['lat_deg']:.6f}, {start['lon_deg']:.6f}" not in shown
    shots(page, "moved")
    assert page.errors == []


def test_a_refused_command_shows_the_station_reason(console: Any, station: ConsoleStation, shots: Shots) -> None:
    page = console("pilot_a")
    centre_map(page, *NO_FLY_CENTRE)
    fly_up(page)
    page.click("button[data-command=goto]")
    click_map(page, *NO_FLY_CENTRE)
    confirm(page)
    result = page.wait_for_selector("#command-result[data-outcome=refused]")
    text = result.text_content()
    shots(page, "refused")
    assert "地面站拒绝" in text
    reasons = [r.text_content() for r in page.query_selector_all("#command-result .reason")]
    assert any("no-fly" in r.lower() or "no_fly" in r.lower() or "prison" in r.lower() for r in reasons), reasons
    assert page.errors == []


def test_commander_creates_an_incident_by_clicking_and_sends_a_drone(
    console: Any, station: ConsoleStation, shots: Shots
) -> None:
    page = console("admin_a")
    page.click(".tab[data-tab=incidents]")
    here = telemetry(page, VA)
    scene = (here["lat_deg"] - 0.004, here["lon_deg"] + 0.003)
    centre_map(page, scene[0] + 0.002, scene[1] - 0.0015, zoom=15)
    page.click("#new-incident")
    click_map(page, *scene)
    page.wait_for_selector("#incident-form")
    page.fill("#incident-form input[name=kind]", "打架斗殴")
    page.select_option("#incident-form select[name=priority]", "1")
    page.fill("#incident-form input[name=address]", "冷水滩区 梅湾路")
    shots(page, "incident-form")
    page.click("#incident-create")
    page.wait_for_selector("#incident-panel")
    incident_id = int(page.get_attribute("#incident-panel", "data-incident-id"))
    page.wait_for_selector(f"#incident-list li[data-incident-id='{incident_id}']")
    assert page.evaluate(f"Boolean(window.gcs.renderer.drawn.incidents[{incident_id}])")
    page.wait_for_selector(f"#dispatch-ranking li.candidate[data-system-id='{VA}']")
    shots(page, "ranking")
    page.locator(f"#dispatch-ranking li.candidate[data-system-id='{VA}'] button.send").click()
    page.wait_for_selector("#dispatch-result[data-outcome=ok]")
    page.wait_for_selector("#arrival[data-arrived=true]", timeout=90_000)
    page.wait_for_selector("#timeline li[data-kind=dispatch]")
    page.wait_for_function(f"window.gcs.state.incidents.get({incident_id}).status === 'dispatched'")
    shots(page, "arrived")
    # the send put the drone's camera (announced over MAVLink) on the incident: the pane shows it
    page.wait_for_selector("#timeline li[data-kind=video]")
    page.wait_for_function("Number(document.getElementById('video').dataset.frames || 0) >= 5")
    size = page.evaluate("[document.getElementById('video').naturalWidth, document.getElementById('video').naturalHeight]")
    assert size == [480, 270]
    page.locator("#video").scroll_into_view_if_needed()
    shots(page, "video")
    # a finished segment of the drone's recording plays in the browser (fragmented MP4)
    assert any(recordings_listed(page) for _ in range(30))
    page.locator("#recordings li button.play").first.click()
    page.wait_for_function("(() => { const v = document.getElementById('playback');"
                           " return v.videoWidth === 480 && v.currentTime > 0.2; })()")
    page.locator("#playback").scroll_into_view_if_needed()
    shots(page, "recording-plays")
    # hand to a ground unit, then close
    page.click("#handover")
    page.wait_for_selector("#timeline li[data-kind=handover]")
    assert page.errors == []


def test_viewer_sees_no_command_buttons(console: Any, station: ConsoleStation, shots: Shots) -> None:
    page = console("viewer_a")
    page.click(f"#fleet-list li[data-system-id='{VA}']")
    page.wait_for_selector("#drone-panel table")
    assert page.query_selector_all("#drone-panel button") == []
    assert not page.is_visible("#new-incident")
    page.click(".tab[data-tab=incidents]")
    items = page.query_selector_all("#incident-list li")
    if items:
        items[0].click()
        page.wait_for_selector("#incident-panel")
        # only watching: refresh and play the recordings, no command of any kind
        assert page.query_selector_all("#incident-panel button:not(.watch)") == []
    shots(page, "viewer")
    # the station refuses it anyway
    vehicle_id = page.evaluate(f"window.gcs.state.records.get({VA}).id")
    status = page.evaluate(
        "async (id) => (await fetch(`/api/vehicles/${id}/commands/land`, {method: 'POST',"
        " headers: window.gcs.app.api.headers()})).status", vehicle_id)
    assert status == 403
    assert page.errors == []


def test_console_reconnects_after_the_station_restarts(
    console: Any, station: ConsoleStation, shots: Shots
) -> None:
    page = console("pilot_a")
    station.stop_server()
    try:
        page.wait_for_selector("#conn[data-state=reconnecting]")
        page.wait_for_selector("#stale:not([hidden])")
        assert page.evaluate("window.gcs.state.stale") is True  # drones drawn faded
        shots(page, "station-down")
    finally:
        station.start()
    page.wait_for_selector("#conn[data-state=live]")
    page.wait_for_selector("#stale", state="hidden")
    page.wait_for_function(f"window.gcs.state.vehicles.get({VA}).t.online === true")
    shots(page, "back")
    assert page.errors == []


def test_the_page_keeps_up_with_115_drones_at_2_hz(
    console: Any, station: ConsoleStation, shots: Shots
) -> None:
    page = console("pilot_a")
    centre_map(page, *HOME, zoom=14)
    stats = page.evaluate("""async () => {
        const out = await window.gcs.loadTest({drones: 115, rateHz: 2, seconds: 8});
        out.drawn = Object.keys(window.gcs.renderer.drawn.drones).length;
        out.fleet_rows = document.querySelectorAll("#fleet-list li").length;
        return out;
    }""")
    shots(page, "115-drones")
    print("\n115 drones at 2 Hz, main-thread lag in Chromium:", json.dumps(stats))
    assert stats["drawn"] >= 115
    assert stats["fleet_rows"] >= 115
    assert stats["messages"] >= 16
    assert page.errors == []


def test_language_switches_to_english_and_stays(console: Any) -> None:
    page = console("pilot_a")
    assert page.text_content(".tab[data-tab=fleet]") == "机队"
    page.select_option("#lang", "en")
    assert page.text_content(".tab[data-tab=fleet]") == "Fleet"
    assert page.text_content("#conn") == "Live"
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.text_content(".tab[data-tab=fleet]") == "Fleet"
    assert page.evaluate("document.documentElement.lang") == "en"


def test_dock_operator_panel_is_role_checked(console: Any, station: ConsoleStation, shots: Shots) -> None:
    dock_id = station.places["dock"]
    pilot = console("pilot_a")
    pilot.click(".tab[data-tab=docks]")
    pilot.click(f"#dock-list li[data-dock-id='{dock_id}']")
    pilot.wait_for_selector("#dock-panel #dock-readings > *")
    assert pilot.is_visible("#dock-open") and pilot.is_visible("#dock-maintenance-on")
    shots(pilot, "pilot-dock")
    viewer = console("viewer_a")
    viewer.click(".tab[data-tab=docks]")
    viewer.click(f"#dock-list li[data-dock-id='{dock_id}']")
    viewer.wait_for_selector("#dock-panel #dock-readings > *")
    assert viewer.query_selector_all("#dock-panel button") == []
    assert pilot.errors == [] and viewer.errors == []


def draw(page: Any, shape: str, points: list[tuple[float, float]]) -> None:
    """Draw a route of ``shape`` by clicking its points on the map."""
    page.select_option("#route-shape", shape)
    page.click("#route-draw")
    for lat, lon in points:
        click_map(page, lat, lon)
    page.wait_for_function(f"window.gcs.state.draft.points.length === {len(points)}")


def test_pilot_draws_validates_and_uploads_a_route(console: Any, station: ConsoleStation, shots: Shots) -> None:
    page = console("pilot_a")
    page.click(f"#fleet-list li[data-system-id='{VA}']")
    page.wait_for_selector("#route-draw")
    here = telemetry(page, VA)
    lat, lon = here["lat_deg"], here["lon_deg"]
    far = (NO_FLY_CENTRE[0], NO_FLY_CENTRE[1] + 0.006)
    centre_map(page, (lat + far[0]) / 2, (lon + far[1]) / 2, zoom=14)
    # a line patrol across the prison's no-fly zone is refused with the zone named
    draw(page, "polyline", [(lat, lon), far])
    page.click("#route-validate")
    page.wait_for_selector("#route-result[data-outcome=refused]")
    assert "Prison" in page.text_content("#route-result")
    assert page.is_disabled("#route-upload")
    shots(page, "route-refused")
    # three waypoints away from it pass, show their length, and go up to the drone
    draw(page, "waypoints", [(lat + 0.002, lon), (lat + 0.002, lon + 0.002), (lat, lon + 0.002)])
    page.click("#route-validate")
    page.wait_for_selector("#route-result[data-outcome=ok]")
    assert page.evaluate("window.gcs.state.draftPath.length") >= 3
    shots(page, "route-valid")
    page.click("#route-upload")
    confirm(page)
    page.wait_for_function("document.querySelector('#route-result').textContent.includes(':')"
                           " && window.gcs.state.draft === null")
    assert page.get_attribute("#route-result", "data-outcome") == "ok"
    page.wait_for_function(f"window.gcs.state.vehicles.get({VA}).t.mission_total >= 3")
    shots(page, "route-uploaded")
    assert page.errors == []


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (2560, 1440)])
def test_layout_fits_a_laptop_and_a_control_room_screen(
    console: Any, shots: Shots, width: int, height: int
) -> None:
    page = console("commander_a", width=width, height=height)
    page.click(f"#fleet-list li[data-system-id='{VA}']")
    page.wait_for_selector("#drone-panel table")
    box = page.locator("#map").bounding_box()
    assert box["width"] >= width * 0.45 and box["height"] >= height * 0.8
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for pane in ("#sidebar", "#details"):
        pb = page.locator(pane).bounding_box()
        assert pb["x"] >= 0 and pb["x"] + pb["width"] <= width + 1
    shots(page, f"{width}x{height}")
    assert page.errors == []


def test_an_alert_with_a_position_is_drawn_and_listed(console: Any, shots: Shots) -> None:
    page = console("commander_a")
    page.evaluate("""window.gcs.live.inject({type: "alert", kind: "black_flying", system_id: 11,
        lat_deg: 26.425, lon_deg: 111.605, text: "unknown drone over the no-fly zone",
        at: new Date().toISOString()})""")
    page.click(".tab[data-tab=alerts]")
    item = page.wait_for_selector("#alert-list li[data-kind=black_flying]")
    assert "黑飞" in item.text_content()
    assert "黑飞" in page.text_content("#toast")
    shots(page, "alert")
    assert page.errors == []


def test_map_layers_rings_on_demand_and_a_lost_link(
    console: Any, station: ConsoleStation, shots: Shots
) -> None:
    page = console("admin_a")
    centre_map(page, *HOME, zoom=14)
    dock_id = station.places["dock"]
    page.wait_for_function(f"Boolean(window.gcs.renderer.drawn.docks[{dock_id}])")
    assert page.evaluate("Object.keys(window.gcs.renderer.drawn.units).length") == 2
    zones = page.evaluate("window.gcs.renderer.drawn.zones")
    assert "禁飞区" in zones["Prison"] and "临时" not in zones["Prison"]
    assert "临时" in zones["Parade"] and "–" in zones["Parade"]  # marked with its time window
    assert page.evaluate("Object.keys(window.gcs.renderer.drawn.rings).length") == 0
    page.check("#show-rings")
    page.wait_for_function(f"Boolean(window.gcs.renderer.drawn.rings[{dock_id}])")
    assert page.evaluate(f"window.gcs.renderer.drawn.rings[{dock_id}]") == [1, 3, 5]
    shots(page, "rings")
    sim = next(v for v in station.sims.vehicles if v.system_id == VA)

    async def cut(on: bool) -> None:
        sim.set_link(sending=on, receiving=on)
    station.call(lambda: cut(False))
    try:
        row = f"#fleet-list li[data-system-id='{VA}']"
        page.wait_for_function(f"(document.querySelector(\"{row}\")?.textContent || '').includes('链路丢失')")
        assert page.evaluate(f"window.gcs.state.vehicles.get({VA}).t.online") is False
        shots(page, "link-lost")
    finally:
        station.call(lambda: cut(True))
    page.wait_for_function(f"window.gcs.state.vehicles.get({VA}).t.online === true")
    assert page.errors == []


def test_commander_closes_the_incident(console: Any, station: ConsoleStation, shots: Shots) -> None:
    page = console("commander_a")
    page.click(".tab[data-tab=incidents]")
    item = page.wait_for_selector("#incident-list li")
    incident_id = int(item.get_attribute("data-incident-id"))
    item.click()
    page.wait_for_selector("#incident-panel")
    page.click("#close-incident")  # without a summary: refused in the page
    assert page.get_attribute("#incident-result", "data-outcome") != "ok"
    page.fill("#close-summary", "嫌疑人已控制，移交派出所")
    page.click("#close-incident")
    page.wait_for_selector("#incident-result[data-outcome=ok]")
    page.wait_for_selector(f"#incident-list li[data-incident-id='{incident_id}']", state="detached")
    page.wait_for_function(f"!window.gcs.renderer.drawn.incidents[{incident_id}]")  # next frame
    shots(page, "closed")
    assert page.errors == []


def test_pilot_commands_confirm_first_and_report_the_outcome(
    console: Any, station: ConsoleStation, shots: Shots
) -> None:
    page = console("pilot_a")
    centre_map(page, *HOME)
    fly_up(page)
    sim = next(v for v in station.sims.vehicles if v.system_id == VA)
    received = len(sim.commands.received)
    page.click("button[data-command=hold]")
    page.click("#confirm-no")  # cancelled: nothing is sent
    page.wait_for_selector("#confirm", state="hidden")
    assert len(sim.commands.received) == received
    for command in ("hold", "orbit", "rtl"):
        page.evaluate("document.querySelector('#command-result').dataset.outcome = ''")
        page.click(f"button[data-command={command}]")
        if command == "orbit":
            page.wait_for_selector("#modehint:not([hidden])")
            here = telemetry(page, VA)
            click_map(page, here["lat_deg"] + 0.001, here["lon_deg"])
        confirm(page)
        page.wait_for_selector("#command-result[data-outcome=ok]")
    page.wait_for_function(f"['RTL', 'AUTO.RTL'].includes(window.gcs.state.vehicles.get({VA}).t.mode)")
    shots(page, "returning")
    assert page.errors == []
