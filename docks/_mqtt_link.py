"""One reconnecting aiomqtt connection, shared by the station's dock bus and the dock agents."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiomqtt

from docks._settings import MqttSettings

_log = logging.getLogger("docks.mqtt")
T = TypeVar("T")


SOCKET_OPTIONS = (
    (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
    (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),  # small messages go out now, not 40 ms later
)
PENDING_CALLS_WARNING = 1000  # a fleet has many services in flight at once; that is normal


async def keep_cancel(call: Awaitable[T]) -> T:
    """Await an aiomqtt call so that a cancellation of this task is never lost in it.

    aiomqtt waits for the broker's acknowledgement with ``asyncio.wait_for``, which on Python
    3.11 returns the result instead of raising when the cancellation and the acknowledgement
    arrive in the same loop iteration. A sender loop would then go on waiting for its next
    message, and the task group around it, which cancels its children only once, would never
    close. So the call runs as its own task, awaited through ``asyncio.wait``, which always
    raises the cancellation (and cancels the call).
    """
    inner = asyncio.ensure_future(call)
    try:
        await asyncio.wait({inner})
    except asyncio.CancelledError:
        inner.cancel()
        inner.add_done_callback(_retrieve)  # its outcome no longer matters to anyone
        raise
    return inner.result()


def _retrieve(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


def make_client(
    settings: MqttSettings, *, identifier: str, will: aiomqtt.Will | None = None
) -> aiomqtt.Client:
    """An aiomqtt client for the configured broker."""
    if settings.hostname is None:
        raise ValueError("no MQTT broker configured (settings.mqtt.hostname is None)")
    client = aiomqtt.Client(
        settings.hostname,
        settings.port,
        username=settings.username,
        password=settings.password,
        identifier=identifier,
        will=will,
        keepalive=settings.keepalive_s,
        clean_session=True,
        timeout=settings.reply_timeout_s,
        socket_options=SOCKET_OPTIONS,
    )
    client.pending_calls_threshold = PENDING_CALLS_WARNING
    return client


async def run_reconnecting(
    settings: MqttSettings,
    *,
    identifier: str,
    session: Callable[[aiomqtt.Client], Awaitable[None]],
    on_down: Callable[[BaseException], None],
    stopping: Callable[[], bool],
    will: aiomqtt.Will | None = None,
) -> None:
    """Keep a session running: connect, run ``session``, on loss back off (jittered) and retry,
    until ``stopping()`` says the owner is closing."""
    delay_s = settings.reconnect_min_s
    while not stopping():
        try:
            async with make_client(settings, identifier=identifier, will=will) as client:
                delay_s = settings.reconnect_min_s
                await session(client)
        except* aiomqtt.MqttError as group:
            exc = group.exceptions[0]
            if not stopping():  # closing: never reconnect, whatever became of the cancellation
                _log.warning("mqtt %s: connection lost or refused: %s", identifier, exc)
                on_down(exc)
        if stopping():
            break
        await asyncio.sleep(delay_s * random.uniform(0.5, 1.5))
        delay_s = min(delay_s * 2, settings.reconnect_max_s)
