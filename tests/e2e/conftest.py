"""Each e2e module gets its own demo process (module scope): a module's scenario owns its state."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.demo_process import Demo, running_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """The demo composition running as a process on loopback."""
    with running_demo(tmp_path_factory.mktemp("demo")) as running:
        yield running
