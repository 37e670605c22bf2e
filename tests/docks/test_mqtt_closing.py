"""Closing the dock bus and a dock agent never hangs, whatever the MQTT client does with a cancel.

On Python 3.11 aiomqtt can swallow a cancellation that arrives together with the broker's
acknowledgement of a publish (``asyncio.wait_for`` returns the result). The tests below make
that race certain: every publish of the station's bus or the dock's agent, once acknowledged,
waits until it is cancelled and then returns normally, as that ``wait_for`` would.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiomqtt
import pytest

from docks import DockAgent, DockBus, ScaledClock, SimulatedDock
from docks._mqtt_link import keep_cancel
from docks._protocol import TopicKind
from tests.docks.mqtt_helpers import INFO, FakeDock, mqtt_settings
from tests.docks.waiting import wait_until
from tests.mqtt_broker import MosquittoBroker

pytestmark = pytest.mark.mqtt

CLOSE_LIMIT_S = 10.0


class SwallowingPublish:
    """Patches ``aiomqtt.Client.publish`` for the given client ids to swallow one cancellation."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *client_ids: str) -> None:
        self.client_ids = set(client_ids)
        self.swallowed = 0
        self.holding = asyncio.Event()
        original = aiomqtt.Client.publish

        async def publish(client: aiomqtt.Client, topic: Any, payload: Any = None, **kw: Any) -> None:
            await original(client, topic, payload, **kw)
            if client.identifier not in self.client_ids or kw.get("retain"):
                return  # retained online/offline status goes through untouched
            self.holding.set()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.swallowed += 1

        monkeypatch.setattr(aiomqtt.Client, "publish", publish)


async def test_keep_cancel_raises_a_cancellation_the_call_swallowed() -> None:
    entered = asyncio.Event()

    async def swallows() -> str:
        entered.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            pass
        return "acknowledged"

    async def sender() -> None:
        while True:
            await keep_cancel(swallows())

    task = asyncio.create_task(sender())
    await entered.wait()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=1.0)
    assert done and task.cancelled()


async def test_an_agent_closes_though_its_sender_swallowed_the_cancel(
    mqtt_broker: MosquittoBroker, mqtt_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    patch = SwallowingPublish(monkeypatch, "dock-D1")
    clock = ScaledClock(50)
    async with asyncio.timeout(CLOSE_LIMIT_S):
        async with SimulatedDock(INFO, clock=clock) as sim:
            async with DockAgent(sim, settings.mqtt):
                await patch.holding.wait()  # the sender is inside a publish (an osd report)
    assert patch.swallowed == 1


async def test_the_bus_closes_though_its_outbox_swallowed_the_cancel(
    mqtt_broker: MosquittoBroker, mqtt_prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    patch = SwallowingPublish(monkeypatch, settings.mqtt.client_id)
    clock = ScaledClock(50)
    async with asyncio.timeout(CLOSE_LIMIT_S):
        async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
            driver = bus.driver("D1")
            await fake.envelope(TopicKind.OSD, "osd", {}, clock)
            await wait_until(driver, lambda: driver.online)
            # an alarm asks for an events_reply: the bus's outbox publishes it
            await fake.envelope(TopicKind.EVENTS, "hms", {"list": []}, clock, need_reply=1)
            await patch.holding.wait()
    assert patch.swallowed == 1
