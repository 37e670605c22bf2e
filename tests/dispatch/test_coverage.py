"""District coverage: shares per dock and ring grow with the ring, the fleet's union covers at
least each dock, a no-fly zone and an offline dock take area away, and the GeoJSON matches."""

from __future__ import annotations

from dataclasses import replace

import pytest
from shapely.geometry import shape

from geofence import Zone, ZoneKind, ZoneSet
from groundstation.dispatch import DispatchError
from groundstation.dispatch._coverage import district_coverage
from tests.dispatch.helpers import dock, offset

# a 6 km x 6 km district around the demo's town centre
DISTRICT = [(26.40, 111.58), (26.40, 111.64), (26.454, 111.64), (26.454, 111.58)]


def test_shares_grow_with_the_ring_and_the_union_covers_each_dock() -> None:
    docks = [dock("D1", -1000, -2000), dock("D2", 2500, 2000)]
    cov = district_coverage(DISTRICT, docks, zones=ZoneSet([]), cell_m=200)
    for shares in [*cov.per_dock.values(), cov.union]:
        values = [shares[r] for r in (60.0, 180.0, 300.0)]
        assert values == sorted(values) and 0 <= values[0] and values[-1] <= 1
    for ring in (60.0, 180.0, 300.0):
        assert cov.union[ring] >= max(d[ring] for d in cov.per_dock.values())
        assert cov.union[ring] <= sum(d[ring] for d in cov.per_dock.values()) + 1e-9
    assert 0 < cov.union[180.0] < 1
    fleet = {f["properties"]["ring_s"]: f for f in cov.geojson["features"]
             if f["properties"]["dock_id"] is None}
    assert shape(fleet[300.0]["geometry"]).area > shape(fleet[60.0]["geometry"]).area


def test_a_no_fly_zone_and_an_offline_dock_take_area_away() -> None:
    one = dock("D1", 700, 0)
    free = district_coverage(DISTRICT, [one], zones=ZoneSet([]), cell_m=200)
    wall = ZoneSet([Zone.circle("nf", "Prison", ZoneKind.NO_FLY, *offset(700, 1500), 900)])
    blocked = district_coverage(DISTRICT, [one], zones=wall, cell_m=200)
    assert blocked.union[180.0] < free.union[180.0]
    offline = district_coverage(DISTRICT, [replace(one, online=False)], zones=ZoneSet([]), cell_m=200)
    assert offline.union == {60.0: 0.0, 180.0: 0.0, 300.0: 0.0}


def test_bad_districts_are_refused() -> None:
    one = [dock("D1", 700, 0)]
    with pytest.raises(DispatchError):
        district_coverage(DISTRICT[:2], one, zones=ZoneSet([]))
    with pytest.raises(DispatchError, match="simple polygon"):
        district_coverage([DISTRICT[0], DISTRICT[2], DISTRICT[1], DISTRICT[3]], one, zones=ZoneSet([]))
    with pytest.raises(DispatchError, match="larger cells"):
        district_coverage(DISTRICT, one, zones=ZoneSet([]), cell_m=5)
