"""The dock MQTT protocol end to end through a real mosquitto broker."""

from __future__ import annotations

import asyncio
import json
import sys

import aiomqtt
import pytest

from docks import (
    DockAlarm,
    DockBus,
    DockError,
    DockFault,
    DockService,
    DockState,
    DockTimeout,
    DockUnavailable,
    DoorState,
    ReasonCode,
    ScaledClock,
    ServiceFailed,
    ServiceProgress,
    ServiceStatus,
)
from docks._protocol import TopicKind, Topics, encode, result_data
from tests.docks.mqtt_helpers import FakeDock, dock_pair, mqtt_settings
from tests.docks.waiting import wait_until
from tests.infra import REPO_ROOT
from tests.mqtt_broker import MosquittoBroker

pytestmark = pytest.mark.mqtt


async def test_service_replies_progress_and_completes(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    audit = []
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        p.dock._audit = audit.append
        result = await p.dock.open_cover()
        progress = [e for e in p.events if isinstance(e, ServiceProgress) and e.bid == result.bid]
        percents = [e.percent for e in progress if e.status is ServiceStatus.IN_PROGRESS]
        assert percents and percents == sorted(percents)
        assert progress[-1].status is ServiceStatus.OK
        await wait_until(p.dock, lambda: p.dock.readings.door is DoorState.OPEN)
        assert audit[-1].command == "cover_open" and audit[-1].tid == result.tid
        assert audit[-1].outcome == "ok"
        assert p.bus.stats.invalid == 0


async def test_dock_failure_carries_its_reason_code_and_tid(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        p.sim.inject(DockFault.COVER_JAM)
        with pytest.raises(ServiceFailed) as raised:
            await p.dock.open_cover()
        assert raised.value.reason_code == ReasonCode.COVER_JAMMED
        assert raised.value.tid and raised.value.status == "failed"
        await wait_until(p.dock, lambda: any(isinstance(e, DockAlarm) and e.code == "cover_jammed" for e in p.events))


async def test_unknown_service_is_rejected_with_a_reason(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        topics = Topics(mqtt_prefix)
        async with aiomqtt.Client(mqtt_broker.host, mqtt_broker.port) as raw:
            await raw.subscribe(topics.topic(TopicKind.SERVICES_REPLY, "D1"), qos=1)
            await raw.publish(topics.topic(TopicKind.SERVICES, "D1"),
                              encode(method="warp_drive", data={}, at=p.clock.now(), tid="t-warp"), qos=1)
            async with asyncio.timeout(5):
                async for message in raw.messages:
                    reply = json.loads(message.payload)  # type: ignore[arg-type]
                    if reply["tid"] == "t-warp":
                        break
        assert reply["data"]["result"] == ReasonCode.UNKNOWN_SERVICE
        assert reply["data"]["output"]["status"] == "rejected"
        assert p.sim.service_counts.total() == 0


async def test_no_reply_is_a_timeout_naming_the_transaction(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix, reply_timeout_s=0.3, service_retries=1)
    async with dock_pair(settings) as p, FakeDock(mqtt_broker, mqtt_prefix, "D1") as sniffer:
        p.sim.inject(DockFault.NO_REPLY)
        with pytest.raises(DockTimeout) as raised:
            await p.dock.close_cover()
        assert raised.value.reason_code == ReasonCode.REPLY_TIMEOUT
        sent = [await sniffer.next(TopicKind.SERVICES) for _ in range(2)]
        assert {s["tid"] for s in sent} == {raised.value.tid}
        assert p.agent.stats.ignored == 2


async def test_completion_that_never_comes_is_a_timeout(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        with pytest.raises(DockTimeout) as raised:
            await p.dock.call(DockService.COVER_OPEN, timeout_s=3.0)
        assert raised.value.reason_code == ReasonCode.COMPLETION_TIMEOUT


async def test_lost_reply_is_resent_with_the_same_tid_and_run_once(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix, reply_timeout_s=0.3)
    async with dock_pair(settings) as p:
        p.sim.inject(DockFault.DROP_FIRST_REPLY)
        await p.dock.start_charging()
        assert p.sim.service_counts[DockService.CHARGE_OPEN] == 1
        assert p.agent.stats.duplicates == 1
        assert p.bus.stats.services_sent == 2


async def test_duplicate_and_late_replies_are_dropped(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix, reply_timeout_s=0.3, service_retries=0)
    clock = ScaledClock(1)
    async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
        driver = bus.driver("D1")
        await fake.envelope(TopicKind.STATUS, "update_topo", {"online": True}, clock)
        await fake.envelope(TopicKind.OSD, "osd", {"cover_state": 0}, clock)
        await wait_until(driver, lambda: driver.online)

        async def answer_twice() -> None:
            req = await fake.next(TopicKind.SERVICES)
            for _ in range(2):
                await fake.envelope(TopicKind.SERVICES_REPLY, req["method"], result_data(ServiceStatus.OK),
                                    clock, tid=req["tid"], bid=req["bid"])

        answering = asyncio.create_task(answer_twice())
        await driver.execute(DockService.CHARGE_OPEN, timeout_s=5)
        await answering
        late = await _late_reply(fake, driver, clock)
        async with asyncio.timeout(5):
            while bus.stats.duplicates < 1 or bus.stats.late < 1:
                await fake.envelope(TopicKind.OSD, "osd", {}, clock)  # a marker to flush the stream
                await asyncio.sleep(0.02)
        assert isinstance(late, DockTimeout)
        assert bus.stats.duplicates == 1 and bus.stats.late == 1


async def _late_reply(fake: FakeDock, driver, clock: ScaledClock) -> BaseException:  # type: ignore[no-untyped-def]
    call = asyncio.create_task(driver.execute(DockService.CHARGE_CLOSE, timeout_s=5))
    req = await fake.next(TopicKind.SERVICES)
    try:
        await call
    except DockTimeout as exc:
        await fake.envelope(TopicKind.SERVICES_REPLY, req["method"], result_data(ServiceStatus.OK),
                            clock, tid=req["tid"], bid=req["bid"])
        return exc
    raise AssertionError("the call should have timed out")


async def test_duplicate_events_count_once_and_each_is_acknowledged(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    clock = ScaledClock(1)
    async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
        driver = bus.driver("D1")
        seen: list[ServiceProgress] = []
        driver.add_listener(lambda e: seen.append(e) if isinstance(e, ServiceProgress) else None)
        await fake.envelope(TopicKind.OSD, "osd", {"cover_state": 0}, clock)
        await wait_until(driver, lambda: driver.online)
        call = asyncio.create_task(driver.execute(DockService.COVER_OPEN, timeout_s=30))
        req = await fake.next(TopicKind.SERVICES)
        await fake.envelope(TopicKind.SERVICES_REPLY, "cover_open", result_data(ServiceStatus.IN_PROGRESS),
                            clock, tid=req["tid"], bid=req["bid"])
        for _ in range(3):
            await fake.envelope(TopicKind.EVENTS, "cover_open", result_data(ServiceStatus.OK), clock,
                                tid="final-event-1", bid=req["bid"], need_reply=1)
        await call
        acks = [await fake.next(TopicKind.EVENTS_REPLY) for _ in range(3)]
        assert {a["tid"] for a in acks} == {"final-event-1"}
        assert [e.status for e in seen] == [ServiceStatus.OK]
        assert bus.stats.duplicates == 2


async def test_terminal_event_before_the_reply_still_completes(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    clock = ScaledClock(1)
    async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
        driver = bus.driver("D1")
        await fake.envelope(TopicKind.OSD, "osd", {}, clock)
        await wait_until(driver, lambda: driver.online)
        call = asyncio.create_task(driver.execute(DockService.DRONE_OPEN, timeout_s=30))
        req = await fake.next(TopicKind.SERVICES)
        await fake.envelope(TopicKind.EVENTS, "drone_open", result_data(ServiceStatus.OK), clock, bid=req["bid"])
        await fake.envelope(TopicKind.SERVICES_REPLY, "drone_open", result_data(ServiceStatus.IN_PROGRESS),
                            clock, tid=req["tid"], bid=req["bid"])
        result = await call
        assert result.tid == req["tid"]


async def test_out_of_order_reports_are_dropped(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    clock = ScaledClock(1)
    async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
        driver = bus.driver("D1")
        new = {"tid": "a", "bid": "a", "timestamp": 2_000_000, "method": "osd", "data": {"cover_state": 1}}
        old = {"tid": "b", "bid": "b", "timestamp": 1_000_000, "method": "state", "data": {"cover_state": 0}}
        await fake.send(TopicKind.OSD, new)
        await fake.send(TopicKind.STATE, old)
        async with asyncio.timeout(5):
            while bus.stats.stale < 1:
                await asyncio.sleep(0.01)
        assert driver.readings is not None and driver.readings.door is DoorState.OPEN


async def test_garbage_is_counted_and_the_dock_still_answers(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p, FakeDock(mqtt_broker, mqtt_prefix, "D1") as fake:
        before, late_before = p.bus.stats.invalid, p.bus.stats.late
        garbage = [b"\x00\x01\x02", b"not json", b'{"tid": 5}', b"[1,2,3]", b'{"tid":"t","bid":"b","timestamp":1,"method":"osd","data":{"cover_state":"open"}}']
        for kind in (TopicKind.OSD, TopicKind.SERVICES_REPLY, TopicKind.EVENTS, TopicKind.STATUS):
            for payload in garbage:
                await fake.send(kind, payload)
        async with asyncio.timeout(5):
            while p.bus.stats.invalid - before + p.bus.stats.late - late_before < 20:
                await asyncio.sleep(0.01)
        await fake.send(TopicKind.SERVICES, b"\xff garbage to the dock")
        await p.dock.start_charging()
        # 19 malformed; the well-formed reply to a transaction nobody sent counts as late
        assert p.bus.stats.invalid - before == 19
        assert p.bus.stats.late - late_before == 1
        assert p.agent.stats.invalid >= 1


async def test_graceful_stop_reports_offline(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        await p.agent.__aexit__(None, None, None)
        await wait_until(p.dock, lambda: p.dock.state is DockState.OFFLINE)
        with pytest.raises(DockUnavailable):
            await p.dock.open_cover()


async def test_last_will_marks_a_killed_dock_offline_and_fails_its_pending_service(
    mqtt_broker: MosquittoBroker, mqtt_prefix: str
) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.docks.agent_process", mqtt_broker.host, str(mqtt_broker.port),
        mqtt_prefix, "DK", cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(20):
            assert (await proc.stdout.readline()).strip() == b"ready"
        settings = mqtt_settings(mqtt_broker, mqtt_prefix)
        async with DockBus(settings.mqtt, clock=ScaledClock(20)) as bus:
            driver = bus.driver("DK")
            await wait_until(driver, lambda: driver.online)
            pending = asyncio.create_task(driver.execute(DockService.COVER_OPEN, timeout_s=600))
            async with asyncio.timeout(10):
                while bus.stats.services_sent < 1:
                    await asyncio.sleep(0.01)
            proc.kill()
            with pytest.raises(DockUnavailable) as raised:
                async with asyncio.timeout(15):
                    await pending
            assert raised.value.reason_code == ReasonCode.OFFLINE
            assert not driver.online
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()


async def test_silence_marks_a_dock_offline(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix, osd_silence_s=10.0)
    clock = ScaledClock(20)
    async with FakeDock(mqtt_broker, mqtt_prefix) as fake, DockBus(settings.mqtt, clock=clock) as bus:
        driver = bus.driver("D1")
        await fake.envelope(TopicKind.OSD, "osd", {}, clock)
        await wait_until(driver, lambda: driver.online)
        await wait_until(driver, lambda: not driver.online)


async def test_status_retained_before_the_station_knew_the_dock(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    settings = mqtt_settings(mqtt_broker, mqtt_prefix)
    clock = ScaledClock(1)
    async with FakeDock(mqtt_broker, mqtt_prefix, "D7") as fake:
        await fake.envelope(TopicKind.STATUS, "update_topo", {"online": True}, clock)
        await fake.client.publish(fake.topics.topic(TopicKind.STATUS, "D7"),
                                  b'{"tid":"r","bid":"r","timestamp":1,"method":"update_topo","data":{"online":true}}',
                                  qos=1, retain=True)
        async with DockBus(settings.mqtt, clock=clock) as bus:
            async with asyncio.timeout(5):
                while bus.stats.unknown_dock < 1:
                    await asyncio.sleep(0.01)
            assert bus.driver("D7").online
        await fake.client.publish(fake.topics.topic(TopicKind.STATUS, "D7"), b"", qos=1, retain=True)


async def test_broker_loss_fails_pending_services_and_the_bus_reconnects(tmp_path, mqtt_prefix: str) -> None:  # type: ignore[no-untyped-def]
    from tests.mqtt_broker import find_mosquitto

    program = find_mosquitto()
    if program is None:
        pytest.skip("mosquitto not installed")
    broker = MosquittoBroker(program, tmp_path)
    broker.start()
    try:
        async with dock_pair(mqtt_settings(broker, mqtt_prefix)) as p:
            pending = asyncio.create_task(p.dock.open_cover())
            async with asyncio.timeout(5):
                while p.bus.stats.services_sent < 1:
                    await asyncio.sleep(0.01)
            broker.stop()
            with pytest.raises(DockError) as raised:
                await pending
            assert raised.value.reason_code in (ReasonCode.DISCONNECTED, ReasonCode.OFFLINE)
            await wait_until(p.dock, lambda: p.dock.state is DockState.OFFLINE)
            broker.start()
            await wait_until(p.dock, lambda: p.dock.state.idle, timeout_s=20)
            await p.dock.start_charging()
    finally:
        broker.stop()


async def test_emergency_stop_faults_the_dock_and_refuses_what_follows(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix)) as p:
        await p.dock.emergency_stop()
        await wait_until(p.dock, lambda: p.dock.state is DockState.FAULT)
        with pytest.raises(ServiceFailed) as raised:
            await p.dock.open_cover()
        assert raised.value.reason_code == ReasonCode.EMERGENCY_STOPPED
        p.sim.release_emergency_stop()
        await wait_until(p.dock, lambda: p.dock.readings is not None and not p.dock.readings.emergency_stop)
        p.dock.settle("released on site")
        assert p.dock.state.idle


async def test_reboot_makes_the_dock_busy_until_it_is_back(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix), factor=100) as p:
        rebooting = asyncio.create_task(p.dock.reboot())
        await wait_until(p.dock, lambda: p.sim.service_counts[DockService.DEVICE_REBOOT] == 1)
        with pytest.raises(ServiceFailed) as raised:
            await p.dock.start_charging()
        assert raised.value.reason_code == ReasonCode.BUSY
        await rebooting
        await p.dock.start_charging()


async def test_dock_flies_its_drone_to_a_point_and_home(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with dock_pair(mqtt_settings(mqtt_broker, mqtt_prefix), factor=100) as p:
        await asyncio.gather(p.dock.open_cover(), p.dock.power_drone(True))
        lat, lon = p.dock.info.lat_deg + 0.003, p.dock.info.lon_deg
        await p.dock.takeoff_to_point(lat, lon, 40.0)
        assert p.drone.position is not None and abs(p.drone.position.lat_deg - lat) < 1e-4
        await wait_until(p.dock, lambda: not p.dock.readings.drone_present)  # type: ignore[union-attr]
        await p.dock.return_home()
        await wait_until(p.dock, lambda: p.dock.readings.drone_present)  # type: ignore[union-attr]
