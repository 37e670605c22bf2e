"""The demo's unknown drone: shown only to a drone holding over an incident, ahead of its camera
and above it, staying put while that drone stays on the incident, gone when it leaves."""

from __future__ import annotations

from dataclasses import replace

from pyproj import Geod

from groundstation.demo._intruder import DemoIntruder, IntruderScript
from groundstation.sim import TruthState

GEOD = Geod(ellps="WGS84")


def truth(**changes: object) -> TruthState:
    base = TruthState(
        system_id=1, t_s=0.0, lat_deg=26.43, lon_deg=111.606, alt_amsl_m=160.0, alt_rel_m=60.0,
        north_mps=0.0, east_mps=0.0, down_mps=0.0, ground_speed_mps=0.2, roll_deg=0.0,
        pitch_deg=0.0, yaw_deg=90.0, heading_deg=90.0, gimbal_pitch_deg=0.0, armed=True,
        mode="AUTO", on_ground=False, landed_state=2, battery_pct=80.0, battery_v=15.8,
        home_lat_deg=26.42, home_lon_deg=111.6, home_alt_amsl_m=100.0, mission_current=3,
        failsafe=False)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_intruder_shows_itself_ahead_of_a_drone_holding_on_an_incident() -> None:
    on_incident = {"U1": False, "U2": True}
    now = [0.0]
    intruder = DemoIntruder(on_incident.__getitem__, clock=lambda: now[0])
    intruder.update({"U1": truth(), "U2": truth(ground_speed_mps=8.0)})
    assert intruder.aircraft() == [] and intruder.shown_to is None  # no one holds on an incident
    intruder.update({"U1": truth(), "U2": truth(alt_rel_m=5.0)})
    assert intruder.shown_to is None  # too low to be watching a scene

    intruder.update({"U1": truth(), "U2": truth()})
    assert intruder.shown_to == "U2"
    script = IntruderScript()
    for t in (0.0, 3.0, 7.5):
        now[0] = t
        [craft] = intruder.aircraft()
        assert not craft.known and craft.span_m == script.span_m
        assert craft.alt_m == 60.0 + script.above_m
        azimuth, _, dist = GEOD.inv(111.606, 26.43, craft.lon_deg, craft.lat_deg)
        assert abs(dist - script.ahead_m) <= script.loiter_radius_m + 0.01
        assert abs(azimuth - 90.0) < 10.0  # in front of the camera (heading east)

    first = intruder.aircraft()[0]
    intruder.update({"U2": truth(lat_deg=26.44, heading_deg=0.0, ground_speed_mps=6.0)})
    assert intruder.aircraft()[0] == first  # it stays where it is while U2 is on the incident
    on_incident["U2"] = False
    intruder.update({"U2": truth()})
    assert intruder.aircraft() == [] and intruder.shown_to is None
