"""Replay of a .tlog into the station: the vehicle's frames are sent again, in their own timing,
to a UDP endpoint the station listens on, so the flight shows up live on every console."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from groundstation.flightlog._tlog import frame_source, read_tlog

__all__ = ["ReplayResult", "replay_tlog"]


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """What a replay sent."""

    frames_sent: int
    frames_skipped: int
    log_span_s: float


async def replay_tlog(
    path: Path,
    host: str,
    port: int,
    *,
    speed: float = 1.0,
    skip_system_ids: frozenset[int] = frozenset({255}),
) -> ReplayResult:
    """Send a log's frames over UDP to ``host:port``, ``speed`` times real time (0: at once).

    Frames from ``skip_system_ids`` (by default the station's own) are left out.
    """
    if speed < 0:
        raise ValueError("speed must be 0 or more")
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        asyncio.DatagramProtocol, remote_addr=(host, port)
    )
    sent = skipped = 0
    first_us = last_us = None
    started = time.monotonic()
    try:
        for record in read_tlog(path):
            if first_us is None:
                first_us = record.t_us
            last_us = record.t_us
            if frame_source(record.frame) in skip_system_ids:
                skipped += 1
                continue
            if speed > 0:
                due = started + (record.t_us - first_us) / 1e6 / speed
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            transport.sendto(record.frame)
            sent += 1
            if speed == 0 and sent % 64 == 0:
                await asyncio.sleep(0)
    finally:
        transport.close()
    span = 0.0 if first_us is None or last_us is None else (last_us - first_us) / 1e6
    return ReplayResult(frames_sent=sent, frames_skipped=skipped, log_span_s=span)
