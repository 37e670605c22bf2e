"""Helpers for driving the console in Chromium: log in, click a map point, wait on the page."""

from __future__ import annotations

from typing import Any

from tests.console.harness import PASSWORD, ConsoleStation

WAIT_MS = 30_000


def open_console(browser: Any, station: ConsoleStation | Any, user: str, *, width: int = 1600,
                 height: int = 900, password: str = PASSWORD) -> Any:
    """A new page logged in as ``user`` with the live stream up; page errors fail the test.

    ``station`` is anything with a ``base_url`` (a ConsoleStation, or the demo process).
    """
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  bypass_csp=True)  # lets wait_for_function evaluate strings
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    page.goto(f"{station.base_url}/console/")
    page.wait_for_selector("body[data-ready=true]")
    page.fill("#login-form input[name=username]", user)
    page.fill("#login-form input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-user-role]")
    page.wait_for_selector("#conn[data-state=live]")
    return page


def centre_map(page: Any, lat: float, lon: float, zoom: int = 15) -> None:
    """Centre the map on a point."""
    page.evaluate("([lat, lon, z]) => window.gcs.app.viewport.setView(lat, lon, z)", [lat, lon, zoom])


def click_map(page: Any, lat: float, lon: float) -> None:
    """Click the map where a latitude/longitude is drawn."""
    x, y = page.evaluate("([lat, lon]) => window.gcs.app.viewport.project(lat, lon)", [lat, lon])
    box = page.locator("#map").bounding_box()
    assert 0 <= x <= box["width"] and 0 <= y <= box["height"], "point is off the map"
    page.mouse.click(box["x"] + x, box["y"] + y)


def drawn_drone(page: Any, system_id: int) -> list[float] | None:
    """Where the overlay last drew a drone (container pixels), or None."""
    return page.evaluate("(id) => window.gcs.renderer.drawn.drones[id] || null", system_id)


def telemetry(page: Any, system_id: int) -> dict[str, Any] | None:
    """The page's latest telemetry of a drone."""
    return page.evaluate("(id) => { const v = window.gcs.state.vehicles.get(id); return v ? v.t : null; }",
                         system_id)


def confirm(page: Any) -> None:
    """Accept the confirmation dialog."""
    page.wait_for_selector("#confirm[open]")
    page.click("#confirm-yes")
