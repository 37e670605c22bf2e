"""The dock side of the MQTT protocol, for a simulated dock (what a dock's firmware does).

``DockAgent`` connects with a retained last-will saying offline, announces itself online
(retained), reports ``osd`` every ``osd_period_s`` and ``state`` when a discrete reading
changes, answers every service at once (``in_progress``) and reports its end as an ``events``
message that it re-sends until the station's ``events_reply``. A service that arrives again
with a transaction id already seen is answered from the cache and never run twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Self

import aiomqtt

from docks._exceptions import DockUnavailable
from docks._model import DockAlarm, DockEvent, DockReadings, ReadingsChanged
from docks._mqtt_link import keep_cancel, run_reconnecting
from docks._protocol import (
    DockProperties,
    Envelope,
    ProtocolViolation,
    TopicKind,
    Topics,
    decode,
    encode,
    new_id,
    result_data,
)
from docks._services import DockService, ReasonCode, ServiceStatus
from docks._settings import MqttSettings
from docks._sim import DockFault, SimServiceError, SimulatedDock
from docks._tasks import cancel_and_wait

_log = logging.getLogger("docks.agent")

STATE_FIELDS = frozenset(
    {
        "mode_code", "cover_state", "drone_in_dock", "drone_power_state", "drone_charge_state",
        "emergency_stop_state", "rainfall", "power_source",
    }
)


@dataclass
class AgentStats:
    """What a dock agent received, ignored and sent."""

    services: int = 0
    duplicates: int = 0
    invalid: int = 0
    ignored: int = 0
    events_resent: int = 0


class DockAgent:
    """Speaks the dock MQTT protocol for one ``SimulatedDock``. Use ``async with``."""

    def __init__(
        self, sim: SimulatedDock, settings: MqttSettings, *, connect_timeout_s: float = 10.0
    ) -> None:
        self.sim = sim
        self.settings = settings
        self.sn = sim.info.dock_id
        self.topics = Topics(settings.topic_prefix)
        self.stats = AgentStats()
        self.connected = asyncio.Event()
        self._connect_timeout_s = connect_timeout_s
        self._replies: OrderedDict[str, bytes] = OrderedDict()
        self._acks: dict[str, asyncio.Future[None]] = {}
        self._outbox: asyncio.Queue[tuple[str, bytes, int, bool]] = asyncio.Queue()
        self._ops: set[asyncio.Task[None]] = set()
        self._task: asyncio.Task[None] | None = None
        self._client: aiomqtt.Client | None = None
        self._last_state: dict[str, Any] = {}
        self._closing = False

    def _status(self, online: bool) -> bytes:
        return encode(method="update_topo", data={"online": online}, at=self.sim.clock.now())

    async def __aenter__(self) -> Self:
        will = aiomqtt.Will(
            self.topics.topic(TopicKind.STATUS, self.sn), self._status(False), qos=1, retain=True
        )
        self._task = asyncio.create_task(
            run_reconnecting(
                self.settings,
                identifier=f"dock-{self.sn}",
                session=self._session,
                on_down=lambda _exc: self.connected.clear(),
                stopping=lambda: self._closing,
                will=will,
            ),
            name=f"dock-agent-{self.sn}",
        )
        try:
            async with asyncio.timeout(self._connect_timeout_s):
                await self.connected.wait()
        except TimeoutError:
            await self.__aexit__(None, None, None)
            raise DockUnavailable(f"dock {self.sn}: broker unreachable", dock_id=self.sn) from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        client = self._client
        if client is not None:
            with contextlib.suppress(aiomqtt.MqttError, TimeoutError):
                await client.publish(
                    self.topics.topic(TopicKind.STATUS, self.sn), self._status(False),
                    qos=1, retain=True, timeout=self.settings.reply_timeout_s,
                )
        for task in [*self._ops, self._task]:
            await cancel_and_wait(task)
        self._ops.clear()
        self._task = None

    # -- connection ------------------------------------------------------------------------

    async def _session(self, client: aiomqtt.Client) -> None:
        for topic in self.topics.dock_subscriptions(self.sn):
            await keep_cancel(client.subscribe(topic, qos=1))
        await keep_cancel(client.publish(
            self.topics.topic(TopicKind.STATUS, self.sn), self._status(True), qos=1, retain=True
        ))
        self._client = client
        self._last_state = {}
        remove = self.sim.add_listener(self._on_sim_event)
        self.connected.set()
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._receive(client), name=f"dock-agent-{self.sn}-receive")
                tasks.create_task(self._send(client), name=f"dock-agent-{self.sn}-send")
                tasks.create_task(self._report_osd(), name=f"dock-agent-{self.sn}-osd")
        finally:
            remove()
            self._client = None
            self.connected.clear()

    async def _send(self, client: aiomqtt.Client) -> None:
        while True:
            topic, payload, qos, retain = await self._outbox.get()
            if not self._closing:
                await keep_cancel(client.publish(topic, payload, qos=qos, retain=retain))

    def _put(self, kind: TopicKind, payload: bytes, qos: int = 1) -> None:
        if self._closing:
            return
        self._outbox.put_nowait((self.topics.topic(kind, self.sn), payload, qos, False))

    async def _report_osd(self) -> None:
        while True:
            readings = self.sim.readings()
            data = DockProperties.from_readings(readings).model_dump(mode="json", exclude_none=True)
            self._put(TopicKind.OSD, encode(method="osd", data=data, at=readings.at), qos=0)
            await self.sim.clock.sleep(self.settings.osd_period_s)

    def _on_sim_event(self, event: DockEvent) -> None:
        if isinstance(event, ReadingsChanged):
            self._report_state(event.readings)
        elif isinstance(event, DockAlarm):
            alarm = {"level": int(event.level), "code": event.code, "message": event.message}
            self._put(TopicKind.EVENTS, encode(method="hms", data={"list": [alarm]}, at=event.at))

    def _report_state(self, readings: DockReadings) -> None:
        props = DockProperties.from_readings(readings).model_dump(
            mode="json", include=set(STATE_FIELDS), exclude_none=True
        )
        props.get("drone_charge_state", {}).pop("capacity_percent", None)
        changed = {k: v for k, v in props.items() if self._last_state.get(k) != v}
        if changed:
            self._last_state.update(changed)
            self._put(TopicKind.STATE, encode(method="state", data=changed, at=readings.at))

    # -- services ----------------------------------------------------------------------------

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            parsed = self.topics.parse(message.topic.value)
            try:
                payload = message.payload
                if not isinstance(payload, bytes | bytearray | str) or parsed is None:
                    raise ProtocolViolation("unexpected topic or payload")
                envelope = decode(payload)
                if parsed[0] is TopicKind.SERVICES:
                    self._on_service(envelope)
                elif parsed[0] is TopicKind.EVENTS_REPLY:
                    ack = self._acks.get(envelope.tid)
                    if ack is not None and not ack.done():
                        ack.set_result(None)
            except ProtocolViolation as exc:
                self.stats.invalid += 1
                _log.warning("dock %s dropped a message: %s", self.sn, exc)

    def _on_service(self, envelope: Envelope) -> None:
        if DockFault.NO_REPLY in self.sim.faults:
            self.stats.ignored += 1
            return
        cached = self._replies.get(envelope.tid)
        if cached is not None:
            self.stats.duplicates += 1
            self._put(TopicKind.SERVICES_REPLY, cached)
            return
        self.stats.services += 1
        try:
            service = DockService(envelope.method)
        except ValueError:
            data = result_data(ServiceStatus.REJECTED, int(ReasonCode.UNKNOWN_SERVICE))
            service = None
        else:
            data = result_data(ServiceStatus.IN_PROGRESS)
        reply = encode(
            method=envelope.method, data=data, at=self.sim.clock.now(),
            tid=envelope.tid, bid=envelope.bid,
        )
        self._replies[envelope.tid] = reply
        if len(self._replies) > self.settings.dedupe_window:
            self._replies.popitem(last=False)
        if DockFault.DROP_FIRST_REPLY not in self.sim.faults:
            self._put(TopicKind.SERVICES_REPLY, reply)
        if service is not None:
            task = asyncio.create_task(
                self._run(service, envelope), name=f"dock-agent-{self.sn}-{service}-{envelope.tid[:8]}"
            )
            self._ops.add(task)
            task.add_done_callback(self._ops.discard)

    async def _run(self, service: DockService, envelope: Envelope) -> None:
        def progress(percent: int, step: str) -> None:
            data = result_data(
                ServiceStatus.IN_PROGRESS, progress={"percent": percent, "step_key": step}
            )
            event = encode(method=service.value, data=data, at=self.sim.clock.now(), bid=envelope.bid)
            self._put(TopicKind.EVENTS, event)

        try:
            output = await self.sim.run(service, envelope.data, progress)
            data = result_data(ServiceStatus.OK, **output)
        except SimServiceError as exc:
            data = result_data(ServiceStatus.FAILED, int(exc.reason), message=str(exc))
        await self._send_final(service, envelope.bid, data)

    async def _send_final(self, service: DockService, bid: str, data: dict[str, Any]) -> None:
        tid = new_id()
        ack: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._acks[tid] = ack
        event = encode(
            method=service.value, data=data, at=self.sim.clock.now(), tid=tid, bid=bid, need_reply=1
        )
        try:
            for attempt in range(self.settings.event_retries + 1):
                if attempt:
                    self.stats.events_resent += 1
                self._put(TopicKind.EVENTS, event)
                try:
                    async with asyncio.timeout(self.settings.event_reply_timeout_s):
                        await asyncio.shield(ack)
                    return
                except TimeoutError:
                    continue
            _log.warning("dock %s: no events_reply to %s %s", self.sn, service, bid)
        finally:
            self._acks.pop(tid, None)
