"""Dispatch errors (part of the station's tree under ``StationError``).

    StationError
    └── DispatchError         an incident could not be ranked (bad scene, bad inputs)
"""

from __future__ import annotations

from groundstation._exceptions import StationError


class DispatchError(StationError):
    """The scene or the candidates given to dispatch are unusable."""
