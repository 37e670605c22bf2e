"""The station side of the dock MQTT protocol: one broker connection for every dock.

``DockBus`` subscribes to all docks' topics under its prefix and hands each dock an
``MqttDockDriver``. A service is a pending entry keyed by its transaction id (for
``services_reply``) and business id (for progress ``events``); it is re-sent with the same tid
until a reply comes, and fails with ``DockUnavailable`` the moment the broker connection or the
dock drops, with ``DockTimeout`` when no reply or completion comes in time. Duplicate, late and
out-of-order messages are recognised by tid, bid and timestamp, counted, and dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self

import aiomqtt

from docks._clock import Clock
from docks._driver import DockDriver, ServiceResult
from docks._exceptions import DockError, DockTimeout, DockUnavailable, ServiceFailed
from docks._model import (
    AlarmLevel,
    DockAlarm,
    OnlineChanged,
    ReadingsChanged,
    ServiceProgress,
)
from docks._mqtt_link import keep_cancel, run_reconnecting
from docks._protocol import (
    DockProperties,
    Envelope,
    HmsData,
    ProtocolViolation,
    RecentIds,
    ResultData,
    StatusData,
    TopicKind,
    Topics,
    decode,
    encode,
    from_timestamp_ms,
    new_id,
    parse_data,
)
from docks._services import DockService, ReasonCode, ServiceStatus
from docks._settings import MqttSettings
from docks._tasks import cancel_and_wait

_log = logging.getLogger("docks.mqtt")

HMS_METHOD = "hms"


@dataclass
class BusStats:
    """What the bus received and what it dropped, by reason."""

    received: int = 0
    invalid: int = 0
    duplicates: int = 0
    late: int = 0
    stale: int = 0
    unknown_dock: int = 0
    services_sent: int = 0


@dataclass(slots=True)
class _Pending:
    dock_id: str
    service: DockService
    tid: str
    bid: str
    reply: asyncio.Future[ResultData]
    done: asyncio.Future[ResultData]

    def fail(self, exc: DockError) -> None:
        for fut in (self.reply, self.done):
            if not fut.done():
                fut.set_exception(exc)
                fut.exception()  # mark retrieved: nobody may be waiting on ``done`` yet


class DockBus:
    """The station's connection to every dock on one broker. Use ``async with``."""

    def __init__(self, settings: MqttSettings, *, clock: Clock, connect_timeout_s: float = 10.0) -> None:
        self.settings = settings
        self.topics = Topics(settings.topic_prefix)
        self.stats = BusStats()
        self.clock = clock
        self._connect_timeout_s = connect_timeout_s
        self._drivers: dict[str, MqttDockDriver] = {}
        self._unclaimed_status: dict[str, tuple[bool, int]] = {}
        self._by_tid: dict[str, _Pending] = {}
        self._by_bid: dict[str, _Pending] = {}
        self._replied = RecentIds(settings.dedupe_window)
        self._events_seen = RecentIds(settings.dedupe_window)
        self._client: aiomqtt.Client | None = None
        self._connected = asyncio.Event()
        self._outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(
            run_reconnecting(
                self.settings,
                identifier=self.settings.client_id,
                session=self._session,
                on_down=self._on_down,
                stopping=lambda: self._closing,
            ),
            name="dock-bus-connection",
        )
        try:
            async with asyncio.timeout(self._connect_timeout_s):
                await self._connected.wait()
        except TimeoutError:
            await self.__aexit__(None, None, None)
            raise DockUnavailable(
                f"dock broker {self.settings.hostname}:{self.settings.port} unreachable",
                reason_code=ReasonCode.DISCONNECTED,
            ) from None
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing = True
        await cancel_and_wait(self._task)
        self._task = None
        self._on_down(None)

    @property
    def connected(self) -> bool:
        """True while the broker connection is up."""
        return self._client is not None

    def driver(self, dock_id: str) -> MqttDockDriver:
        """The driver of dock ``dock_id`` (made on first use)."""
        if dock_id not in self._drivers:
            driver = self._drivers[dock_id] = MqttDockDriver(dock_id, self)
            status = self._unclaimed_status.pop(dock_id, None)
            if status is not None:
                driver.set_online(status[0], timestamp_ms=status[1])
        return self._drivers[dock_id]

    # -- connection ------------------------------------------------------------------------

    async def _session(self, client: aiomqtt.Client) -> None:
        for topic in self.topics.station_subscriptions():
            await keep_cancel(client.subscribe(topic, qos=1))
        self._client = client
        self._connected.set()
        _log.info("dock bus connected to %s:%s", self.settings.hostname, self.settings.port)
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(self._receive(client), name="dock-bus-receive")
                tasks.create_task(self._send_outbox(client), name="dock-bus-outbox")
        finally:
            self._client = None
            self._connected.clear()

    def _on_down(self, exc: BaseException | None) -> None:
        self._client = None
        self._connected.clear()
        for pending in list(self._by_tid.values()):
            pending.fail(
                DockUnavailable(
                    "broker connection lost", dock_id=pending.dock_id,
                    reason_code=ReasonCode.DISCONNECTED, tid=pending.tid,
                )
            )
        for driver in self._drivers.values():
            driver.set_online(False)

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            self.handle(message.topic.value, message.payload)

    async def _send_outbox(self, client: aiomqtt.Client) -> None:
        while True:
            topic, payload = await self._outbox.get()
            await keep_cancel(client.publish(topic, payload, qos=1))

    # -- services ------------------------------------------------------------------------------

    async def request(
        self,
        driver: MqttDockDriver,
        service: DockService,
        params: Mapping[str, Any] | None,
        timeout_s: float,
    ) -> ServiceResult:
        """Send a service to a dock and wait for its reply and completion."""
        tid, bid = new_id(), new_id()
        dock_id = driver.dock_id
        client = self._client
        if client is None:
            raise DockUnavailable(
                f"{service} not sent: broker disconnected", dock_id=dock_id,
                reason_code=ReasonCode.DISCONNECTED, tid=tid,
            )
        if not driver.online:
            raise DockUnavailable(
                f"{service} not sent: dock offline", dock_id=dock_id,
                reason_code=ReasonCode.OFFLINE, tid=tid,
            )
        loop = asyncio.get_running_loop()
        pending = _Pending(dock_id, service, tid, bid, loop.create_future(), loop.create_future())
        self._by_tid[tid] = pending
        self._by_bid[bid] = pending
        payload = encode(
            method=service.value, data=dict(params or {}), at=self.clock.now(), tid=tid, bid=bid
        )
        try:
            reply = await self._send_until_replied(
                client, self.topics.topic(TopicKind.SERVICES, dock_id), payload, pending
            )
            final = reply
            if reply.output is not None and not reply.output.status.terminal:
                try:
                    async with self.clock.timeout(timeout_s):
                        final = await pending.done
                except TimeoutError:
                    raise DockTimeout(
                        f"{service} did not complete in {timeout_s} s", dock_id=dock_id,
                        reason_code=ReasonCode.COMPLETION_TIMEOUT, tid=tid,
                    ) from None
            self._check(final, pending)
        finally:
            self._by_tid.pop(tid, None)
            self._by_bid.pop(bid, None)
        output = final.output.model_extra if final.output is not None else None
        return ServiceResult(service, tid, bid, dict(output or {}))

    async def _send_until_replied(
        self, client: aiomqtt.Client, topic: str, payload: bytes, pending: _Pending
    ) -> ResultData:
        attempts = self.settings.service_retries + 1
        for _attempt in range(attempts):
            try:
                await keep_cancel(client.publish(topic, payload, qos=1))
            except aiomqtt.MqttError as exc:
                raise DockUnavailable(
                    f"{pending.service} not sent: {exc}", dock_id=pending.dock_id,
                    reason_code=ReasonCode.DISCONNECTED, tid=pending.tid,
                ) from None
            self.stats.services_sent += 1
            try:
                async with asyncio.timeout(self.settings.reply_timeout_s):
                    reply = await asyncio.shield(pending.reply)
            except TimeoutError:
                continue
            self._check(reply, pending)
            return reply
        raise DockTimeout(
            f"no reply to {pending.service} after {attempts} tries of "
            f"{self.settings.reply_timeout_s} s",
            dock_id=pending.dock_id, reason_code=ReasonCode.REPLY_TIMEOUT, tid=pending.tid,
        )

    @staticmethod
    def _check(data: ResultData, pending: _Pending) -> None:
        status = data.output.status if data.output is not None else None
        if data.result != 0 or status in (
            ServiceStatus.REJECTED, ServiceStatus.FAILED, ServiceStatus.CANCELED, ServiceStatus.TIMEOUT
        ):
            raise ServiceFailed(
                f"{pending.service} {status.value if status else 'failed'} by the dock",
                dock_id=pending.dock_id, reason_code=data.result or None, tid=pending.tid,
                status=status.value if status else None,
            )

    # -- incoming --------------------------------------------------------------------------------

    def handle(self, topic: str, payload: bytes | bytearray | str | float | None) -> None:
        """Take one message from the broker: validate, route, or count and drop it."""
        self.stats.received += 1
        parsed = self.topics.parse(topic)
        if parsed is None:
            self._drop(topic, "topic outside the dock protocol")
            return
        kind, sn = parsed
        driver = self._drivers.get(sn)
        try:
            if not isinstance(payload, bytes | bytearray | str):
                raise ProtocolViolation(f"payload of type {type(payload).__name__}")
            envelope = decode(payload)
            if driver is None:
                self.stats.unknown_dock += 1
                if kind is TopicKind.STATUS:  # retained status of a dock not (yet) driven
                    online = parse_data(StatusData, envelope).online
                    self._unclaimed_status[sn] = (online, envelope.timestamp)
                return
            if kind in (TopicKind.OSD, TopicKind.STATE):
                driver.apply(parse_data(DockProperties, envelope), envelope.timestamp)
            elif kind is TopicKind.SERVICES_REPLY:
                self._on_reply(envelope)
            elif kind is TopicKind.EVENTS:
                self._on_event(driver, envelope)
            elif kind is TopicKind.STATUS:
                online = parse_data(StatusData, envelope).online
                driver.set_online(online, timestamp_ms=envelope.timestamp)
        except ProtocolViolation as exc:
            self._drop(topic, str(exc))

    def _drop(self, topic: str, why: str) -> None:
        self.stats.invalid += 1
        _log.warning("dropped message on %s (%d so far): %s", topic, self.stats.invalid, why)

    def _on_reply(self, envelope: Envelope) -> None:
        pending = self._by_tid.get(envelope.tid)
        if pending is None or pending.reply.done():
            if envelope.tid in self._replied:
                self.stats.duplicates += 1
            else:
                self.stats.late += 1
            return
        if envelope.method != pending.service.value:
            raise ProtocolViolation(f"reply {envelope.method!r} to {pending.service.value!r}")
        data = parse_data(ResultData, envelope)
        self._replied.add(envelope.tid)
        pending.reply.set_result(data)

    def _on_event(self, driver: MqttDockDriver, envelope: Envelope) -> None:
        if envelope.need_reply:
            reply = encode(
                method=envelope.method, data={"result": 0}, at=self.clock.now(),
                tid=envelope.tid, bid=envelope.bid,
            )
            self._outbox.put_nowait((self.topics.topic(TopicKind.EVENTS_REPLY, driver.dock_id), reply))
        if not self._events_seen.add(envelope.tid):
            self.stats.duplicates += 1
            return
        if envelope.method == HMS_METHOD:
            at = from_timestamp_ms(envelope.timestamp)
            for alarm in parse_data(HmsData, envelope).alarms:
                driver.emit_event(
                    DockAlarm(driver.dock_id, alarm.code, AlarmLevel(alarm.level), alarm.message, at)
                )
            return
        try:
            service = DockService(envelope.method)
        except ValueError:
            raise ProtocolViolation(f"unknown event method {envelope.method!r}") from None
        data = parse_data(ResultData, envelope)
        output = data.output
        status = output.status if output else (ServiceStatus.OK if data.result == 0 else ServiceStatus.FAILED)
        progress = output.progress if output else None
        driver.emit_event(
            ServiceProgress(
                driver.dock_id, service, envelope.bid, status,
                progress.percent if progress else None, progress.step_key if progress else None,
            )
        )
        pending = self._by_bid.get(envelope.bid)
        if pending is None:
            self.stats.late += 1
        elif status.terminal and not pending.done.done():
            pending.done.set_result(data)

    def fail_dock(self, dock_id: str, exc_factory: Callable[[_Pending], DockError]) -> None:
        """Fail every pending service of one dock (it went offline)."""
        for pending in list(self._by_tid.values()):
            if pending.dock_id == dock_id:
                pending.fail(exc_factory(pending))


class MqttDockDriver(DockDriver):
    """One dock reached through a ``DockBus``."""

    def __init__(self, dock_id: str, bus: DockBus) -> None:
        super().__init__(dock_id)
        self._bus = bus
        self._last_ts = -1
        self._offline_ts = -1
        self._silence: asyncio.TimerHandle | None = None

    async def execute(
        self,
        service: DockService,
        params: Mapping[str, Any] | None = None,
        *,
        timeout_s: float,
    ) -> ServiceResult:
        """Run ``service`` on the dock over MQTT until it completes."""
        return await self._bus.request(self, service, params, timeout_s)

    def emit_event(self, event: ServiceProgress | DockAlarm) -> None:
        """Pass a protocol event to the driver's listeners."""
        self._emit(event)

    def apply(self, props: DockProperties, timestamp_ms: int) -> None:
        """Merge an osd or state report, unless it is older than the last one applied."""
        if timestamp_ms < self._last_ts:
            self._bus.stats.stale += 1
            return
        self._last_ts = timestamp_ms
        self._readings = props.merged_into(self._readings, from_timestamp_ms(timestamp_ms))
        if not self._online and timestamp_ms > self._offline_ts:
            self.set_online(True)
        if self._online:
            self._silence_start()
        self._emit(ReadingsChanged(self.dock_id, self._readings))

    def set_online(self, online: bool, *, timestamp_ms: int | None = None) -> None:
        """Record the dock online or offline (status topic, last-will, silence, lost broker).

        A report stamped no later than the last offline status does not bring the dock back.
        """
        if not online and timestamp_ms is not None:
            self._offline_ts = max(self._offline_ts, timestamp_ms)
        if online == self._online:
            return
        self._online = online
        if online:
            self._silence_start()
        else:
            self._silence_cancel()
            self._bus.fail_dock(
                self.dock_id,
                lambda p: DockUnavailable(
                    f"{p.service} interrupted: dock offline", dock_id=self.dock_id,
                    reason_code=ReasonCode.OFFLINE, tid=p.tid,
                ),
            )
        _log.info("dock %s %s", self.dock_id, "online" if online else "offline")
        self._emit(OnlineChanged(self.dock_id, online))

    def _silence_start(self) -> None:
        self._silence_cancel()
        delay_s = self._bus.clock.real_seconds(self._bus.settings.osd_silence_s)
        self._silence = asyncio.get_running_loop().call_later(delay_s, self._silence_expired)

    def _silence_cancel(self) -> None:
        if self._silence is not None:
            self._silence.cancel()
            self._silence = None

    def _silence_expired(self) -> None:
        self._silence = None
        _log.warning("dock %s silent for %s s", self.dock_id, self._bus.settings.osd_silence_s)
        self.set_online(False)

    async def aclose(self) -> None:
        """Stop the silence timer."""
        self._silence_cancel()
