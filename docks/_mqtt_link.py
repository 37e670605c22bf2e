"""One reconnecting aiomqtt connection, shared by the station's dock bus and the dock agents."""

from __future__ import annotations

import asyncio
import logging
import random
import socket
from collections.abc import Awaitable, Callable

import aiomqtt

from docks._settings import MqttSettings

_log = logging.getLogger("docks.mqtt")


SOCKET_OPTIONS = (
    (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
    (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),  # small messages go out now, not 40 ms later
)
PENDING_CALLS_WARNING = 1000  # a fleet has many services in flight at once; that is normal


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
