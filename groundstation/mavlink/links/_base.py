"""The byte-link interface every transport implements (UDP, TCP, serial)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable
from typing import ClassVar

__all__ = ["Link", "ReceiveCallback", "ReconnectingLink", "StateCallback"]

ReceiveCallback = Callable[[bytes, Hashable], None]
StateCallback = Callable[[bool, str], None]

_log = logging.getLogger(__name__)


def _ignore_bytes(data: bytes, peer: Hashable) -> None:
    _log.debug("link not bound yet: %d bytes from %r ignored", len(data), peer)


def _ignore_state(up: bool, reason: str) -> None:
    _log.debug("link not bound yet: state %s (%s)", up, reason)


class Link(ABC):
    """A byte link to one or more MAVLink peers.

    ``datagram`` links (UDP) deliver whole packets; stream links (TCP, serial) deliver chunks
    that may split frames. ``peer`` identifies the far end on links with several (UDP server);
    it is None on point-to-point links.
    """

    datagram: ClassVar[bool] = False

    def __init__(self, name: str) -> None:
        self.name = name
        self.on_receive: ReceiveCallback = _ignore_bytes
        self.on_state: StateCallback = _ignore_state
        self.bytes_sent = 0
        self.send_errors = 0
        self.up = False
        self._state_reported = False

    def bind(self, on_receive: ReceiveCallback, on_state: StateCallback | None = None) -> None:
        """Set where received bytes (and up/down changes) go; call before :meth:`open`."""
        self.on_receive = on_receive
        if on_state is not None:
            self.on_state = on_state

    def _set_up(self, up: bool, reason: str = "") -> None:
        if up != self.up or not self._state_reported:
            self._state_reported = True
            self.up = up
            _log.info("link %s %s %s", self.name, "up" if up else "down", reason)
            self.on_state(up, reason)

    @property
    def peers(self) -> tuple[Hashable, ...]:
        """Far ends known on this link (``(None,)`` for a point-to-point link)."""
        return (None,)

    @abstractmethod
    async def open(self) -> None:
        """Open the transport; raise LinkError when its configuration cannot work."""

    @abstractmethod
    def send(self, data: bytes, peer: Hashable = None) -> None:
        """Send bytes to one peer, or to every known peer when ``peer`` is None; never blocks."""

    @abstractmethod
    async def aclose(self) -> None:
        """Close the transport and stop its background work."""


class ReconnectingLink(Link):
    """A link whose transport is (re)opened by a background task: TCP, serial."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> None:
        """Start connecting in the background (failures are retried and reported, not raised)."""
        self._task = asyncio.create_task(self._run(), name=f"link {self.name}")

    @abstractmethod
    async def _run(self) -> None:
        """Open the transport, pump it until it fails, wait, and start again; forever."""

    def _release(self) -> None:
        """Drop the transport after the task stopped (nothing by default)."""

    async def aclose(self) -> None:
        """Stop reconnecting and close the transport."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._release()
        self._set_up(False, "closed")
