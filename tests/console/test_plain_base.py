"""The map's bases: without Leaflet the console's own offline canvas; with Debian's Leaflet and
no tile server, Leaflet over the offline base with its scale; with an internal tile server set,
its tiles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.browser import click_map
from tests.console.conftest import Shots
from tests.console.harness import DOCK_POSITION, ConsoleStation, console_settings
from tests.infra import require
from tests.video.http_server import serve

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
    assert re.fullmatch(r"\d+ k?m", page.text_content(".leaflet-control-scale-line").strip())
    assert page.errors == []


@pytest.fixture(scope="module")
def tile_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback "internal tile server": one grey 256 px PNG for every /{z}/{x}/{y}.png."""
    import cv2
    import numpy as np
    from fastapi import FastAPI, Response

    png = cv2.imencode(".png", np.full((256, 256, 3), 90, np.uint8))[1].tobytes()
    asked: list[str] = []
    app = FastAPI()

    @app.get("/{z}/{x}/{y}.png")
    def tile(z: int, x: int, y: int) -> Response:
        asked.append(f"{z}/{x}/{y}")
        return Response(png, media_type="image/png")

    with serve(app) as base:
        yield base, asked


def test_a_configured_tile_server_is_used(console: Any, tile_server: tuple[str, list[str]],
                                          tmp_path_factory: pytest.TempPathFactory,
                                          shots: Shots) -> None:
    base, asked = tile_server
    settings = console_settings(tmp_path_factory.mktemp("tiles"))
    require((settings.console.leaflet_dir / "leaflet.js").is_file(),
            "libjs-leaflet not installed (scripts/test.sh installs it)")
    settings.console.tile_url = f"{base}/{{z}}/{{x}}/{{y}}.png"
    st = ConsoleStation(settings)
    try:
        st.start()
        page = console("viewer_a", st)
        page.wait_for_selector("img.leaflet-tile-loaded")
        assert asked and all(a.startswith(f"{settings.console.zoom}/") for a in asked[:4])
        assert page.evaluate("window.gcs.app.viewport.tiles") is True
        shots(page, "tiles")
        assert page.errors == []
    finally:
        st.close()
