"""One drone video stream: demux and decode in a thread of its own, frames to a ``FrameHub``,
encoded packets to recorders, reconnects with backoff, health as a typed record.

PyAV (FFmpeg's libraries) rather than ``cv2.VideoCapture``: the same decoder, but it hands over
each encoded packet, so the station measures the real bitrate, records the drone's own H.264/H.265
bits without re-encoding (no CPU per recorded stream, evidence unaltered), and sets low-delay
demuxer options per stream instead of through a process-wide environment variable.
``benchmarks/video.py`` measures both on the same stream.
"""

from __future__ import annotations

import collections
import logging
import random
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any, Protocol

import av
import av.error

from groundstation.config import VideoSettings
from groundstation.video._hub import FrameHub
from groundstation.video._source import StreamSource, redact_text
from groundstation.video._types import StreamHealth, StreamState, VideoFrame

__all__ = ["CodecParams", "EncodedPacket", "PacketSink", "VideoStream", "backoff_delay_s"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CodecParams:
    """What a recorder needs to write one connection's packets without decoding them."""

    connection: int
    """Counts opens of the stream: a new value means new codec parameters and timestamps."""
    codec: str
    width_px: int
    height_px: int
    extradata: bytes | None
    time_base: Fraction


@dataclass(frozen=True, slots=True)
class EncodedPacket:
    """One encoded video packet as it arrived."""

    connection: int
    data: bytes
    pts: int | None
    dts: int | None
    time_base: Fraction
    keyframe: bool
    received_utc: datetime
    received_mono_s: float


class PacketSink(Protocol):
    """Receives a stream's encoded packets on the ingest thread; must never block."""

    def on_connect(self, params: CodecParams) -> None:
        """A (re)opened stream: codec parameters for the packets that follow."""

    def on_packet(self, packet: EncodedPacket) -> None:
        """One packet; queue it and return at once."""

    def on_disconnect(self) -> None:
        """The stream dropped; packets of a new connection may follow after ``on_connect``."""


def backoff_delay_s(attempt: int, settings: VideoSettings, rng: random.Random) -> float:
    """Wait before reopen number ``attempt`` (1, 2, ...): exponential, capped, with jitter."""
    base = settings.reconnect_initial_s * settings.reconnect_factor ** max(0, attempt - 1)
    base = min(base, settings.reconnect_max_s)
    return base + rng.uniform(0.0, settings.reconnect_jitter * base)


class VideoStream:
    """Ingest of one stream; ``start()`` runs it in a daemon thread until ``stop()``."""

    def __init__(self, stream_id: str, source: StreamSource, settings: VideoSettings, *,
                 rng: random.Random | None = None) -> None:
        self.stream_id = stream_id
        self.source = source
        self.settings = settings
        self.hub = FrameHub(stream_id)
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sinks: list[PacketSink] = []
        self._state = StreamState.IDLE
        self._state_since = datetime.now(UTC)
        self._state_changed = threading.Condition(self._lock)
        self._codec: str | None = None
        self._size: tuple[int, int] | None = None
        self._seq = 0
        self._connection = 0
        self._packets_corrupt = 0
        self._reconnects = 0
        self._last_error: str | None = None
        self._last_frame_mono: float | None = None
        self._params: CodecParams | None = None
        self._frame_times: collections.deque[float] = collections.deque()
        self._packet_bytes: collections.deque[tuple[float, int]] = collections.deque()

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def state(self) -> StreamState:
        """The stored state (never STALLED; see ``health()``)."""
        return self._state

    def start(self) -> None:
        """Open the stream in a background thread; returns at once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=f"video-ingest-{self.stream_id}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop ingest, close the hub and tell sinks; waits up to ``stop_timeout_s``."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(self.settings.stop_timeout_s)
            if thread.is_alive():
                _log.warning("video stream %s: ingest thread still blocked after %.1f s",
                             self.stream_id, self.settings.stop_timeout_s)
        with self._lock:
            if self._state is not StreamState.STOPPED:
                self._set_state_locked(StreamState.STOPPED)
        self.hub.close()

    def wait_for_state(self, *states: StreamState, timeout_s: float) -> bool:
        """Block (in a thread) until the stored state is one of ``states``; False on timeout."""
        with self._state_changed:
            return self._state_changed.wait_for(lambda: self._state in states, timeout_s)

    def add_sink(self, sink: PacketSink) -> None:
        """Also send encoded packets to ``sink`` (from the next keyframe on, via on_connect)."""
        with self._lock:
            self._sinks.append(sink)
            params = self._params
        if params is not None:
            sink.on_connect(params)

    def remove_sink(self, sink: PacketSink) -> None:
        """Stop sending packets to ``sink``."""
        with self._lock:
            if sink in self._sinks:
                self._sinks.remove(sink)

    # -- health ------------------------------------------------------------------------------

    def health(self) -> StreamHealth:
        """Measured now: state, fps and bitrate over the health window, last-frame age."""
        now = time.monotonic()
        with self._lock:
            self._trim(now)
            window = self.settings.health_window_s
            fps = len(self._frame_times) / window
            bitrate = 8.0 * sum(b for _, b in self._packet_bytes) / window
            age = None if self._last_frame_mono is None else now - self._last_frame_mono
            state = self._state
            if state is StreamState.LIVE and age is not None and age > self.settings.stall_after_s:
                state = StreamState.STALLED
            return StreamHealth(
                stream_id=self.stream_id, uri=self.source.display_uri, state=state,
                state_since_utc=self._state_since, codec=self._codec,
                width_px=self._size[0] if self._size else None,
                height_px=self._size[1] if self._size else None,
                fps=fps, bitrate_bps=bitrate, last_frame_age_s=age,
                frames_decoded=self._seq, packets_corrupt=self._packets_corrupt,
                reconnects=self._reconnects, subscribers=self.hub.subscriber_count,
                last_error=self._last_error)

    def _trim(self, now: float) -> None:
        horizon = now - self.settings.health_window_s
        while self._frame_times and self._frame_times[0] < horizon:
            self._frame_times.popleft()
        while self._packet_bytes and self._packet_bytes[0][0] < horizon:
            self._packet_bytes.popleft()

    # -- state machine -----------------------------------------------------------------------

    def _set_state(self, new: StreamState, error: str | None = None) -> None:
        with self._lock:
            if error is not None:
                self._last_error = error
            self._set_state_locked(new)

    def _set_state_locked(self, new: StreamState) -> None:
        old = self._state
        if old is new:
            return
        if not old.can_become(new):
            _log.error("video stream %s: illegal transition %s -> %s ignored", self.stream_id,
                       old.name, new.name)
            return
        self._state = new
        self._state_since = datetime.now(UTC)
        if new is StreamState.RECONNECTING:
            self._reconnects += 1
        self._state_changed.notify_all()
        _log.info("video stream %s: %s -> %s%s", self.stream_id, old.name, new.name,
                  f" ({self._last_error})" if new is not StreamState.LIVE and self._last_error
                  else "")

    # -- the ingest thread -------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            self._set_state(StreamState.CONNECTING)
            try:
                decoded_any = self._connect_and_read()
            except Exception as exc:  # noqa: BLE001 - any decoder failure is a drop, never a crash
                decoded_any = False
                self._note_error(f"{type(exc).__name__}: {exc}")
            if self._stop.is_set():
                break
            failures = 0 if decoded_any else failures + 1
            limit = self.settings.max_reconnects
            if limit and failures >= limit:
                self._set_state(StreamState.FAILED)
                return
            self._set_state(StreamState.RECONNECTING)
            self._stop.wait(backoff_delay_s(max(1, failures), self.settings, self._rng))

    def _note_error(self, text: str) -> None:
        with self._lock:
            self._last_error = redact_text(text)

    def _open(self) -> Any:
        url, fmt, options = self.source.open_target()
        s = self.settings
        options = {"probesize": str(s.probe_size_bytes),
                   "analyzeduration": str(int(s.analyze_duration_s * 1_000_000)), **options}
        try:
            return av.open(url, mode="r", format=fmt, options=options,
                           timeout=(s.open_timeout_s, s.read_timeout_s))
        except (av.error.FFmpegError, OSError) as exc:
            raise ConnectionError(f"cannot open {self.source.display_uri}: {exc}") from exc

    def _connect_and_read(self) -> bool:
        """One connection: open, then demux and decode until it drops. True if a frame decoded."""
        container = self._open()
        decoded_any = False
        try:
            if not container.streams.video:
                raise ConnectionError(f"{self.source.display_uri} carries no video stream")
            vstream = container.streams.video[0]
            ctx = vstream.codec_context
            ctx.thread_type = "SLICE"  # frame threading would delay every frame
            ctx.thread_count = self.settings.decoder_threads
            params = self._begin_connection(vstream)
            for packet in container.demux(vstream):
                if self._stop.is_set():
                    break
                if packet.size == 0:
                    continue
                self._on_packet(packet, params)
                try:
                    frames = packet.decode()
                except av.error.InvalidDataError as exc:
                    self._count_corrupt(exc)
                    continue
                except av.error.FFmpegError as exc:
                    self._count_corrupt(exc)
                    continue
                for frame in frames:
                    self._on_frame(frame)
                    decoded_any = True
            if not self._stop.is_set():
                self._note_error("stream ended")
        except av.error.FFmpegError as exc:
            self._note_error(f"stream dropped: {exc}")
        finally:
            container.close()
            with self._lock:
                self._params = None
            for sink in self._sinks_snapshot():
                sink.on_disconnect()
        return decoded_any

    def _sinks_snapshot(self) -> list[PacketSink]:
        with self._lock:
            return list(self._sinks)

    def _begin_connection(self, vstream: Any) -> CodecParams:
        ctx = vstream.codec_context
        extradata = ctx.extradata
        with self._lock:
            self._connection += 1
            self._codec = ctx.name
            params = self._params = CodecParams(
                connection=self._connection, codec=ctx.name, width_px=int(ctx.width or 0),
                height_px=int(ctx.height or 0), extradata=bytes(extradata) if extradata else None,
                time_base=vstream.time_base or Fraction(1, 90000))
            sinks = list(self._sinks)
        for sink in sinks:
            sink.on_connect(params)
        return params

    def _on_packet(self, packet: Any, params: CodecParams) -> None:
        now = time.monotonic()
        data = bytes(packet)
        with self._lock:
            self._packet_bytes.append((now, len(data)))
            if len(self._packet_bytes) > 4096:
                self._trim(now)
            sinks = list(self._sinks)
        if not sinks:
            return
        enc = EncodedPacket(connection=params.connection, data=data, pts=packet.pts,
                            dts=packet.dts, time_base=packet.time_base or params.time_base,
                            keyframe=bool(packet.is_keyframe), received_utc=datetime.now(UTC),
                            received_mono_s=now)
        for sink in sinks:
            sink.on_packet(enc)

    def _count_corrupt(self, exc: Exception) -> None:
        with self._lock:
            self._packets_corrupt += 1
            self._last_error = redact_text(f"corrupt packet: {exc}")

    def _on_frame(self, frame: Any) -> None:
        image = frame.to_ndarray(format="bgr24")
        image.flags.writeable = False
        now = time.monotonic()
        with self._lock:
            self._seq += 1
            seq = self._seq
            self._last_frame_mono = now
            self._frame_times.append(now)
            self._size = (int(image.shape[1]), int(image.shape[0]))
            if self._state is StreamState.CONNECTING:
                self._set_state_locked(StreamState.LIVE)
        pts_s = float(frame.time) if frame.time is not None else None
        self.hub.publish(VideoFrame(
            stream_id=self.stream_id, seq=seq, image=image, pts_s=pts_s,
            received_utc=datetime.now(UTC), received_mono_s=now, keyframe=bool(frame.key_frame)))
