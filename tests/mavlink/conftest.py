"""Fixtures for the station's MAVLink tests: short timeouts, a fleet on loopback, peers."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from groundstation.config import MavlinkSettings
from groundstation.events import EventBus
from groundstation.mavlink import Fleet
from tests.infra import free_port
from tests.mavlink.peer import ScriptedPeer


def fast_settings(**overrides: object) -> MavlinkSettings:
    """Settings with every timeout shrunk so protocol tests run in milliseconds."""
    values: dict[str, object] = {
        "endpoints": [],
        "heartbeat_interval_s": 0.1,
        "link_lost_timeout_s": 0.5,
        "link_check_interval_s": 0.05,
        "command_ack_timeout_s": 0.2,
        "command_retries": 2,
        "command_in_progress_timeout_s": 1.0,
        "mission_ack_timeout_s": 0.3,
        "mission_retry_interval_s": 0.1,
        "mission_max_retries": 3,
        "param_timeout_s": 0.2,
        "param_retries": 3,
        "signing_setup_timeout_s": 0.3,
        "initial_requests": False,
        "guided_arrival_timeout_s": 5.0,
    }
    values.update(overrides)
    return MavlinkSettings.model_validate(values)


@pytest.fixture
def bus() -> EventBus:
    return EventBus()


@pytest.fixture
def udp_port() -> int:
    return free_port(socket.SOCK_DGRAM)


@pytest.fixture
async def fleet(bus: EventBus, udp_port: int) -> AsyncIterator[Fleet]:
    settings = fast_settings(endpoints=[f"udpin:127.0.0.1:{udp_port}"])
    async with Fleet(settings, bus) as f:
        yield f


PeerFactory = Callable[..., Awaitable[ScriptedPeer]]


@pytest.fixture
async def make_peer(udp_port: int) -> AsyncIterator[PeerFactory]:
    peers: list[ScriptedPeer] = []

    async def make(sysid: int = 1, **kwargs: object) -> ScriptedPeer:
        peer = ScriptedPeer(sysid, **kwargs)  # type: ignore[arg-type]
        await peer.connect(udp_port)
        peers.append(peer)
        return peer

    yield make
    for peer in peers:
        await peer.close()
