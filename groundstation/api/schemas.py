"""Pydantic models shared by several routers (each router keeps its own request bodies)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

__all__ = [
    "Latitude",
    "Longitude",
    "Name",
    "ORMModel",
    "Problem",
    "aware",
]

Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ORMModel(BaseModel):
    """A response model read from a table row."""

    model_config = ConfigDict(from_attributes=True)


class Problem(BaseModel):
    """The body of every refusal: what went wrong, and a machine-readable code."""

    detail: str
    code: str = ""
    reasons: list[str] | None = None


def aware(value: datetime) -> datetime:
    """Refuse naive datetimes (ambiguous in a station spanning time zones)."""
    if value.tzinfo is None:
        raise ValueError("datetime needs a time zone (e.g. 2026-01-01T08:00:00+08:00)")
    return value
