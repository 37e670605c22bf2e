"""Fan-out of one stream's decoded frames to any number of subscribers without ever blocking
the decoder.

The hub holds only the newest frame. ``publish`` stores it and wakes the waiters; a subscriber
reads the newest frame it has not seen yet, so a slow viewer simply skips frames (counted in
``dropped``) and the ingest thread never waits on anyone. Subscribers may live on an asyncio
loop (``await sub.next()``) or in a thread (``sub.get()``).
"""

from __future__ import annotations

import asyncio
import threading
from types import TracebackType
from typing import Self

from groundstation._waiting import within
from groundstation.video._types import VideoFrame

__all__ = ["FrameHub", "FrameSubscription"]


class FrameHub:
    """The newest frame of one stream and its subscribers."""

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self._cond = threading.Condition()
        self._latest: VideoFrame | None = None
        self._closed = False
        self._subscribers: set[FrameSubscription] = set()
        self._async_waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = set()

    @property
    def latest(self) -> VideoFrame | None:
        """The newest frame, or None before the first."""
        return self._latest

    @property
    def subscriber_count(self) -> int:
        """Subscribers open now."""
        with self._cond:
            return len(self._subscribers)

    @property
    def closed(self) -> bool:
        """True once the stream has stopped for good."""
        return self._closed

    def publish(self, frame: VideoFrame) -> None:
        """Make ``frame`` the newest and wake every waiter; never blocks on a subscriber."""
        with self._cond:
            self._latest = frame
            self._cond.notify_all()
            waiters, self._async_waiters = self._async_waiters, set()
        _wake(waiters)

    def close(self) -> None:
        """End every subscription (their iterators stop)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            waiters, self._async_waiters = self._async_waiters, set()
        _wake(waiters)

    def subscribe(self, *, from_latest: bool = True) -> FrameSubscription:
        """A new subscription; with ``from_latest`` the current newest frame is delivered first."""
        sub = FrameSubscription(self, from_latest=from_latest)
        with self._cond:
            self._subscribers.add(sub)
        return sub

    def _unsubscribe(self, sub: FrameSubscription) -> None:
        with self._cond:
            self._subscribers.discard(sub)

    def _newer_than(self, seq: int) -> VideoFrame | None:
        latest = self._latest
        return latest if latest is not None and latest.seq > seq else None

    def _register_async(self, seq: int) -> asyncio.Future[None] | None:
        """A future set at the next publish, or None if a newer frame (or close) is already here."""
        loop = asyncio.get_running_loop()
        with self._cond:
            if self._closed or self._newer_than(seq) is not None:
                return None
            fut: asyncio.Future[None] = loop.create_future()
            self._async_waiters.add((loop, fut))
            return fut

    def _drop_async(self, fut: asyncio.Future[None]) -> None:
        with self._cond:
            self._async_waiters = {w for w in self._async_waiters if w[1] is not fut}


def _wake(waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]]) -> None:
    for loop, fut in waiters:
        try:
            loop.call_soon_threadsafe(_resolve, fut)
        except RuntimeError:  # that loop is closed: its waiter is gone
            pass


def _resolve(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class FrameSubscription:
    """One subscriber's view of a hub: the newest unseen frame, skipping what it was too slow for."""

    def __init__(self, hub: FrameHub, *, from_latest: bool) -> None:
        self._hub = hub
        latest = hub.latest
        if latest is None:
            self._seen = 0
        else:
            self._seen = latest.seq - 1 if from_latest else latest.seq
        self.received = 0
        self.dropped = 0
        self._open = True

    def _take(self) -> VideoFrame | None:
        frame = self._hub._newer_than(self._seen)
        if frame is None:
            return None
        if frame.seq > self._seen + 1:
            self.dropped += frame.seq - self._seen - 1
        self._seen = frame.seq
        self.received += 1
        return frame

    def poll(self) -> VideoFrame | None:
        """The newest unseen frame, or None without waiting."""
        return self._take()

    def get(self, timeout_s: float | None = None) -> VideoFrame | None:
        """Wait in a thread for the next unseen frame; None on timeout or when the stream ended."""
        cond = self._hub._cond
        with cond:
            cond.wait_for(lambda: not self._open or self._hub.closed
                          or self._hub._newer_than(self._seen) is not None, timeout_s)
            return self._take() if self._open else None

    async def next(self, timeout_s: float | None = None) -> VideoFrame | None:
        """Wait on the event loop for the next unseen frame; None on timeout or stream end."""
        while self._open:
            fut = self._hub._register_async(self._seen)
            if fut is None:
                frame = self._take()
                if frame is not None or self._hub.closed:
                    return frame
                continue
            try:
                await within(fut, timeout_s)
            except TimeoutError:
                self._hub._drop_async(fut)
                return None
            except asyncio.CancelledError:
                self._hub._drop_async(fut)
                raise
        return None

    def close(self) -> None:
        """Leave the hub."""
        self._open = False
        self._hub._unsubscribe(self)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
