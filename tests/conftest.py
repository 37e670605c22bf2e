"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest

from tests.infra import STRICT


def pytest_report_header(config: pytest.Config) -> str:
    """Say whether missing infrastructure fails or skips."""
    return f"groundstation tests: strict infrastructure = {STRICT}"
