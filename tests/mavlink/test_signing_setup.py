"""SETUP_SIGNING: the station hands a vehicle a key and then requires signatures from it."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation._exceptions import LinkError
from groundstation.mavlink import Fleet

KEY = bytes(range(7, 39))


async def test_setup_signing_switches_the_link_to_signed(fleet: Fleet, make_peer) -> None:
    peer = await make_peer(1)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    received: list[bytes] = []

    def on_setup(p, msg) -> None:
        key = bytes(msg.secret_key)
        received.append(key)
        p.enable_signing(key, initial_timestamp=msg.initial_timestamp)

    peer.handlers["SETUP_SIGNING"] = on_setup
    await v.setup_signing(KEY.hex())
    assert received == [KEY]
    st = next(iter(fleet.link_stats().values()))
    assert st.signing
    peer.send(mavlink.MAVLink_attitude_message(5, 0, 0, 0, 0, 0, 0))
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 5, 2)
    hb = await peer.wait_for("HEARTBEAT", lambda m: m.get_signed(), timeout_s=2)
    assert hb.get_srcSystem() == 255


async def test_vehicle_that_ignores_setup_signing_leaves_the_link_unsigned(
    fleet: Fleet, make_peer
) -> None:
    peer = await make_peer(2)
    v = await fleet.wait_for_vehicle(2, timeout_s=2)
    with pytest.raises(LinkError, match="did not start signing"):
        await v.setup_signing(KEY)
    assert len(peer.of_type("SETUP_SIGNING")) == fleet.settings.signing_setup_retries + 1
    assert not next(iter(fleet.link_stats().values())).signing
    peer.send(mavlink.MAVLink_attitude_message(6, 0, 0, 0, 0, 0, 0))
    await v.wait_until(lambda s: s.attitude.time_boot_ms == 6, 2)


async def test_signing_key_from_settings_applies_to_its_endpoint(make_peer, udp_port: int) -> None:
    from groundstation.events import EventBus
    from tests.mavlink.conftest import fast_settings

    endpoint = f"udpin:127.0.0.1:{udp_port}"
    settings = fast_settings(endpoints=[endpoint], signing_keys={endpoint: KEY.hex()})
    async with Fleet(settings, EventBus()) as fleet:
        unsigned = await make_peer(3)
        signed = await make_peer(4)
        signed.enable_signing(KEY)
        await fleet.wait_for_vehicle(4, timeout_s=2)
        await unsigned.wait_for("HEARTBEAT", timeout_s=2)
        assert 3 not in fleet.vehicles
        assert fleet.link_stats()[endpoint].unsigned_rejected > 0
        assert "signing_keys" not in repr(settings) or KEY.hex() not in repr(settings)
