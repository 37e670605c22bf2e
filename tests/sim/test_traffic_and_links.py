"""What a vehicle reports about other aircraft, its TCP server, and garbage on its links."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.firmware._geo import distance_m
from groundstation.sim import (
    AircraftKind,
    SeenAircraft,
    SimConfig,
    SimConfigError,
    SimVehicle,
    parse_sim_endpoint,
)
from tests.sim.bench import Bench
from tests.sim.conftest import Station

BLACK_FLYER = SeenAircraft(
    ident="UAS-BLACK-0001", lat_deg=26.4210, lon_deg=111.6110, alt_amsl_m=180.0,
    speed_mps=8.0, orbit_radius_m=60.0, operator_id="CN-OP-0042",
    operator_lat_deg=26.4190, operator_lon_deg=111.6090,
)  # fmt: skip
AIRLINER = SeenAircraft(
    ident="CSN3412", kind=AircraftKind.MANNED, lat_deg=26.45, lon_deg=111.58,
    alt_amsl_m=2400.0, heading_deg=90.0, speed_mps=120.0, icao_address=0x780ABC,
)  # fmt: skip


def text(value: bytes | str) -> str:
    """A MAVLink char array as text (pymavlink gives str or bytes)."""
    if isinstance(value, bytes):
        value = value.decode()
    return value.rstrip("\0")


class Listener(asyncio.DatagramProtocol):
    """A plain pymavlink receiver standing in for a ground station."""

    def __init__(self) -> None:
        self.mav = mavlink.MAVLink(None)
        self.mav.robust_parsing = True
        self.messages: list[object] = []
        self.arrived = asyncio.Event()

    def datagram_received(self, data: bytes, addr: object) -> None:
        self.messages.extend(m for m in self.mav.parse_buffer(data) or [] if m.get_type() != "BAD_DATA")
        self.arrived.set()

    async def wait_for(self, name: str, test=lambda m: True, timeout_s: float = 5.0):  # type: ignore[no-untyped-def]
        async with asyncio.timeout(timeout_s):
            while True:
                for m in self.messages:
                    if m.get_type() == name and test(m):
                        return m
                self.arrived.clear()
                await self.arrived.wait()


async def test_seen_aircraft_are_reported_as_remote_id_and_adsb() -> None:
    loop = asyncio.get_running_loop()
    transport, listener = await loop.create_datagram_endpoint(Listener, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    try:
        config = SimConfig(endpoints=(f"udpout:127.0.0.1:{port}",), time_factor=10)
        async with SimVehicle(config) as sim:
            sim.see_aircraft(BLACK_FLYER)
            sim.see_aircraft(AIRLINER)
            basic = await listener.wait_for("OPEN_DRONE_ID_BASIC_ID")
            assert bytes(basic.uas_id).rstrip(b"\0") == b"UAS-BLACK-0001"
            assert any(basic.id_or_mac)  # about another aircraft: the address is set
            location = await listener.wait_for("OPEN_DRONE_ID_LOCATION")
            assert distance_m(location.latitude / 1e7, location.longitude / 1e7, 26.4210,
                              111.6110) == pytest.approx(60, abs=5)  # on its circle
            assert location.altitude_geodetic == pytest.approx(180.0)
            system = await listener.wait_for("OPEN_DRONE_ID_SYSTEM")
            assert system.operator_latitude == round(26.4190 * 1e7)
            operator = await listener.wait_for("OPEN_DRONE_ID_OPERATOR_ID")
            assert text(operator.operator_id) == "CN-OP-0042"
            adsb = await listener.wait_for("ADSB_VEHICLE")
            assert adsb.ICAO_address == 0x780ABC and text(adsb.callsign) == "CSN3412"
            assert adsb.altitude == pytest.approx(2_400_000, abs=200_000)
            states = {s.ident: s for s in sim.seen_aircraft()}
            assert states["CSN3412"].heading_deg == 90.0 and states["CSN3412"].lon_deg > 111.58
            sim.forget_aircraft("CSN3412")
            assert [s.ident for s in sim.seen_aircraft()] == ["UAS-BLACK-0001"]
    finally:
        transport.close()


def test_seen_aircraft_are_checked() -> None:
    with pytest.raises(ValueError):
        SeenAircraft(ident="", lat_deg=0, lon_deg=0, alt_amsl_m=0)
    with pytest.raises(ValueError):
        SeenAircraft(ident="X", lat_deg=91, lon_deg=0, alt_amsl_m=0)


def test_a_circling_aircraft_moves_in_sim_time() -> None:
    bench = Bench()
    bench.vehicle.see_aircraft(BLACK_FLYER)
    first = bench.vehicle.seen_aircraft()[0]
    bench.run(5)
    later = bench.vehicle.seen_aircraft()[0]
    moved = distance_m(first.lat_deg, first.lon_deg, later.lat_deg, later.lon_deg)
    assert moved == pytest.approx(40, abs=3)  # 8 m/s for 5 s along a 60 m circle (chord)


async def test_the_station_connects_to_a_vehicle_tcp_server(station: Station) -> None:
    async with SimVehicle(station.sim_config(endpoints=("tcpin:127.0.0.1:0",))) as sim:
        await station.fleet.add_endpoint(f"tcp:127.0.0.1:{sim.local_ports[0]}")
        vehicle = await station.fleet.wait_for_vehicle(sim.system_id, timeout_s=10)
        await vehicle.wait_until(lambda s: s.position.valid, 5)
        assert await vehicle.params.get("RTL_ALT") == 1500


@pytest.mark.parametrize("bad", ["udp:1:2", "udpout:host", "tcpin:h:port", "udpout:h:0", "x:y:99999"])
def test_bad_endpoints_are_refused(bad: str) -> None:
    with pytest.raises(SimConfigError):
        parse_sim_endpoint(bad)


def test_bad_config_values_are_refused() -> None:
    with pytest.raises(SimConfigError):
        SimConfig(system_id=0)
    with pytest.raises(SimConfigError):
        SimConfig(time_factor=0)
    with pytest.raises(SimConfigError):
        SimConfig(home_lat_deg=95)


@settings(max_examples=80, deadline=None)
@given(garbage=st.binary(max_size=600))
def test_garbage_bytes_never_break_the_vehicle(garbage: bytes) -> None:
    """Garbage may swallow frames in its datagram (a false start eats what follows, as in any
    MAVLink stream parser), but the vehicle keeps running and obeys the frames that come after."""
    bench = Bench()
    sender = mavlink.MAVLink(None, srcSystem=255, srcComponent=190)
    arm = mavlink.MAVLink_command_long_message(1, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0).pack(sender)
    nan_set = mavlink.MAVLink_param_set_message(1, 1, b"RTL_ALT", float("nan"), 6).pack(sender)
    link = object()
    bench.vehicle._on_bytes(garbage + arm + garbage, link, None)  # type: ignore[arg-type]
    bench.vehicle._on_bytes(bytes(300), link, None)  # noise ends: any false start runs out
    bench.vehicle._on_bytes(nan_set + arm, link, None)  # type: ignore[arg-type]
    bench.run(1)
    assert bench.vehicle.params.get("RTL_ALT") == 1500  # NaN refused, old value kept
    assert bench.truth.armed, bench.texts()
