"""One-click launch end to end: the station drives simulated docks through a real broker."""

from __future__ import annotations

import pytest

from docks import DockFault, DockState, LaunchAborted, SortieState
from tests.docks.rig import FleetRig
from tests.docks.test_launch import TARGET
from tests.mqtt_broker import MosquittoBroker

pytestmark = pytest.mark.mqtt


async def test_one_click_through_the_broker(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with FleetRig(n_docks=3, factor=100, broker=mqtt_broker, prefix=mqtt_prefix) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        report = sortie.report
        assert sortie.state is SortieState.ON_SCENE and report.dock_id == "D1"
        assert report.click_to_airborne_s is not None and report.click_to_on_scene_s is not None
        final = await sortie.recover()
        assert final.landed_at == "dock:D1" and rig.dock(0).state.idle
        stats = rig.fleet.bus.stats  # type: ignore[union-attr]
        assert stats.invalid == 0 and stats.services_sent == 8  # 3 to launch, 1 behind it, 4 to recover
        tids = [a.tid for a in rig.audit if a.target == "dock:D1"]
        assert all(tids) and len(set(tids)) == len(tids)


async def test_door_jam_through_the_broker_aborts_before_arming(
    mqtt_broker: MosquittoBroker, mqtt_prefix: str
) -> None:
    async with FleetRig(n_docks=1, factor=100, broker=mqtt_broker, prefix=mqtt_prefix) as rig:
        rig.sim(0).inject(DockFault.COVER_JAM)
        with pytest.raises(LaunchAborted) as raised:
            await rig.launcher.launch(*TARGET)
        assert raised.value.step == "cover_open" and raised.value.reason_code == 30006
        assert "arm" not in rig.drone(0).commands
        assert rig.dock(0).state is DockState.FAULT


async def test_link_lost_through_the_broker(mqtt_broker: MosquittoBroker, mqtt_prefix: str) -> None:
    async with FleetRig(n_docks=1, factor=100, broker=mqtt_broker, prefix=mqtt_prefix) as rig:
        sortie = await rig.launcher.launch(*TARGET)
        rig.drone(0).cut_link()
        report = await sortie.finished()
        assert sortie.state is SortieState.LANDED and "failsafe" in report.outcome
