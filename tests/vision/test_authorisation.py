"""Authorisation of a confirmed drone: own drone; Remote ID with and without a permit; ADS-B;
nothing near it; stale reports; bad input refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pyproj import Geod

from vision.authorisation import (
    Basis,
    CooperativeReport,
    CooperativeTraffic,
    OwnDrone,
    Permit,
    ReportSource,
    authorise,
)
from vision.geolocation import Bearing, PositionEstimate

GEOD = Geod(ellps="WGS84")
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
LAT, LON, ALT = 26.42, 111.61, 150.0


def estimate(radius_m: float = 20.0) -> PositionEstimate:
    return PositionEstimate(lat_deg=LAT, lon_deg=LON, alt_amsl_m=ALT, bearing=Bearing(90, 0),
                            range_m=100.0, range_sigma_m=10.0, along_m=radius_m,
                            across_m=radius_m / 4, alt_sigma_m=10.0)


def offset(east_m: float, north_m: float = 0.0) -> tuple[float, float]:
    """A point ``east_m``/``north_m`` metres from the estimate (geodesic, not degrees)."""
    lon, lat, _ = GEOD.fwd(LON, LAT, 90.0, east_m)
    if north_m:
        lon, lat, _ = GEOD.fwd(lon, lat, 0.0, north_m)
    return lat, lon


def remote_id(ident: str = "SN-1581F4XF", east_m: float = 10.0, *, age_s: float = 1.0,
              operator: str = "CHN-OP-77", source: ReportSource = ReportSource.REMOTE_ID,
              alt: float = ALT) -> CooperativeReport:
    lat, lon = offset(east_m)
    return CooperativeReport(source=source, ident=ident, lat_deg=lat, lon_deg=lon, alt_amsl_m=alt,
                             at=NOW - timedelta(seconds=age_s), accuracy_m=3.0,
                             operator_id=operator)


def permit(ident: str = "SN-1581F4XF", *, radius_m: float = 500.0,
           hours: tuple[int, int] = (8, 18), ceiling: float | None = None) -> Permit:
    return Permit(permit_id="P-2026-118", ident=ident, lat_deg=LAT, lon_deg=LON, radius_m=radius_m,
                  valid_from=NOW.replace(hour=hours[0]), valid_to=NOW.replace(hour=hours[1]),
                  ceiling_amsl_m=ceiling)


def test_own_drone_nearby_is_authorised() -> None:
    lat, lon = offset(12.0)
    d = authorise(estimate(), at=NOW, own_drones=[
        OwnDrone(drone_id="far", lat_deg=26.5, lon_deg=111.7, alt_amsl_m=ALT),
        OwnDrone(drone_id="yz-07", lat_deg=lat, lon_deg=lon, alt_amsl_m=ALT + 5)])
    assert (d.authorised, d.basis, d.matched) == (True, Basis.OWN_DRONE, "yz-07")
    assert d.distance_m == pytest.approx(12.0, abs=0.01)


def test_remote_id_with_a_permit_for_that_place_and_time_is_authorised() -> None:
    d = authorise(estimate(), at=NOW, reports=[remote_id()], permits=[permit()])
    assert (d.authorised, d.basis, d.matched, d.permit_id) == (
        True, Basis.REMOTE_ID, "SN-1581F4XF", "P-2026-118")


def test_permit_may_name_the_operator_instead_of_the_aircraft() -> None:
    d = authorise(estimate(), at=NOW, reports=[remote_id()], permits=[permit("chn-op-77")])
    assert d.authorised


def test_remote_id_without_a_permit_is_unauthorised_and_says_who() -> None:
    d = authorise(estimate(), at=NOW, reports=[remote_id()], permits=[permit("SN-OTHER")])
    assert (d.authorised, d.basis, d.matched) == (False, Basis.REMOTE_ID, "SN-1581F4XF")
    assert "no permit" in d.reason


@pytest.mark.parametrize("why", ["hours", "place", "ceiling"])
def test_permit_outside_its_time_place_or_ceiling_does_not_cover(why: str) -> None:
    p = {"hours": permit(hours=(12, 14)), "place": permit(radius_m=5.0),
         "ceiling": permit(ceiling=ALT - 20)}[why]
    d = authorise(estimate(), at=NOW, reports=[remote_id()], permits=[p])
    assert not d.authorised and d.basis is Basis.REMOTE_ID


def test_adsb_flight_with_a_permit_is_authorised() -> None:
    report = remote_id("B7731", source=ReportSource.ADSB, operator="")
    d = authorise(estimate(), at=NOW, reports=[report], permits=[permit("B7731")])
    assert (d.authorised, d.basis) == (True, Basis.ADSB)


def test_nothing_near_is_unauthorised() -> None:
    lat, lon = offset(400.0)
    d = authorise(estimate(), at=NOW,
                  own_drones=[OwnDrone(drone_id="yz-07", lat_deg=lat, lon_deg=lon, alt_amsl_m=ALT)],
                  reports=[remote_id(east_m=300.0)], permits=[permit()])
    assert (d.authorised, d.basis, d.matched) == (False, Basis.NONE, None)
    assert "no own drone" in d.reason


def test_match_gate_is_metres_of_uncertainty_not_degrees() -> None:
    # 20 m radius + 3 m report accuracy + 15 m gate = 38 m: 35 m matches, 45 m does not
    near = authorise(estimate(), at=NOW, reports=[remote_id(east_m=35.0)], permits=[permit()])
    far = authorise(estimate(), at=NOW, reports=[remote_id(east_m=45.0)], permits=[permit()])
    assert near.authorised and not far.authorised
    wider = authorise(estimate(radius_m=40.0), at=NOW, reports=[remote_id(east_m=45.0)],
                      permits=[permit()])
    assert wider.authorised


def test_altitude_must_agree_too() -> None:
    d = authorise(estimate(), at=NOW, reports=[remote_id(alt=ALT + 200)], permits=[permit()])
    assert not d.authorised and d.basis is Basis.NONE


def test_stale_report_cannot_cover_a_drone_seen_later() -> None:
    d = authorise(estimate(), at=NOW, reports=[remote_id(age_s=30.0)], permits=[permit()])
    assert not d.authorised


def test_permitted_report_wins_over_a_nearer_unpermitted_one() -> None:
    d = authorise(estimate(), at=NOW,
                  reports=[remote_id("SN-NOPERMIT", east_m=2.0, operator=""), remote_id()],
                  permits=[permit()])
    assert d.authorised and d.matched == "SN-1581F4XF"


def test_bad_reports_and_permits_are_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        CooperativeReport(source=ReportSource.REMOTE_ID, ident="x", lat_deg=111.6, lon_deg=26.4,
                          alt_amsl_m=0, at=NOW)
    with pytest.raises(ValueError, match="timezone"):
        CooperativeReport(source=ReportSource.ADSB, ident="x", lat_deg=1, lon_deg=1, alt_amsl_m=0,
                          at=NOW.replace(tzinfo=None))
    with pytest.raises(ValueError, match="end after"):
        Permit(permit_id="p", ident="x", lat_deg=1, lon_deg=1, radius_m=10,
               valid_from=NOW, valid_to=NOW)
    with pytest.raises(ValueError, match="timezone"):
        authorise(estimate(), at=NOW.replace(tzinfo=None))


def test_traffic_keeps_the_newest_report_per_flight_and_forgets_old_ones() -> None:
    traffic = CooperativeTraffic(max_age_s=10.0)
    traffic.add(remote_id(age_s=2.0, east_m=1.0))
    traffic.add(remote_id(age_s=5.0, east_m=99.0))  # older, arrived late: ignored
    traffic.add(remote_id("OLD", age_s=20.0))
    current = traffic.current(NOW)
    assert [r.ident for r in current] == ["SN-1581F4XF"]
    assert current[0].at == NOW - timedelta(seconds=2)


def test_traffic_stays_bounded_keeping_the_newest_flights() -> None:
    traffic = CooperativeTraffic(max_age_s=60.0, max_flights=3)
    for i in range(5):
        traffic.add(remote_id(f"SN-{i}", age_s=10.0 - i))
    assert sorted(r.ident for r in traffic.current(NOW)) == ["SN-2", "SN-3", "SN-4"]
