"""Without Leaflet installed the console still works on its own offline canvas base."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.browser import click_map
from tests.console.conftest import Shots
from tests.console.harness import DOCK_POSITION, ConsoleStation, console_settings
from tests.infra import require

pytestmark = [pytest.mark.browser, pytest.mark.e2e]


@pytest.fixture(scope="module")
def plain_station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStation]:
    data = tmp_path_factory.mktemp("plain")
    settings = console_settings(data)
    settings.console.leaflet_dir = Path(data / "no-leaflet-here")
    st = ConsoleStation(settings)
    try:
        st.start()
        yield st
    finally:
        st.close()


def test_without_leaflet_the_console_draws_its_own_base(
    console: Any, plain_station: ConsoleStation, shots: Shots
) -> None:
    page = console("admin_a", plain_station)
    assert page.get_attribute("#mapmode", "data-mode") == "plain"
    assert "Leaflet" in page.text_content("#mapmode")  # says Leaflet is not installed
    assert page.evaluate("typeof window.L") == "undefined"
    page.wait_for_function("Object.keys(window.gcs.renderer.drawn.docks).length === 1")
    # the offline base still answers clicks with coordinates and selects what is drawn
    click_map(page, *DOCK_POSITION)
    page.wait_for_selector("#dock-panel")
    assert "°N" in page.text_content("#coords")
    # pan by dragging: the dock moves on screen
    before = page.evaluate("window.gcs.renderer.drawn.docks[Object.keys(window.gcs.renderer.drawn.docks)[0]]")
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + 200, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 320, box["y"] + 260, steps=5)
    page.mouse.up()
    page.wait_for_function(
        f"window.gcs.renderer.drawn.docks[Object.keys(window.gcs.renderer.drawn.docks)[0]][0] > {before[0] + 100}")
    shots(page, "plain-base")
    assert page.errors == []


def test_with_leaflet_installed_the_console_uses_it(console: Any, station: ConsoleStation) -> None:
    require((station.settings.console.leaflet_dir / "leaflet.js").is_file(),
            "libjs-leaflet not installed (scripts/test.sh installs it)")
    page = console("viewer_a")
    assert page.get_attribute("#mapmode", "data-mode") == "leaflet"
    assert page.evaluate("typeof window.L.map") == "function"
    assert page.errors == []
