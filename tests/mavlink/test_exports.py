"""Each package's __all__ lists exactly its public names."""

from __future__ import annotations

import types

import pytest

import groundstation.events
import groundstation.firmware
import groundstation.mavlink
import groundstation.mavlink.links


@pytest.mark.parametrize(
    "package", [groundstation.mavlink, groundstation.mavlink.links, groundstation.firmware]
)
def test_all_is_exactly_the_public_names(package: types.ModuleType) -> None:
    public = {
        n
        for n, v in vars(package).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType)
    }
    assert set(package.__all__) == public


def test_every_event_and_the_bus_are_exported() -> None:
    module = groundstation.events
    defined = {
        n
        for n, v in vars(module).items()
        if isinstance(v, type) and v.__module__ == module.__name__
    }
    assert set(module.__all__) == defined
