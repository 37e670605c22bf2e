"""The console on the real ``groundstation demo``: the station's own dispatch ranking, a
one-click dock launch to an incident clicked on the map with the drone's video on arrival,
live dock states and readings, and
the dock's refusal shown to a pilot who opens a cover outside maintenance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.console.browser import centre_map, click_map, confirm, open_console
from tests.console.conftest import Shots
from tests.e2e.demo_process import Demo, running_demo

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

SCENE = (26.436, 111.612)


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
