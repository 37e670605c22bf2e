"""UDP links: ``udpin`` listens for vehicles (many per port), ``udpout`` sends to one address."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable

from groundstation._exceptions import LinkError
from groundstation.mavlink.links._base import Link

__all__ = ["UdpClientLink", "UdpServerLink"]

_log = logging.getLogger(__name__)


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, link: _UdpLink) -> None:
        self._link = link

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._link._received(data, addr)

    def error_received(self, exc: Exception) -> None:
        self._link.send_errors += 1
        _log.debug("udp %s: %s", self._link.name, exc)


class _UdpLink(Link):
    datagram = True

    def __init__(self, name: str, host: str, port: int) -> None:
        super().__init__(name)
        self.host = host
        self.port = port
        self._transport: asyncio.DatagramTransport | None = None

    def _received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.on_receive(data, addr)

    def _sendto(self, data: bytes, addr: Hashable) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            self.send_errors += 1
            return
        try:
            transport.sendto(data, addr)  # type: ignore[arg-type]
        except OSError as exc:
            self.send_errors += 1
            _log.debug("udp %s send to %r failed: %s", self.name, addr, exc)
            return
        self.bytes_sent += len(data)

    @property
    def local_address(self) -> tuple[str, int]:
        """The bound (host, port)."""
        if self._transport is None:
            raise LinkError(f"{self.name}: not open")
        addr: tuple[str, int] = self._transport.get_extra_info("sockname")
        return addr

    async def aclose(self) -> None:
        """Close the socket."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None
        self._set_up(False, "closed")


class UdpServerLink(_UdpLink):
    """Listen on HOST:PORT; every address that sends to it becomes a peer."""

    def __init__(self, name: str, host: str, port: int) -> None:
        super().__init__(name, host, port)
        self._peers: dict[Hashable, None] = {}

    def _received(self, data: bytes, addr: tuple[str, int]) -> None:
        if addr not in self._peers:
            self._peers[addr] = None
        self.on_receive(data, addr)

    @property
    def peers(self) -> tuple[Hashable, ...]:
        """Addresses that have sent to this port."""
        return tuple(self._peers)

    async def open(self) -> None:
        """Bind the socket."""
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), local_addr=(self.host, self.port)
            )
        except OSError as exc:
            raise LinkError(
                f"{self.name}: cannot listen on {self.host}:{self.port}: {exc}"
            ) from exc
        self._transport = transport
        self._set_up(True, "listening")

    def send(self, data: bytes, peer: Hashable = None) -> None:
        """Send to one address, or to every address heard from."""
        if peer is not None:
            self._sendto(data, peer)
            return
        for addr in self._peers:
            self._sendto(data, addr)


class UdpClientLink(_UdpLink):
    """Send to HOST:PORT from an ephemeral port and take replies from that address only."""

    async def open(self) -> None:
        """Create the connected socket."""
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self), remote_addr=(self.host, self.port)
            )
        except OSError as exc:
            raise LinkError(f"{self.name}: cannot send to {self.host}:{self.port}: {exc}") from exc
        self._transport = transport
        self._set_up(True, "connected")

    def _received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.on_receive(data, None)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        """Send to the configured address."""
        transport = self._transport
        if transport is None or transport.is_closing():
            self.send_errors += 1
            return
        try:
            transport.sendto(data)
        except OSError as exc:
            self.send_errors += 1
            _log.debug("udp %s send failed: %s", self.name, exc)
            return
        self.bytes_sent += len(data)
