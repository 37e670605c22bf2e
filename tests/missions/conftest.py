"""Fixtures for the missions tests: the simulator's station-on-loopback fixtures."""

from __future__ import annotations

from tests.sim.conftest import make_sim, station  # noqa: F401 - fixtures for test_fly
