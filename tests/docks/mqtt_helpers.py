"""Helpers for dock protocol tests on a real broker: a station-and-dock pair, a fake dock."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Self

import aiomqtt

from docks import (
    Dock,
    DockAgent,
    DockBus,
    DockEvent,
    DockInfo,
    DockSettings,
    MqttSettings,
    ScaledClock,
    SimulatedDock,
)
from docks._protocol import TopicKind, Topics, encode
from docks._tasks import cancel_and_wait
from tests.docks.drone_model import ModelDrone
from tests.docks.waiting import wait_until
from tests.mqtt_broker import MosquittoBroker

INFO = DockInfo(dock_id="D1", lat_deg=26.42, lon_deg=111.61, drone_id="U1")


def mqtt_settings(broker: MosquittoBroker, prefix: str, **overrides: Any) -> DockSettings:
    """Dock settings pointing at the test broker, with short real-time waits."""
    settings = DockSettings()
    values = {
        "hostname": broker.host, "port": broker.port, "topic_prefix": prefix, "keepalive_s": 2,
        "reply_timeout_s": 1.0, "event_reply_timeout_s": 0.5, "reconnect_min_s": 0.05,
        "reconnect_max_s": 0.5, "osd_silence_s": 120.0, **overrides,
    }
    settings.mqtt = MqttSettings(**values)
    return settings


@dataclass
class Pair:
    """A simulated dock with its agent, and the station's bus, driver and dock model."""

    clock: ScaledClock
    drone: ModelDrone
    sim: SimulatedDock
    agent: DockAgent
    bus: DockBus
    dock: Dock
    events: list[DockEvent] = field(default_factory=list)


@contextlib.asynccontextmanager
async def dock_pair(settings: DockSettings, factor: float = 50.0) -> AsyncIterator[Pair]:
    """Start a dock agent and a station bus on the broker and wait until the dock is online."""
    clock = ScaledClock(factor)
    agent_settings = settings.mqtt.model_copy(update={"client_id": "dock-D1"})
    async with (
        ModelDrone("U1", clock=clock, home=INFO.landing_point, battery_pct=95.0) as drone,
        SimulatedDock(INFO, clock=clock, drone=drone) as sim,
        DockAgent(sim, agent_settings) as agent,
        DockBus(settings.mqtt, clock=clock) as bus,
    ):
        dock = Dock(INFO, bus.driver("D1"), clock=clock, settings=settings, drone=drone)
        pair = Pair(clock, drone, sim, agent, bus, dock)
        dock.add_listener(pair.events.append)
        await wait_until(dock, lambda: dock.state.idle)
        yield pair
        await dock.aclose()


class FakeDock:
    """A hand-driven dock on the broker: the test decides every message it sends."""

    def __init__(self, broker: MosquittoBroker, prefix: str, sn: str = "D1") -> None:
        self.sn = sn
        self.topics = Topics(prefix)
        self.client = aiomqtt.Client(broker.host, broker.port, identifier=f"fake-{prefix}{sn}")
        self.received: asyncio.Queue[tuple[TopicKind, dict[str, Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        await self.client.__aenter__()
        for topic in self.topics.dock_subscriptions(self.sn):
            await self.client.subscribe(topic, qos=1)
        self._task = asyncio.create_task(self._receive(), name="fake-dock-receive")
        return self

    async def __aexit__(self, *exc: object) -> None:
        await cancel_and_wait(self._task)
        await self.client.__aexit__(None, None, None)

    async def _receive(self) -> None:
        async for message in self.client.messages:
            parsed = self.topics.parse(message.topic.value)
            try:
                body = json.loads(message.payload)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                continue  # what a test sent as garbage itself
            if parsed is not None:
                await self.received.put((parsed[0], body))

    async def send(self, kind: TopicKind, payload: bytes | dict[str, Any], *, retain: bool = False) -> None:
        """Publish raw bytes or an envelope dict on one of this dock's topics."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        await self.client.publish(self.topics.topic(kind, self.sn), body, qos=1, retain=retain)

    async def envelope(self, kind: TopicKind, method: str, data: dict[str, Any], clock: ScaledClock,
                       **ids: Any) -> None:
        """Publish an envelope."""
        await self.send(kind, encode(method=method, data=data, at=clock.now(), **ids))

    async def next(self, kind: TopicKind, timeout_s: float = 5.0) -> dict[str, Any]:
        """The next message of ``kind`` sent to this dock."""
        async with asyncio.timeout(timeout_s):
            while True:
                got_kind, body = await self.received.get()
                if got_kind is kind:
                    return body
