"""Remote ID and ADS-B reports relayed by a vehicle become TrafficSeen events."""

from __future__ import annotations

import asyncio

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.events import EventBus
from groundstation.mavlink import Fleet, TrafficKind, TrafficSeen
from groundstation.sim import AircraftKind, SeenAircraft, SimConfig, SimVehicle

REMOTE = SeenAircraft(ident="UAS-PERMIT-0007", lat_deg=26.4210, lon_deg=111.6110,
                      alt_amsl_m=180.0, operator_id="CN-OP-0042")
AIRLINER = SeenAircraft(ident="CSN3412", kind=AircraftKind.MANNED, lat_deg=26.45,
                        lon_deg=111.58, alt_amsl_m=2400.0, icao_address=0x780ABC)


async def _next(sub, kind: str, test=lambda e: True) -> TrafficSeen:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(10):
        while True:
            event = await sub.get()
            if event.kind == kind and test(event):
                return event


async def test_simulated_vehicle_relays_remote_id_and_adsb(fleet: Fleet, bus: EventBus,
                                                           udp_port: int) -> None:
    with bus.subscribe(TrafficSeen) as sub:
        config = SimConfig(endpoints=(f"udpout:127.0.0.1:{udp_port}",), time_factor=10)
        async with SimVehicle(config) as sim:
            sim.see_aircraft(REMOTE)
            sim.see_aircraft(AIRLINER)
            # BASIC_ID comes before LOCATION and OPERATOR_ID after it in each burst: from the
            # second burst on, both are known
            remote = await _next(sub, TrafficKind.REMOTE_ID,
                                 lambda e: e.ident == REMOTE.ident and e.operator_id != "")
            adsb = await _next(sub, TrafficKind.ADSB)
    assert remote.system_id == sim.config.system_id
    assert (remote.lat_deg, remote.lon_deg) == pytest.approx((26.4210, 111.6110), abs=1e-6)
    assert remote.alt_amsl_m == pytest.approx(180.0)
    assert (remote.operator_id, remote.accuracy_m) == ("CN-OP-0042", 3.0)
    assert (adsb.ident, adsb.icao_address) == ("CSN3412", 0x780ABC)
    assert adsb.alt_amsl_m == pytest.approx(2400.0, abs=1.0)


async def test_own_remote_id_and_reports_without_position_are_not_traffic(
        fleet: Fleet, bus: EventBus, make_peer) -> None:  # type: ignore[no-untyped-def]
    peer = await make_peer(9)
    vehicle = await fleet.wait_for_vehicle(9, timeout_s=2)
    m = mavlink
    mac = [1, 2, 3, 4, 5, 6] + [0] * 14

    def location(address: list[int], lat: int, lon: int) -> object:
        return m.MAVLink_open_drone_id_location_message(
            0, 0, address, m.MAV_ODID_STATUS_AIRBORNE, 0, 0, 0, lat, lon, 100.0, 100.0,
            m.MAV_ODID_HEIGHT_REF_OVER_TAKEOFF, 50.0, m.MAV_ODID_HOR_ACC_10_METER,
            m.MAV_ODID_VER_ACC_3_METER, m.MAV_ODID_VER_ACC_3_METER,
            m.MAV_ODID_SPEED_ACC_1_METERS_PER_SECOND, 0.0, m.MAV_ODID_TIME_ACC_1_0_SECOND)

    with bus.subscribe(TrafficSeen) as sub:
        peer.send(location([0] * 20, 264200000, 1116100000))  # the vehicle's own Remote ID
        peer.send(location(mac, 0, 0))  # no position
        peer.send(m.MAVLink_adsb_vehicle_message(  # coordinates not valid
            0x1234, 264200000, 1116100000, 1, 100000, 0, 0, 0, b"X", 1, 1,
            m.ADSB_FLAGS_VALID_ALTITUDE, 7000))
        peer.send(location(mac, 264200000, 1116100000))  # usable, identity not yet known
        event = await _next(sub, TrafficKind.REMOTE_ID)
        assert sub.get_nowait() is None
    assert event.ident == "010203040506" + "00" * 14 and event.accuracy_m == 10.0
    assert vehicle.traffic.dropped == 2
