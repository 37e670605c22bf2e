"""MAVLink ingest: the station's bytes-to-state path against bare pymavlink, and live capacity.

1. Recorded traffic. Telemetry of many vehicles at the rates a PX4 "normal" link streams
   (ATTITUDE 15 Hz, GLOBAL_POSITION_INT 5 Hz, VFR_HUD ~4 Hz, HEARTBEAT, SYS_STATUS,
   EXTENDED_SYS_STATE, GPS_RAW_INT, ALTITUDE and Open Drone ID at 1 Hz, BATTERY_STATUS and
   HOME_POSITION at 0.5 Hz) is generated with pymavlink as UDP datagrams (one per vehicle per
   tick). The same datagrams go through
     - the station: ``LinkSession`` → ``FrameParser.feed_datagram`` → vehicle state updated
       (exactly what a UDP link calls in production), and
     - bare ``pymavlink`` ``MAVLink.parse_buffer`` (decode to message objects, nothing else).
   Printed: messages per second of each and their ratio (target ≥ 0.5).

2. Live capacity. A load generator in a second process plays N vehicles at the same rates over
   real UDP on loopback, stamping ATTITUDE.time_boot_ms with its monotonic clock (shared by both
   processes). The station process runs the production ``Fleet`` (one per 250 vehicles: MAVLink
   system ids are 8-bit) and, once it has heard every vehicle, samples every vehicle's state age. N rises until the station no
   longer keeps every vehicle's attitude younger than 200 ms at the 99th percentile with under
   1 % frames lost. Printed: the largest N that passed (target ≥ 500).

Run: ``python benchmarks/ingest.py [--record-vehicles 100] [--record-seconds 10]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import select
import socket
import statistics
import sys
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastcrc.crc16 import mcrf4xx
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.config import MavlinkSettings
from groundstation.events import EventBus
from groundstation.mavlink import Fleet
from groundstation.mavlink._session import LinkSession
from groundstation.mavlink.links import Link

TICK_HZ = 15
PER_FLEET = 250
AGE_LIMIT_MS = 200.0
LOSS_LIMIT_PCT = 1.0
START_LIMIT_S = 30.0  # generator start-up and discovery of every vehicle (not measured)
SETTLE_S = 0.5


class _NoFile:
    def write(self, data: bytes) -> None:  # pragma: no cover - never called
        raise AssertionError


# -- traffic -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stream:
    """One telemetry message of a vehicle: how to build it and every how many ticks it goes."""

    build: Callable[[int], Any]
    every_ticks: int
    stamps_time: bool = False  # first payload field is time_boot_ms


def _streams() -> list[Stream]:
    m = mavlink
    return [
        Stream(
            lambda i: m.MAVLink_attitude_message(1, 0.01 * i + 0.1, -0.05, 1.2, 0.01, -0.02, 0.03),
            1,
            True,
        ),
        Stream(
            lambda i: m.MAVLink_global_position_int_message(
                1,
                262500000 + 997 * i,
                1116000000 + 1301 * i,
                152300 + i,
                52300,
                310,
                -120,
                15,
                9000 + i,
            ),
            3,
            True,
        ),
        Stream(lambda i: m.MAVLink_vfr_hud_message(8.1, 7.9, 91, 55, 152.3, 0.4), 4),
        Stream(lambda i: m.MAVLink_heartbeat_message(2, 12, 217, 67371008, 4, 3), TICK_HZ),
        Stream(
            lambda i: m.MAVLink_sys_status_message(
                0x2F, 0x2F, 0x2F, 310, 15800 - i, 1250, 76, 0, 0, 0, 0, 0, 0, 0, 0, 0
            ),
            TICK_HZ,
        ),
        Stream(lambda i: m.MAVLink_extended_sys_state_message(0, 2), TICK_HZ),
        Stream(
            lambda i: m.MAVLink_gps_raw_int_message(
                9_000_000 + i, 3, 262500000 + i, 1116000000 + i, 152300, 85, 120, 790, 9000, 17
            ),
            TICK_HZ,
        ),
        Stream(
            lambda i: m.MAVLink_altitude_message(1, 152.3, 152.1, 52.3, 52.3, 48.0, 52.0), TICK_HZ
        ),
        Stream(
            lambda i: m.MAVLink_open_drone_id_location_message(
                0,
                0,
                [0] * 20,
                2,
                90,
                790,
                15,
                262500000 + i,
                1116000000 + i,
                1523.0,
                1523.0,
                0,
                152.3,
                10,
                4,
                3,
                1,
                600 + i,
                1,
            ),
            TICK_HZ,
        ),
        Stream(
            lambda i: m.MAVLink_open_drone_id_system_message(
                0,
                0,
                [0] * 20,
                1,
                1,
                262400000,
                1115900000,
                1,
                0,
                0,
                0,
                0,
                0,
                100.0,
                1,
            ),
            TICK_HZ,
        ),
        Stream(
            lambda i: m.MAVLink_battery_status_message(
                0, 1, 1, 3100, [4000, 4010, 3990, 4000] + [65535] * 6, 1250, 1200, 900, 76
            ),
            2 * TICK_HZ,
        ),
        Stream(
            lambda i: m.MAVLink_home_position_message(
                262400000, 1115900000, 100000, 0, 0, 0, [1, 0, 0, 0], 0, 0, 0
            ),
            2 * TICK_HZ,
        ),
    ]


class VehicleTraffic:
    """Pre-packed frames of one vehicle, re-stamped (time, sequence, CRC) when sent."""

    def __init__(self, sysid: int, index: int, streams: list[Stream]) -> None:
        mav = mavlink.MAVLink(_NoFile(), srcSystem=sysid, srcComponent=1)
        self.offset = index % TICK_HZ  # spread the slow streams over the second
        self.frames: list[tuple[bytearray, int, int, bool]] = []
        for stream in streams:
            msg = stream.build(index)
            frame = bytearray(msg.pack(mav))
            self.frames.append((frame, stream.every_ticks, msg.crc_extra, stream.stamps_time))
        self.seq = 0

    def datagram(self, tick: int, time_ms: int) -> bytes:
        """The frames due at a tick, each with the next sequence number and a fresh CRC."""
        out = bytearray()
        stamp = (time_ms & 0xFFFFFFFF).to_bytes(4, "little")
        for frame, every, extra, stamps in self.frames:
            if (tick + self.offset) % every:
                continue
            frame[4] = self.seq
            self.seq = (self.seq + 1) & 0xFF
            if stamps:
                frame[10:14] = stamp
            end = len(frame) - 2
            frame[end:] = mcrf4xx(bytes((extra,)), mcrf4xx(frame[1:end])).to_bytes(2, "little")
            out += frame
        return bytes(out)


def messages_per_second_per_vehicle() -> float:
    """Average telemetry messages a vehicle sends per second in this benchmark."""
    return sum(TICK_HZ / s.every_ticks for s in _streams())


def record(vehicles: int, seconds: float) -> list[tuple[bytes, tuple[str, int]]]:
    """Datagrams (with the address they come from) of ``vehicles`` for ``seconds`` of flight."""
    streams = _streams()
    fleet = [VehicleTraffic(i + 1, i, streams) for i in range(vehicles)]
    out = []
    for tick in range(int(seconds * TICK_HZ)):
        time_ms = tick * 1000 // TICK_HZ
        for i, vehicle in enumerate(fleet):
            out.append((vehicle.datagram(tick, time_ms), ("127.0.0.1", 20000 + i)))
    # every vehicle's first datagram carries a HEARTBEAT so both paths see the same fleet
    first = [(v.datagram(-v.offset, 0), ("127.0.0.1", 20000 + i)) for i, v in enumerate(fleet)]
    return first + out


# -- part 1: recorded bytes ---------------------------------------------------------------------


class _NullLink(Link):
    """A link that only delivers what the benchmark feeds it (production session on top)."""

    datagram = True

    async def open(self) -> None:
        self._set_up(True)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        self.bytes_sent += len(data)

    async def aclose(self) -> None:
        self._set_up(False)


def count_frames(datagrams: list[tuple[bytes, tuple[str, int]]]) -> int:
    """How many messages the recording holds (pymavlink's count)."""
    mav = mavlink.MAVLink(None)
    return sum(len(mav.parse_buffer(d) or ()) for d, _ in datagrams)


def time_pymavlink(datagrams: list[tuple[bytes, tuple[str, int]]]) -> float:
    """Seconds bare pymavlink takes to parse every datagram."""
    mav = mavlink.MAVLink(None)
    mav.robust_parsing = True
    parse = mav.parse_buffer
    start = time.perf_counter()
    for data, _ in datagrams:
        parse(data)
    return time.perf_counter() - start


async def time_station(datagrams: list[tuple[bytes, tuple[str, int]]]) -> tuple[float, Fleet]:
    """Seconds the station's ingest path takes for every datagram (after a warm-up pass)."""
    settings = MavlinkSettings(endpoints=[], initial_requests=False)
    fleet = Fleet(settings, EventBus())
    link = _NullLink("udpin:recorded")
    session = LinkSession(link, 0, fleet, settings)
    feed = session.parser.feed_datagram
    for data, peer in datagrams:  # warm-up: discovers the vehicles
        feed(data, peer)
    start = time.perf_counter()
    for data, peer in datagrams:
        feed(data, peer)
    return time.perf_counter() - start, fleet


def part_one(vehicles: int, seconds: float, repeats: int) -> None:
    datagrams = record(vehicles, seconds)
    frames = count_frames(datagrams)
    nbytes = sum(len(d) for d, _ in datagrams)
    pym = min(time_pymavlink(datagrams) for _ in range(repeats))
    station_times = []
    fleet: Fleet | None = None
    for _ in range(repeats):
        t, fleet = asyncio.run(time_station(datagrams))
        station_times.append(t)
    station = min(station_times)
    assert fleet is not None and len(fleet.vehicles) == vehicles
    last = fleet.vehicles[vehicles].state
    assert last.position.valid and last.battery.remaining_pct == 76 and last.mode == "AUTO.MISSION"
    pym_rate, station_rate = frames / pym, frames / station
    print(f"recorded traffic: {vehicles} vehicles x {seconds:g} s, {frames} messages, {nbytes} bytes, "
          f"{len(datagrams)} datagrams ({messages_per_second_per_vehicle():.1f} msg/s per vehicle)")  # fmt: skip
    print(
        f"  bare pymavlink parse_buffer : {pym_rate:12,.0f} msg/s  ({pym * 1e6 / frames:.2f} us/msg)"
    )
    print(
        f"  station ingest (to state)   : {station_rate:12,.0f} msg/s  ({station * 1e6 / frames:.2f} us/msg)"
    )
    print(f"  ratio station / pymavlink   : {station_rate / pym_rate:.2f}  (target >= 0.5)")


# -- part 2: live capacity ------------------------------------------------------------------------


def generate(ports: list[int], count: int) -> dict[str, float]:
    """Load generator (second process): ``count`` vehicles sending to the station's ports.

    It says "started" on stdout once every vehicle's first heartbeat is out, then plays traffic
    until its stdin closes (the station has finished measuring), then prints its statistics.
    """
    streams = _streams()
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in ports]
    vehicles = []
    for i in range(count):
        port_index, sysid = divmod(i, PER_FLEET)
        vehicles.append(
            (
                VehicleTraffic(sysid + 1, i, streams),
                socks[port_index],
                ("127.0.0.1", ports[port_index]),
            )
        )
    period = 1.0 / TICK_HZ
    start = time.monotonic()
    tick = 0
    sent = 0
    late_ticks = 0
    for vehicle, sock, addr in vehicles:  # heartbeats first so the station knows everyone
        sock.sendto(vehicle.datagram(-vehicle.offset, int(time.monotonic() * 1000)), addr)
    print("started", flush=True)
    while not select.select([sys.stdin], [], [], 0)[0]:  # until the station closes our stdin
        now = time.monotonic()
        now_ms = int(now * 1000)
        for vehicle, sock, addr in vehicles:
            sock.sendto(vehicle.datagram(tick, now_ms), addr)
            sent += 1
        tick += 1
        next_tick = start + tick * period
        delay = next_tick - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            late_ticks += 1
    elapsed = time.monotonic() - start
    return {"datagrams": sent, "ticks": tick, "late_ticks": late_ticks, "seconds": elapsed,
            "tick_rate_hz": tick / elapsed}  # fmt: skip


@dataclass
class LiveResult:
    count: int
    live: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    loss_pct: float
    generator_tick_hz: float

    @property
    def passed(self) -> bool:
        return (
            self.live == self.count
            and self.p99_ms <= AGE_LIMIT_MS
            and self.loss_pct < LOSS_LIMIT_PCT
            and self.generator_tick_hz >= TICK_HZ * 0.95
        )


async def run_live(count: int, seconds: float) -> LiveResult:
    fleets_needed = (count + PER_FLEET - 1) // PER_FLEET
    ports = []
    for _ in range(fleets_needed):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    bus = EventBus()
    fleets = [
        Fleet(MavlinkSettings(endpoints=[f"udpin:127.0.0.1:{p}"], initial_requests=False), bus)
        for p in ports
    ]
    async with contextlib.AsyncExitStack() as stack:
        for fleet in fleets:
            await stack.enter_async_context(fleet)
        for fleet in fleets:  # a deep socket buffer, as a production host would configure
            for link in fleet.links.values():
                sock = link._transport.get_extra_info("socket")  # type: ignore[attr-defined]
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--generate", ",".join(map(str, ports)), str(count),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            cwd=str(Path(__file__).resolve().parent.parent),
        )  # fmt: skip
        assert proc.stdout is not None and proc.stdin is not None
        # not measured: the generator's start-up and the station's discovery of every vehicle
        await asyncio.wait_for(proc.stdout.readline(), START_LIMIT_S)
        await all_heard(fleets, count, START_LIMIT_S)
        await asyncio.sleep(SETTLE_S)
        lost_before = sum(s.frames_lost for f in fleets for s in f.link_stats().values())
        got_before = sum(s.frames_received for f in fleets for s in f.link_stats().values())
        ages: list[float] = []
        deadline = time.monotonic() + seconds - 0.2
        while time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            now_ms = time.monotonic() * 1000
            for fleet in fleets:
                for vehicle in fleet.vehicles.values():
                    ages.append(now_ms - vehicle.state.attitude.time_boot_ms)
        proc.stdin.close()
        out, _ = await proc.communicate()
        gen = json.loads(out.decode().strip().splitlines()[-1])
        lost = sum(s.frames_lost for f in fleets for s in f.link_stats().values()) - lost_before
        got = sum(s.frames_received for f in fleets for s in f.link_stats().values()) - got_before
        live = sum(len(f.vehicles) for f in fleets)
    ages.sort()
    return LiveResult(
        count=count,
        live=live,
        p50_ms=statistics.median(ages) if ages else float("inf"),
        p99_ms=ages[int(len(ages) * 0.99)] if ages else float("inf"),
        max_ms=ages[-1] if ages else float("inf"),
        loss_pct=100.0 * lost / (lost + got) if lost + got else 100.0,
        generator_tick_hz=gen["tick_rate_hz"],
    )


async def all_heard(fleets: list[Fleet], count: int, limit_s: float) -> None:
    """Wait until ``count`` vehicles exist and each has reported its attitude (or ``limit_s``)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        heard = sum(1 for f in fleets for v in f.vehicles.values() if v.state.attitude.time_boot_ms)
        if heard >= count:
            return
        await asyncio.sleep(0.05)


def part_two(counts: list[int], seconds: float) -> None:
    print(f"live UDP on loopback: {messages_per_second_per_vehicle():.1f} msg/s per vehicle, "
          f"state age = now - ATTITUDE stamp, limit {AGE_LIMIT_MS:.0f} ms at p99, loss < {LOSS_LIMIT_PCT:g} %")  # fmt: skip
    best = 0
    for count in counts:
        gc.collect()
        result = asyncio.run(run_live(count, seconds))
        verdict = "ok" if result.passed else "FAIL"
        print(f"  {count:5d} vehicles: live {result.live:5d}  age p50 {result.p50_ms:6.1f} ms  "
              f"p99 {result.p99_ms:7.1f} ms  max {result.max_ms:7.1f} ms  loss {result.loss_pct:5.2f} %  "
              f"generator {result.generator_tick_hz:5.1f}/{TICK_HZ} Hz  {verdict}")  # fmt: skip
        if not result.passed:
            if result.generator_tick_hz < TICK_HZ * 0.95:
                print(
                    "  (the load generator could not keep its rate: the limit found is the generator's)"
                )
            break
        best = count
    print(
        f"vehicles kept live with state no older than {AGE_LIMIT_MS:.0f} ms: {best}  (target >= 500)"
    )


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        ports = [int(p) for p in sys.argv[2].split(",")]
        print(json.dumps(generate(ports, int(sys.argv[3]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record-vehicles", type=int, default=100)
    parser.add_argument("--record-seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--live-seconds", type=float, default=5.0)
    parser.add_argument("--counts", default="250,500,750,1000,1250,1500,1750,2000")
    args = parser.parse_args()
    part_one(args.record_vehicles, args.record_seconds, args.repeats)
    part_two([int(c) for c in args.counts.split(",")], args.live_seconds)


if __name__ == "__main__":
    main()
