"""Each of ops' packages lists exactly its public names in __all__."""

from __future__ import annotations

import types

import pytest

import groundstation.demo
import groundstation.dispatch
import groundstation.fleetlink
import groundstation.operations


@pytest.mark.parametrize("package", [groundstation.dispatch, groundstation.operations,
                                     groundstation.fleetlink, groundstation.demo])
def test_all_is_exactly_the_public_names(package: types.ModuleType) -> None:
    public = {n for n, v in vars(package).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert set(package.__all__) == public
