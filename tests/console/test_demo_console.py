"""The console on the real ``groundstation demo``: the station's own dispatch ranking, a
one-click dock launch to an incident clicked on the map with the drone's video on arrival,
live dock states and readings, the dock's refusal shown to a pilot who opens a cover outside
maintenance, and a viewer's district coverage drawn from the station's answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.browser import centre_map, click_map, confirm, open_console
from tests.console.conftest import Shots
from tests.e2e.demo_process import Demo, running_demo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SCENE = (26.436, 111.612)
DISTRICT = [(26.410, 111.590), (26.410, 111.630), (26.440, 111.630), (26.440, 111.590)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    with running_demo(tmp_path_factory.mktemp("demo")) as running:
        running.base_url = running.url  # type: ignore[attr-defined]
        yield running


@pytest.fixture
def on_demo(browser: Any, demo: Demo) -> Iterator[Any]:
    pages: list[Any] = []

    def open_as(user: str) -> Any:
        page = open_console(browser, demo, user, password=demo.passwords[user])
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.context.close()


def test_commander_sends_a_dock_drone_with_the_station_ranking(on_demo: Any, shots: Shots) -> None:
    page = on_demo("commander")
    page.wait_for_function("window.gcs.state.docks.some((d) => d.state && d.state.startsWith('idle'))")
    page.click(".tab[data-tab=incidents]")
    centre_map(page, *SCENE, zoom=14)
    page.click("#new-incident")
    click_map(page, *SCENE)
    page.click("#incident-create")
    page.wait_for_selector("#incident-panel")
    page.wait_for_selector("#dispatch-ranking li.candidate")
    assert "地面站排序" in page.text_content("#dispatch-ranking")  # the station's, not an estimate
    shots(page, "station-ranking")
    page.locator("#dispatch-ranking li.candidate button.send").first.click()
    page.wait_for_selector("#dispatch-result[data-outcome=ok]")
    page.wait_for_selector("#timeline li[data-kind=on_scene]", timeout=120_000)
    page.wait_for_selector("#arrival[data-arrived=true]")
    assert page.text_content("#incident-status") == "已到场"
    shots(page, "on-scene")
    # the drone's simulated camera, announced over MAVLink, was put on the incident on arrival
    page.wait_for_function("Number(document.getElementById('video').dataset.frames || 0) >= 3")
    page.locator("#video").scroll_into_view_if_needed()
    shots(page, "overhead-video")
    page.click("#handover")
    page.wait_for_selector("#incident-result[data-outcome=ok]")
    assert page.errors == []


def test_pilot_sees_live_docks_and_the_dock_refusal(on_demo: Any, shots: Shots) -> None:
    page = on_demo("pilot")
    page.click(".tab[data-tab=docks]")
    # a dock at rest (the other test's dock may have its drone out)
    dock_id = page.wait_for_function(
        "(() => { const d = window.gcs.state.docks.find((d) => d.state === 'idle_ready');"
        " return d ? d.id : null; })()").json_value()
    page.click(f"#dock-list li[data-dock-id='{dock_id}']")
    page.wait_for_selector("#dock-panel #dock-readings table")
    readings = page.text_content("#dock-readings")
    assert "风速" in readings and "舱盖" in readings
    page.click("#dock-open")
    confirm(page)
    page.wait_for_selector("#dock-result[data-outcome=refused]")
    assert "maintenance" in page.text_content("#dock-result")
    shots(page, "dock-refused")
    # in maintenance a pilot opens the cover by hand; the change shows in the dock's history
    page.click("#dock-maintenance-on")
    confirm(page)
    page.wait_for_selector("#dock-result[data-outcome=ok]")
    page.wait_for_function("document.querySelector('#dock-readings').textContent.includes('维护')")
    page.click("#dock-open")
    confirm(page)
    page.wait_for_function("document.querySelector('#dock-result').dataset.outcome === 'ok'"
                           " && document.querySelector('#dock-result').textContent.includes('维护')")
    page.wait_for_selector("#dock-history li:not(.muted)")
    assert "→" in page.text_content("#dock-history")
    assert page.text_content("#dock-schedules")  # the dock's patrol schedules (or "none")
    shots(page, "dock-maintenance")
    assert page.errors == []


def _shown_shares(page: Any) -> dict[str, dict[str, tuple[float, str]]]:
    """The shares table as the viewer sees it: row (dock id, "" for the union) -> ring -> value."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(
        '#coverage-table tr.pick')].map((tr) => [tr.dataset.dockId, Object.fromEntries(
        [...tr.querySelectorAll('td.share')].map((td) => [td.dataset.ring,
                                                          [Number(td.dataset.share), td.textContent]]))]))""")


def _drawn_layers(page: Any, dock_id: str | None) -> list[dict[str, Any]]:
    """The coverage layers the overlay drew for ``dock_id`` (None: the union), widest first."""
    handle = page.wait_for_function(
        "(id) => { const c = window.gcs.renderer.drawn.coverage;"
        " return c && c.dock_id === id ? c.layers : null; }", arg=dock_id)
    layers: list[dict[str, Any]] = handle.json_value()
    return layers


def _expected_layers(answer: dict[str, Any], dock_id: str | None) -> list[dict[str, Any]]:
    """The same layers read from the station's GeoJSON."""
    out = []
    for f in answer["geojson"]["features"]:
        if f["properties"]["dock_id"] != dock_id:
            continue
        g = f["geometry"]
        polygons = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]] if g["coordinates"] else []
        out.append({"ring_s": f["properties"]["ring_s"], "share": f["properties"]["share"],
                    "polygons": len(polygons), "vertices": sum(len(r) for p in polygons for r in p)})
    return sorted(out, key=lambda layer: -layer["ring_s"])


def test_viewer_draws_a_district_and_sees_its_coverage(on_demo: Any, shots: Shots) -> None:
    page = on_demo("viewer")
    page.wait_for_function("window.gcs.state.docks.length > 0")
    assert page.is_hidden("#new-incident")  # a viewer cannot create incidents ...
    centre_map(page, 26.425, 111.61, zoom=13)
    page.click("#coverage-open")  # ... but may ask for coverage, as the station allows any role
    page.click("#coverage-draw")
    for corner in DISTRICT[:2]:
        click_map(page, *corner)
    page.click("#coverage-compute")
    page.wait_for_selector("#coverage-result[data-outcome=refused]")
    assert "至少需要 3 个顶点" in page.text_content("#coverage-result")
    # corners clicked out of order: the station refuses the crossing outline, the drawing stays
    for corner in (DISTRICT[3], DISTRICT[2]):
        click_map(page, *corner)
    page.click("#coverage-compute")
    page.wait_for_function("document.querySelector('#coverage-result').textContent.includes('simple polygon')")
    assert page.evaluate("window.gcs.state.coverage.outline.length") == 4

    page.click("#coverage-draw")
    for corner in DISTRICT:
        click_map(page, *corner)
    page.fill("#coverage-cell", "5")
    page.click("#coverage-compute")
    page.wait_for_function("document.querySelector('#coverage-result').textContent.includes('20–2000')")
    page.fill("#coverage-cell", "250")
    with page.expect_response(lambda r: r.url.endswith("/api/coverage") and r.ok) as reply:
        page.click("#coverage-compute")
    sent = reply.value.request.post_data_json
    answer = reply.value.json()
    assert sent["cell_m"] == 250
    for (lat, lon), corner in zip(sent["outline"], DISTRICT, strict=True):  # to a pixel (~18 m)
        assert abs(lat - corner[0]) < 3e-4 and abs(lon - corner[1]) < 3e-4
    page.wait_for_selector("#coverage-table td.share")
    assert page.is_hidden("#coverage-result")

    # the numbers: the union and every dock, each ring, as the station answered
    shown = _shown_shares(page)
    expected = {"": answer["union"], **answer["per_dock"]}
    assert set(shown) == set(expected) and len(expected) == 1 + 8
    for row, shares in expected.items():
        assert set(shown[row]) == {"60", "180", "300"} == set(shares)
        for ring, share in shares.items():
            value, text = shown[row][ring]
            assert value == share
            assert abs(float(text.rstrip("%")) - share * 100) <= 0.05 + 1e-9
    assert answer["union"]["300"] > 0  # the district is among the docks: something to draw

    # the map: the union's three rings as the station's GeoJSON has them, then one dock's
    assert _drawn_layers(page, None) == [
        {**layer, "colour": colour} for layer, colour in
        zip(_expected_layers(answer, None), ("#ff8a3b", "#f2b233", "#3ccf7a"), strict=True)]
    shots(page, "coverage-union")
    dock = max(answer["per_dock"], key=lambda k: answer["per_dock"][k]["300"])
    page.click(f"#coverage-table tr[data-dock-id='{dock}']")
    drawn = _drawn_layers(page, dock)
    assert [{k: v for k, v in layer.items() if k != "colour"} for layer in drawn] == _expected_layers(answer, dock)
    assert page.get_attribute(f"#coverage-table tr[data-dock-id='{dock}']", "class").endswith("selected")
    shots(page, "coverage-dock")

    # English keeps the answer; the column heads follow the language
    page.select_option("#lang", "en")
    page.wait_for_selector("#coverage-table th:has-text('within 1 min')")
    assert _shown_shares(page) == shown
    page.click("#coverage-clear")
    page.wait_for_function("window.gcs.renderer.drawn.coverage === null")
    assert page.errors == []
