"""Drawn routes: what each shape builds, and drawings or bodies that cannot be flown."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from geofence import GeoPoint
from groundstation.console import RouteDraft
from groundstation.console._routeplan import build_route
from missions import RouteError, RouteKind

LAUNCH = GeoPoint(26.42, 111.60, 110.0)
SQUARE = [(26.421, 111.601), (26.421, 111.604), (26.424, 111.604), (26.424, 111.601)]


@pytest.mark.parametrize(("shape", "pattern", "kind"), [
    ("waypoints", None, RouteKind.WAYPOINTS), ("polyline", None, RouteKind.LINE),
    ("polygon", "sweep", RouteKind.SWEEP), ("polygon", "perimeter", RouteKind.PERIMETER),
])
def test_each_shape_builds_its_kind_of_route(shape: str, pattern: str | None, kind: RouteKind) -> None:
    route = build_route(RouteDraft(shape=shape, pattern=pattern, alt_m=40, points=SQUARE), LAUNCH)
    assert route.kind is kind
    assert route.items


def test_an_area_needs_three_points() -> None:
    with pytest.raises(RouteError):
        build_route(RouteDraft(shape="polygon", pattern="sweep", alt_m=40, points=SQUARE[:2]), LAUNCH)


@pytest.mark.parametrize("body", [
    {"shape": "circle", "alt_m": 40, "points": SQUARE},
    {"shape": "waypoints", "alt_m": -5, "points": SQUARE},
    {"shape": "waypoints", "alt_m": float("nan"), "points": SQUARE},
    {"shape": "waypoints", "alt_m": 40, "points": []},
    {"shape": "waypoints", "alt_m": 40, "points": [[91, 0]]},
    {"shape": "waypoints", "alt_m": 40, "points": [[0, 0]] * 501},
    {"shape": "polygon", "pattern": "spiral", "alt_m": 40, "points": SQUARE},
    {"shape": "waypoints", "alt_m": 40, "points": "26.4,111.6"},
])
def test_hostile_bodies_are_refused(body: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        RouteDraft.model_validate(body)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(26.40, 26.44), st.floats(111.58, 111.62)), min_size=1, max_size=12),
       st.sampled_from(["waypoints", "polyline", "polygon"]), st.sampled_from(["sweep", "perimeter"]))
def test_any_drawing_builds_or_says_why_not(points: list[tuple[float, float]], shape: str, pattern: str) -> None:
    draft = RouteDraft(shape=shape, pattern=pattern, alt_m=40, points=points)
    try:
        route = build_route(draft, LAUNCH)
    except RouteError as exc:
        assert str(exc)
    else:
        assert route.items
