"""Serial link: a pyserial port driven by the event loop (non-blocking fd, add_reader)."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import Hashable

import serial

from groundstation.mavlink.links._base import ReconnectingLink

__all__ = ["SerialLink"]

_log = logging.getLogger(__name__)
_READ_SIZE = 4096


class SerialLink(ReconnectingLink):
    """A serial device at a baud rate, reopened after errors (unplugged radio, closed pty)."""

    def __init__(self, name: str, device: str, baud: int, *, reopen_interval_s: float) -> None:
        super().__init__(name)
        self.device = device
        self.baud = baud
        self.reopen_interval_s = reopen_interval_s
        self._port: serial.Serial | None = None
        self._fd = -1
        self._pending = bytearray()
        self._failed: asyncio.Event | None = None
        self._reason = ""
        self.opens = 0

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                port = serial.Serial(self.device, self.baud, timeout=0, write_timeout=0)
            except (serial.SerialException, OSError, ValueError) as exc:
                self._set_up(False, f"open failed: {exc}")
                await asyncio.sleep(self.reopen_interval_s)
                continue
            self._port = port
            self._fd = port.fileno()
            flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
            fcntl.fcntl(self._fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
            self._failed = asyncio.Event()
            self._reason = "closed"
            loop.add_reader(self._fd, self._readable)
            self.opens += 1
            self._set_up(True, "open")
            try:
                await self._failed.wait()
            finally:
                self._close_port(loop)
            self._set_up(False, self._reason)
            await asyncio.sleep(self.reopen_interval_s)

    def _close_port(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._fd >= 0:
            loop.remove_reader(self._fd)
            loop.remove_writer(self._fd)
        if self._port is not None:
            with contextlib.suppress(OSError, serial.SerialException):
                self._port.close()
        self._port = None
        self._fd = -1
        self._pending.clear()

    def _fail(self, reason: str) -> None:
        self._reason = reason
        if self._failed is not None:
            self._failed.set()

    def _readable(self) -> None:
        try:
            data = os.read(self._fd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(f"read failed: {exc}")
            return
        if not data:
            self._fail("end of file")
            return
        self.on_receive(data, None)

    def _writable(self) -> None:
        try:
            written = os.write(self._fd, self._pending)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(f"write failed: {exc}")
            return
        del self._pending[:written]
        if not self._pending:
            asyncio.get_running_loop().remove_writer(self._fd)

    def send(self, data: bytes, peer: Hashable = None) -> None:
        """Write bytes without blocking; what the device cannot take yet is queued."""
        if self._fd < 0:
            self.send_errors += 1
            return
        self.bytes_sent += len(data)
        if self._pending:
            self._pending += data
            return
        try:
            written = os.write(self._fd, data)
        except BlockingIOError:
            written = 0
        except OSError as exc:
            self.send_errors += 1
            self._fail(f"write failed: {exc}")
            return
        if written < len(data):
            self._pending += data[written:]
            asyncio.get_running_loop().add_writer(self._fd, self._writable)

    def _release(self) -> None:
        self._close_port(asyncio.get_running_loop())
