"""Dock fleet through a real broker: the station's launch overhead and its MQTT message rate.

23 simulated docks (one DockAgent each) and 115 behavioural drones (five rounds of 23 launches,
the docks' drones swapped between rounds) on a mosquitto started here; the station is one
DockBus and a Launcher. Printed, each with its baseline measured in the same run on the same
broker:

- click-to-first-command: from ``Launcher.launch`` (the click) to the first service reaching a
  subscriber on the broker, against a bare MQTT round trip (publish, echo, receive);
- station overhead per launch: the station's own time on the launch's critical path (choosing
  the dock, building and checking 23 routes, sending the first commands, and the hand-offs
  between steps), excluding the dock's mechanical time;
- messages per second the station takes in (parse, validate, merge readings) from 23 docks'
  osd reports, against a bare aiomqtt subscriber receiving the same flood.

Run: ``python benchmarks/docks.py`` from the repository root (needs mosquitto).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from typing import Self

from docks import (
    DockInfo,
    DockSettings,
    DockState,
    DroneSpec,
    FleetSpec,
    Launcher,
    MqttSettings,
    ScaledClock,
    SimFleet,
    SimTimings,
)
from docks._geo import offset
from docks._mqtt_link import SOCKET_OPTIONS
from tests.docks.drone_model import ModelDrone
from tests.docks.rig import overwatch_route
from tests.mqtt_broker import MosquittoBroker, find_mosquitto

N_DOCKS = 23
N_DRONES = 115
FACTOR = 20.0
RTT_SAMPLES = 300
FLOOD_MESSAGES = 20_000
CENTRE = (26.42, 111.61)


def ms(values: list[float]) -> str:
    """p50 / p95 / max of seconds, in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"p50 {statistics.median(ordered) * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms  max {ordered[-1] * 1e3:7.2f} ms"


async def bare_round_trip(broker: MosquittoBroker) -> list[float]:
    """Publish, echo by a second client, receive: QoS 1, like the dock services."""
    samples: list[float] = []
    async with (
        aiomqtt.Client(broker.host, broker.port, identifier="rtt-a", socket_options=SOCKET_OPTIONS) as a,
        aiomqtt.Client(broker.host, broker.port, identifier="rtt-b", socket_options=SOCKET_OPTIONS) as b,
    ):
        await a.subscribe("rtt/pong", qos=1)
        await b.subscribe("rtt/ping", qos=1)

        async def echo() -> None:
            async for message in b.messages:
                await b.publish("rtt/pong", message.payload, qos=1)

        echoer = asyncio.create_task(echo(), name="rtt-echo")
        messages = a.messages
        for i in range(RTT_SAMPLES):
            start = time.perf_counter()
            await a.publish("rtt/ping", str(i).encode(), qos=1)
            await anext(messages)
            samples.append(time.perf_counter() - start)
        echoer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await echoer
    return samples


def fleet_spec() -> FleetSpec:
    docks = []
    for i in range(N_DOCKS):
        lat, lon = offset(*CENTRE, (i // 5) * 2000.0, (i % 5) * 2000.0)
        docks.append(DockInfo(dock_id=f"B{i:02d}", lat_deg=lat, lon_deg=lon, drone_id=f"V{i:03d}"))
    drones = [DroneSpec(drone_id=f"V{i:03d}", system_id=i + 1, home_dock=f"B{i % N_DOCKS:02d}")
              for i in range(N_DRONES)]
    return FleetSpec(city="bench", docks=docks, drones=drones)


MONITOR = textwrap.dedent(
    """
    import sys, time
    import paho.mqtt.client as mqtt
    host, port, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    def on_connect(client, userdata, flags, reason, props):
        client.subscribe(prefix + "thing/product/+/services", qos=1)
    def on_subscribe(client, userdata, mid, reasons, props):
        print("ready", flush=True)
    def on_message(client, userdata, message):
        print(message.topic.split("/")[-2], time.perf_counter(), flush=True)
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-monitor")
    c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
    c.connect(host, port)
    c.loop_forever()
    """
)


class Monitor:
    """A subscriber in its own process stamping when each service reaches the broker's clients.

    ``time.perf_counter`` is CLOCK_MONOTONIC on Linux, the same clock in every process.
    """

    def __init__(self, broker: MosquittoBroker, prefix: str) -> None:
        self.args = (broker.host, str(broker.port), prefix)
        self.arrivals: list[tuple[str, float]] = []

    async def __aenter__(self) -> Self:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", MONITOR, *self.args, stdout=subprocess.PIPE)
        assert self.proc.stdout is not None
        assert (await self.proc.stdout.readline()).strip() == b"ready"
        self.reader = asyncio.create_task(self._read(), name="monitor-reader")
        return self

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        async for line in self.proc.stdout:
            sn, stamp = line.split()
            self.arrivals.append((sn.decode(), float(stamp)))

    async def first_after(self, sn: str, t: float) -> float:
        """When the first service for dock ``sn`` at or after ``t`` reached the monitor."""
        async with asyncio.timeout(10):
            while True:
                found = [a for s, a in self.arrivals if s == sn and a >= t]
                if found:
                    return min(found)
                await asyncio.sleep(0.01)

    async def __aexit__(self, *exc: object) -> None:
        self.proc.kill()
        await self.proc.wait()
        self.reader.cancel()


def station_overhead_s(report, factor: float) -> float:  # type: ignore[no-untyped-def]
    """The station's own time on a launch's critical path, in real seconds."""
    steps = {s.name: s for s in report.steps}
    prep_end = max(steps[n].ended_s for n in ("self_check", "cover_open", "upload_route"))
    handoffs = (steps["arm"].started_s - prep_end) + (steps["takeoff"].started_s - steps["arm"].ended_s)
    return report.first_command_real_s + handoffs / factor


@dataclass
class LaunchFigures:
    """Per-launch timings in real seconds, for single clicks and for bursts."""

    at_broker: dict[str, list[float]] = field(default_factory=lambda: {"single": [], "burst": []})
    handed_off: dict[str, list[float]] = field(default_factory=lambda: {"single": [], "burst": []})
    overhead: dict[str, list[float]] = field(default_factory=lambda: {"single": [], "burst": []})
    landed: int = 0
    launched: int = 0
    received: int = 0


async def launches(broker: MosquittoBroker) -> LaunchFigures:
    """115 one-click launches from 23 docks: one click at a time, then four bursts of 23."""
    prefix = "bench/"
    settings = DockSettings()
    # osd silence is counted in dock seconds: at x20 the default 10 s is half a real second, which
    # a loaded machine can stall for; 120 dock seconds (6 real seconds) keeps docks online
    settings.mqtt = MqttSettings(hostname=broker.host, port=broker.port, topic_prefix=prefix,
                                 reply_timeout_s=5.0, osd_silence_s=120.0)
    clock = ScaledClock(FACTOR)
    spec = fleet_spec()
    drones = {d.drone_id: ModelDrone(d.drone_id, clock=clock, home=(0.0, 0.0), tick_s=1.0)
              for d in spec.drones}
    figures = LaunchFigures()
    for drone in drones.values():
        await drone.__aenter__()
    docked = {d.drone_id: drones[d.drone_id] for d in spec.docks if d.drone_id}
    for info in spec.docks:
        drone = drones[info.drone_id or ""]
        drone.home = info.landing_point
        drone.lat, drone.lon = info.landing_point
    try:
        async with (
            Monitor(broker, prefix) as monitor,
            SimFleet(spec, clock=clock, sim_drones=docked, settings=settings,
                     timings=SimTimings(tick_s=5.0)) as fleet,
            Launcher(fleet.docks, clock=clock, route_builder=overwatch_route, settings=settings) as launcher,
        ):
            await wait_all_idle(fleet)
            for round_no in range(N_DRONES // N_DOCKS):
                if round_no:
                    swap_drones(fleet, drones, round_no)
                    await wait_all_idle(fleet)
                targets = [offset(*d.info.landing_point, 300.0, 100.0) for d in fleet.docks]
                kind = "single" if round_no == 0 else "burst"
                clicks: list[float] = []
                if kind == "single":
                    sorties = [await click(launcher, clicks, target) for target in targets]
                else:
                    sorties = list(await asyncio.gather(*(click(launcher, clicks, t) for t in targets)))
                for sortie, clicked in zip(sorties, clicks, strict=True):
                    report = sortie.report  # type: ignore[attr-defined]
                    arrived = await monitor.first_after(report.dock_id, clicked)
                    figures.at_broker[kind].append(arrived - clicked)
                    figures.handed_off[kind].append(report.first_command_real_s)
                    figures.overhead[kind].append(station_overhead_s(report, FACTOR))
                finals = await asyncio.gather(*(s.recover() for s in sorties))  # type: ignore[attr-defined]
                figures.launched += len(finals)
                figures.landed += sum(f.outcome.startswith("landed in dock") for f in finals)
            figures.received = fleet.bus.stats.received if fleet.bus else 0
    finally:
        for drone in drones.values():
            await drone.__aexit__(None, None, None)
    return figures


async def click(launcher: Launcher, clicks: list[float], target: tuple[float, float]) -> object:
    """One click on the console: the best dock to ``target``; returns once on scene."""
    clicks.append(time.perf_counter())
    return await launcher.launch(*target)


def swap_drones(fleet: SimFleet, drones: dict[str, ModelDrone], round_no: int) -> None:
    """Put the next drone of each dock's group of five into it (a drone swap between rounds)."""
    for i, dock in enumerate(fleet.docks):
        drone = drones[f"V{round_no * N_DOCKS + i:03d}"]
        drone.home = dock.info.landing_point
        drone.lat, drone.lon = dock.info.landing_point
        sim = fleet.sims[dock.dock_id]
        sim.drone = drone
        sim.sense(drone)
        sim.place_drone(True)
        dock.drone = drone


async def wait_all_idle(fleet: SimFleet) -> None:
    """Wait until every dock is idle with a drone inside (polled: this is set-up, not measured)."""
    try:
        async with asyncio.timeout(60):
            while not all(d.state is DockState.IDLE_READY and not d.busy for d in fleet.docks):
                await asyncio.sleep(0.05)
    except TimeoutError:
        for d in fleet.docks:
            print(d.dock_id, d.state, d.busy, d.readings and d.readings.drone_present, file=sys.stderr)
        raise


PUBLISHER = textwrap.dedent(
    """
    import json, sys, time
    import paho.mqtt.client as mqtt
    host, port, prefix, n, docks = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="flood")
    c.max_queued_messages_set(0)
    c.connect(host, port)
    c.loop_start()
    data = {"mode_code": 0, "cover_state": 0, "drone_in_dock": 1, "drone_power_state": 0,
            "drone_charge_state": {"state": 1, "capacity_percent": 80.0}, "emergency_stop_state": 0,
            "wind_speed": 3.0, "rainfall": 0, "environment_temperature": 25.0, "humidity": 60.0,
            "network_state": {"type": 2, "quality": 4, "rate": 900.0}, "power_source": 0,
            "latitude": 26.42, "longitude": 111.61}
    for i in range(n):
        body = {"tid": f"t{i}", "bid": f"b{i}", "timestamp": 1_700_000_000_000 + i, "method": "osd",
                "data": data}
        info = c.publish(f"{prefix}thing/product/F{i % docks:02d}/osd", json.dumps(body), qos=1)
        if i % 500 == 499:
            info.wait_for_publish()
    info.wait_for_publish()
    c.loop_stop()
    c.disconnect()
    """
)


async def flood(broker: MosquittoBroker, prefix: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PUBLISHER, broker.host, str(broker.port), prefix, str(FLOOD_MESSAGES),
        str(N_DOCKS), stdout=subprocess.DEVNULL,
    )
    await proc.wait()


async def bare_rate(broker: MosquittoBroker) -> tuple[float, int]:
    prefix = "flood-bare/"
    count, first, last = 0, 0.0, 0.0
    async with aiomqtt.Client(broker.host, broker.port, identifier="bare-sub",
                              socket_options=SOCKET_OPTIONS) as client:
        await client.subscribe(f"{prefix}thing/product/+/osd", qos=1)
        publisher = asyncio.create_task(flood(broker, prefix))
        try:
            async with asyncio.timeout(60):
                async for _message in client.messages:
                    count += 1
                    last = time.perf_counter()
                    if count == 1:
                        first = last
                    if count == FLOOD_MESSAGES:
                        break
        except TimeoutError:
            pass
        await publisher
    return (count - 1) / (last - first), count


async def station_rate(broker: MosquittoBroker) -> tuple[float, int]:
    from docks import DockBus

    prefix = "flood-station/"
    settings = MqttSettings(hostname=broker.host, port=broker.port, topic_prefix=prefix,
                            client_id="bench-station")
    stamps: list[float] = []
    async with DockBus(settings, clock=ScaledClock(1.0)) as bus:
        drivers = [bus.driver(f"F{i:02d}") for i in range(N_DOCKS)]
        done = asyncio.Event()

        def seen(_event: object) -> None:
            stamps.append(time.perf_counter())
            if len(stamps) >= FLOOD_MESSAGES:
                done.set()

        for driver in drivers:
            driver.add_listener(lambda e: seen(e) if type(e).__name__ == "ReadingsChanged" else None)
        publisher = asyncio.create_task(flood(broker, prefix))
        try:
            async with asyncio.timeout(60):
                await done.wait()
        except TimeoutError:
            pass
        await publisher
        assert bus.stats.invalid == 0, bus.stats
        for driver in drivers:
            await driver.aclose()
    return (len(stamps) - 1) / (stamps[-1] - stamps[0]), len(stamps)


async def main() -> None:
    program = find_mosquitto()
    if program is None:
        sys.exit("mosquitto is not installed (Debian package mosquitto)")
    broker = MosquittoBroker(program, Path(tempfile.mkdtemp(prefix="bench-docks-")))
    broker.start()
    try:
        rtt = await bare_round_trip(broker)
        f = await launches(broker)
        bare, bare_n = await bare_rate(broker)
        station, station_n = await station_rate(broker)
    finally:
        broker.stop()
    rtt_p50 = statistics.median(rtt)
    worst = max(max(v) for v in f.overhead.values())
    print(f"docks benchmark: {N_DOCKS} docks, {N_DRONES} drones, {f.launched} one-click launches "
          f"(23 one at a time, then 4 bursts of 23 at once), mosquitto on 127.0.0.1, clock x{FACTOR:g}")
    print(f"baseline  bare MQTT round trip (QoS 1, publish-echo-receive)  {ms(rtt)}")
    for kind, label in (("single", "one click at a time"), ("burst", "23 clicks at once ")):
        print(f"{label}  click -> first command at broker   {ms(f.at_broker[kind])}"
              f"  = {statistics.median(f.at_broker[kind]) / rtt_p50:5.1f} x RTT p50")
        print(f"{label}  click -> first command handed off  {ms(f.handed_off[kind])}  (station side)")
        print(f"{label}  station overhead per launch        {ms(f.overhead[kind])}")
    print(f"target    station overhead under 50 ms per launch: {'met' if worst < 0.050 else 'NOT met'} "
          f"(worst {worst * 1e3:.2f} ms)")
    print(f"fleet     {f.landed} of {f.launched} sorties back in their docks; "
          f"{f.received} messages taken in by the station meanwhile")
    print(f"baseline  bare aiomqtt subscriber           {bare:9.0f} msg/s  ({bare_n} of {FLOOD_MESSAGES})")
    print(f"station   DockBus osd intake (validated)    {station:9.0f} msg/s  ({station_n} of {FLOOD_MESSAGES})"
          f"  = {station / bare:.2f} x bare")


if __name__ == "__main__":
    asyncio.run(main())
