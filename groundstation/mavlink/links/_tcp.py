"""TCP client link: connects to HOST:PORT and reconnects after the connection drops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Hashable

from groundstation.mavlink.links._base import ReconnectingLink

__all__ = ["TcpClientLink"]

_log = logging.getLogger(__name__)
_READ_SIZE = 65536


class TcpClientLink(ReconnectingLink):
    """One TCP connection to a vehicle or router, kept open by a reconnect loop."""

    def __init__(self, name: str, host: str, port: int, *, reconnect_interval_s: float) -> None:
        super().__init__(name)
        self.host = host
        self.port = port
        self.reconnect_interval_s = reconnect_interval_s
        self._writer: asyncio.StreamWriter | None = None
        self.connects = 0

    async def _run(self) -> None:
        while True:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError as exc:
                self._set_up(False, f"connect failed: {exc}")
                await asyncio.sleep(self.reconnect_interval_s)
                continue
            self._writer = writer
            self.connects += 1
            self._set_up(True, "connected")
            reason = "closed by peer"
            try:
                while True:
                    data = await reader.read(_READ_SIZE)
                    if not data:
                        break
                    self.on_receive(data, None)
            except OSError as exc:
                reason = str(exc)
            finally:
                self._writer = None
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
            self._set_up(False, reason)
            await asyncio.sleep(self.reconnect_interval_s)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        """Queue bytes on the connection (dropped and counted while disconnected)."""
        writer = self._writer
        if writer is None or writer.is_closing():
            self.send_errors += 1
            return
        writer.write(data)
        self.bytes_sent += len(data)
