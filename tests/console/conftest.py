"""Fixtures of the browser tests: one station with simulated drones per module, Chromium."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.console.browser import open_console
from tests.console.harness import ConsoleStation, console_settings
from tests.infra import REPO_ROOT, require_program

ARTIFACTS = REPO_ROOT / "test-artifacts" / "console"
TIME_FACTOR = 8.0


@pytest.fixture(scope="module")
def station(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleStation]:
    """A station on a free loopback port with drones va (11) and vb (12) simulated."""
    st = ConsoleStation(console_settings(tmp_path_factory.mktemp("console")))
    try:
        st.start()
        st.start_sims(2, first_system_id=11, time_factor=TIME_FACTOR)
        require_program("ffmpeg")
        st.start_camera(11, "va")
        yield st
    finally:
        st.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright."""
    chromium = require_program("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            yield b
        finally:
            b.close()


class Shots:
    """Screenshots of a test's steps, saved under test-artifacts/console/."""

    def __init__(self, name: str) -> None:
        self.prefix = re.sub(r"[^A-Za-z0-9_]+", "_", name)
        self.count = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: object, step: str) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.prefix}-{self.count:02d}-{step}.png"
        page.screenshot(path=str(path))  # type: ignore[attr-defined]
        return path


@pytest.fixture
def shots(request: pytest.FixtureRequest) -> Shots:
    return Shots(request.node.name)


@pytest.fixture
def console(browser: Any, station: ConsoleStation) -> Iterator[Callable[..., Any]]:
    """Open logged-in console pages (on ``station`` unless another is given); closed after."""
    pages: list[Any] = []

    def open_as(user: str, on: ConsoleStation | None = None, **size: int) -> Any:
        page = open_console(browser, on or station, user, **size)
        pages.append(page)
        return page

    yield open_as
    for page in pages:
        page.context.close()
