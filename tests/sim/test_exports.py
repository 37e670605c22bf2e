"""The simulator's public names are exactly its ``__all__``."""

from __future__ import annotations

from groundstation import sim


def test_all_names_exist_and_nothing_private_is_exported() -> None:
    assert sorted(sim.__all__) == sorted(set(sim.__all__))
    for name in sim.__all__:
        assert hasattr(sim, name), name
        assert not name.startswith("_")
    public = {n for n in dir(sim) if not n.startswith("_") and not n.islower()}
    assert public <= set(sim.__all__)
