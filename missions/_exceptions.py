"""The missions package's exception tree.

    MissionError                  base of every error missions raises on purpose (a ValueError)
    ├── RouteError                a route cannot be built from these parameters (names the one)
    ├── RouteRefused              validation found reasons not to fly; ``reasons`` lists them all
    ├── TrackingError             a mission event that cannot happen in the tracker's phase
    └── PlanFormatError           a plan or route file is malformed; names the file position
        ├── UnknownCommandError   an item's command id is not a MAVLink MAV_CMD this station knows
        └── MissingFrameError     an item or coordinate has no altitude frame / reference

Nothing is repaired or dropped silently: a reader either returns every item it was given
(reporting the ones it cannot turn into mission items) or refuses the file, naming where.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from missions._validate import Reason


class MissionError(ValueError):
    """Base class of every error the missions package raises on purpose."""


class RouteError(MissionError):
    """A route cannot be built from the parameters given."""


class RouteRefused(MissionError):
    """A route failed validation; ``reasons`` holds every reason, not just the first."""

    def __init__(self, reasons: Sequence[Reason]) -> None:
        self.reasons = tuple(reasons)
        lines = "; ".join(reason.message for reason in self.reasons)
        super().__init__(f"route refused ({len(self.reasons)} reason(s)): {lines}")


class TrackingError(MissionError):
    """A mission event reported in a phase where it cannot happen (e.g. resumed when not paused)."""


class PlanFormatError(MissionError):
    """A plan or route file is malformed; ``where`` names the file position or item."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class UnknownCommandError(PlanFormatError):
    """An item's command id is not a MAV_CMD known to the station."""


class MissingFrameError(PlanFormatError):
    """An item or coordinate lacks the frame that says what its altitude is measured from."""
