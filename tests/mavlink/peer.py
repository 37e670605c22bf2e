"""A vehicle played by a test: pymavlink (an independent codec) on a real loopback UDP socket.

The peer sends HEARTBEATs on a timer, answers messages through handlers the test installs,
records everything it receives, and can send any message or raw bytes. It is deliberately
simple: the tests script the protocol exchanges they check.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

Handler = Callable[["ScriptedPeer", Any], None]


class _Sink:
    """pymavlink's MAVLink wants a file; ours swallows writes (we send explicitly)."""

    def write(self, data: bytes) -> None:  # pragma: no cover - never called
        raise AssertionError("use ScriptedPeer.send")


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, peer: ScriptedPeer) -> None:
        self.peer = peer

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.peer._received_bytes(data)


class ScriptedPeer:
    """One scripted MAVLink vehicle (or any component) speaking to the station over UDP."""

    def __init__(
        self,
        sysid: int = 1,
        compid: int = 1,
        *,
        autopilot: int = mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA,
        vehicle_type: int = mavlink.MAV_TYPE_QUADROTOR,
        heartbeat_interval_s: float = 0.05,
    ) -> None:
        self.sysid = sysid
        self.compid = compid
        self.autopilot = autopilot
        self.vehicle_type = vehicle_type
        self.base_mode = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        self.custom_mode = 0
        self.system_status = mavlink.MAV_STATE_STANDBY
        self.heartbeat_interval_s = heartbeat_interval_s
        self.mav = mavlink.MAVLink(_Sink(), srcSystem=sysid, srcComponent=compid)
        self.mav.robust_parsing = True
        self.rx = mavlink.MAVLink(_Sink())
        self.rx.robust_parsing = True
        self.received: list[Any] = []
        self.handlers: dict[str, Handler] = {}
        self._transport: asyncio.DatagramTransport | None = None
        self._heartbeat_task: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()
        self.heartbeats_enabled = True

    async def connect(self, port: int, host: str = "127.0.0.1") -> None:
        """Open the socket towards the station's udpin port and start heartbeats."""
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_datagram_endpoint(
            lambda: _Protocol(self), remote_addr=(host, port)
        )
        self._heartbeat_task = asyncio.create_task(self._heartbeats())

    async def close(self) -> None:
        """Stop heartbeats and close the socket."""
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat_task
        if self._transport is not None:
            self._transport.close()

    @property
    def local_port(self) -> int:
        """This peer's UDP port."""
        assert self._transport is not None
        return int(self._transport.get_extra_info("sockname")[1])

    def enable_signing(
        self, key: bytes, *, link_id: int = 0, initial_timestamp: int | None = None
    ) -> None:
        """Sign what this peer sends and reject unsigned frames it receives."""
        from groundstation.mavlink._signing import signing_timestamp_now

        for mav in (self.mav, self.rx):
            mav.signing.secret_key = key
            mav.signing.link_id = link_id
            mav.signing.timestamp = initial_timestamp or signing_timestamp_now()
            mav.signing.allow_unsigned_callback = lambda mav, msgid: False
        self.mav.signing.sign_outgoing = True

    def heartbeat(self) -> Any:
        """The HEARTBEAT this peer sends now."""
        return mavlink.MAVLink_heartbeat_message(
            self.vehicle_type,
            self.autopilot,
            self.base_mode,
            self.custom_mode,
            self.system_status,
            3,
        )

    async def _heartbeats(self) -> None:
        while True:
            if self.heartbeats_enabled:
                self.send(self.heartbeat())
            await asyncio.sleep(self.heartbeat_interval_s)

    def pack(self, msg: Any) -> bytes:
        """Encode a message as this peer (advances its sequence number)."""
        data: bytes = msg.pack(self.mav)
        self.mav.seq = (self.mav.seq + 1) % 256
        return data

    def send(self, msg: Any) -> None:
        """Encode and send a message to the station."""
        self.send_raw(self.pack(msg))

    def send_raw(self, data: bytes) -> None:
        """Send bytes as they are."""
        assert self._transport is not None
        self._transport.sendto(data)

    def _received_bytes(self, data: bytes) -> None:
        msgs = self.rx.parse_buffer(data) or []
        for msg in msgs:
            if msg.get_type() == "BAD_DATA":
                continue
            self.received.append(msg)
            handler = self.handlers.get(msg.get_type())
            if handler is not None:
                handler(self, msg)
        self._arrived.set()

    def of_type(self, name: str) -> list[Any]:
        """Messages of a type received so far."""
        return [m for m in self.received if m.get_type() == name]

    async def wait_for(
        self, name: str, predicate: Callable[[Any], bool] | None = None, timeout_s: float = 5.0
    ) -> Any:
        """Wait for a message of a type (optionally matching) to arrive; return it."""
        async with asyncio.timeout(timeout_s):
            seen = 0
            while True:
                for msg in self.received[seen:]:
                    if msg.get_type() == name and (predicate is None or predicate(msg)):
                        return msg
                seen = len(self.received)
                self._arrived.clear()
                await self._arrived.wait()

    def ack(self, command: int, result: int, *, progress: int = 0, result_param2: int = 0) -> None:
        """Send a COMMAND_ACK addressed to the station."""
        self.send(
            mavlink.MAVLink_command_ack_message(command, result, progress, result_param2, 255, 190)
        )
