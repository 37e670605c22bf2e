"""Byte transports of a simulated vehicle: UDP towards a station, UDP listening, TCP server.

Endpoints use the station's syntax: ``udpout:HOST:PORT`` (send to the station's udpin),
``udpin:HOST:PORT`` (listen; answer whoever spoke last) and ``tcpin:HOST:PORT`` (a TCP
server, as ArduPilot SITL offers; every connected client gets every frame). Port 0 picks a
free port; :attr:`Transport.local_port` tells which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from groundstation.sim._exceptions import SimConfigError, SimTransportError

__all__ = ["Transport", "open_transport", "parse_sim_endpoint"]

_log = logging.getLogger(__name__)

BytesSink = Callable[[bytes, "Transport", Any], None]


def parse_sim_endpoint(endpoint: str) -> tuple[str, str, int]:
    """Split ``kind:host:port``; raise SimConfigError when malformed."""
    parts = endpoint.split(":")
    if len(parts) != 3 or parts[0] not in ("udpout", "udpin", "tcpin"):
        raise SimConfigError(
            f"endpoint {endpoint!r}: expected udpout:HOST:PORT, udpin:HOST:PORT or tcpin:HOST:PORT"
        )
    try:
        port = int(parts[2])
    except ValueError:
        raise SimConfigError(f"endpoint {endpoint!r}: port is not a number") from None
    if not 0 <= port <= 65535 or (parts[0] == "udpout" and port == 0):
        raise SimConfigError(f"endpoint {endpoint!r}: port out of range")
    return parts[0], parts[1], port


class Transport(ABC):
    """One byte link of the vehicle."""

    stream: bool = False  # TCP: frames may span reads

    def __init__(self, endpoint: str, sink: BytesSink) -> None:
        self.endpoint = endpoint
        self._sink = sink
        self.bytes_sent = 0
        self.bytes_received = 0

    @abstractmethod
    async def open(self) -> None:
        """Open the socket(s)."""

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Send bytes to the station(s) on this link (never raises)."""

    @abstractmethod
    async def close(self) -> None:
        """Close the socket(s)."""

    @property
    @abstractmethod
    def local_port(self) -> int:
        """The local port (useful when the endpoint asked for port 0)."""


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self, owner: _Udp) -> None:
        self.owner = owner

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.owner._received(data, addr)

    def error_received(self, exc: Exception) -> None:  # ICMP port unreachable: station not up yet
        _log.debug("%s: %s", self.owner.endpoint, exc)


class _Udp(Transport):
    def __init__(self, endpoint: str, sink: BytesSink, host: str, port: int, *, listen: bool) -> None:
        super().__init__(endpoint, sink)
        self._host = host
        self._port = port
        self._listen = listen
        self._transport: asyncio.DatagramTransport | None = None
        self._peer: Any = None if listen else (host, port)

    async def open(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            if self._listen:
                self._transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(self), local_addr=(self._host, self._port)
                )
            else:
                self._transport, _ = await loop.create_datagram_endpoint(
                    lambda: _Datagrams(self), remote_addr=(self._host, self._port)
                )
        except OSError as exc:
            raise SimTransportError(f"{self.endpoint}: {exc}") from exc

    def _received(self, data: bytes, addr: Any) -> None:
        self.bytes_received += len(data)
        if self._listen:
            self._peer = addr
        self._sink(data, self, addr)

    def send(self, data: bytes) -> None:
        transport = self._transport
        if transport is None or transport.is_closing() or self._peer is None:
            return
        try:
            if self._listen:
                transport.sendto(data, self._peer)
            else:
                transport.sendto(data)
            self.bytes_sent += len(data)
        except OSError as exc:
            _log.debug("%s: %s", self.endpoint, exc)

    async def close(self) -> None:
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    @property
    def local_port(self) -> int:
        assert self._transport is not None
        return int(self._transport.get_extra_info("sockname")[1])


class _TcpServer(Transport):
    stream = True

    def __init__(self, endpoint: str, sink: BytesSink, host: str, port: int) -> None:
        super().__init__(endpoint, sink)
        self._host = host
        self._port = port
        self._server: asyncio.Server | None = None
        self._clients: dict[asyncio.StreamWriter, asyncio.Task[None]] = {}

    async def open(self) -> None:
        try:
            self._server = await asyncio.start_server(self._serve, self._host, self._port)
        except OSError as exc:
            raise SimTransportError(f"{self.endpoint}: {exc}") from exc

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[writer] = task
        try:
            while data := await reader.read(65536):
                self.bytes_received += len(data)
                self._sink(data, self, writer)
        except (ConnectionError, OSError) as exc:
            _log.debug("%s: client gone: %s", self.endpoint, exc)
        finally:
            self._clients.pop(writer, None)
            writer.close()

    def send(self, data: bytes) -> None:
        for writer in list(self._clients):
            if writer.is_closing():
                continue
            writer.write(data)
            self.bytes_sent += len(data)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer, task in list(self._clients.items()):
            writer.close()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    @property
    def local_port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])


async def open_transport(endpoint: str, sink: BytesSink) -> Transport:
    """Open a transport for an endpoint string."""
    kind, host, port = parse_sim_endpoint(endpoint)
    transport: Transport
    if kind == "tcpin":
        transport = _TcpServer(endpoint, sink, host, port)
    else:
        transport = _Udp(endpoint, sink, host, port, listen=kind == "udpin")
    await transport.open()
    return transport
