"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from tests.infra import STRICT
from tests.mqtt_broker import mqtt_broker, mqtt_prefix  # noqa: F401 - fixtures for every test folder


def pytest_report_header(config: pytest.Config) -> str:
    """Say whether missing infrastructure fails or skips."""
    return f"groundstation tests: strict infrastructure = {STRICT}"
