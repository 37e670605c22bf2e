"""One watched stream: a thread that takes the newest frames from the stream's FrameHub, runs the
vision pipeline and the alert stage on them, and hands alerts on. It never blocks the ingest or
other viewers: the hub keeps only the newest frame, so a slow pipeline skips frames (counted).
A frame the pipeline fails on is counted, logged and skipped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from groundstation.blackfly._settings import WatchSpec
from groundstation.video import FrameHub, VideoFrame
from vision import Frame
from vision.alerts import Alert, AlertStage, FramePipeline, Surroundings

__all__ = ["StreamWatcher", "WatcherStats"]

_log = logging.getLogger(__name__)
_POLL_S = 0.25


@dataclass(frozen=True, slots=True)
class WatcherStats:
    """How a watched stream is doing."""

    stream_id: str
    org_id: int
    running: bool
    frames: int
    skipped: int
    """Frames published while the pipeline was busy (never processed)."""
    failed: int
    alerts: int
    suppressed: int
    """Confirmed unauthorised tracks that were a target already alerted."""
    authorised: int


class StreamWatcher:
    """Runs the pipeline over one stream's frames in its own thread."""

    def __init__(
        self, spec: WatchSpec, hub: FrameHub, pipeline: FramePipeline, stage: AlertStage,
        surroundings: Callable[[WatchSpec, int, int], Surroundings],
        on_alert: Callable[[WatchSpec, Alert], None],
    ) -> None:
        self.spec = spec
        self._hub = hub
        self._pipeline = pipeline
        self._stage = stage
        self._surroundings = surroundings
        self._on_alert = on_alert
        self._stop = threading.Event()
        self._sub = hub.subscribe(from_latest=False)
        self._thread = threading.Thread(target=self._run, name=f"blackfly {spec.stream_id}",
                                        daemon=True)
        self._t0_s: float | None = None
        self.frames = 0
        self.failed = 0

    def start(self) -> None:
        """Start watching."""
        self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop and wait for the thread (a frame in progress is finished first)."""
        self._stop.set()
        self._sub.close()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)

    @property
    def hub(self) -> FrameHub:
        """The frame hub watched."""
        return self._hub

    @property
    def running(self) -> bool:
        """Whether the thread is still watching."""
        return self._thread.is_alive()

    def stats(self) -> WatcherStats:
        """Counters now."""
        return WatcherStats(self.spec.stream_id, self.spec.org_id, self.running, self.frames,
                            self._sub.dropped, self.failed, self._stage.raised,
                            self._stage.suppressed, self._stage.authorised)

    def _run(self) -> None:
        _log.info("black-flying watch on stream %s started", self.spec.stream_id)
        while not self._stop.is_set():
            frame = self._sub.get(_POLL_S)
            if frame is None:
                if self._hub.closed:
                    break
                continue
            self._process(frame)
        _log.info("black-flying watch on stream %s stopped (%d frames, %d alerts)",
                  self.spec.stream_id, self.frames, self._stage.raised)

    def _process(self, frame: VideoFrame) -> None:
        if self._t0_s is None:
            self._t0_s = frame.received_mono_s
        t_s = frame.received_mono_s - self._t0_s
        try:
            update = self._pipeline.process(Frame(self.frames, t_s, frame.image))
            alerts = self._stage.observe(
                frame.image, update,
                lambda: self._surroundings(self.spec, frame.width, frame.height))
        except Exception:  # noqa: BLE001 - one bad frame must not end the watch
            self.failed += 1
            _log.exception("stream %s: frame %d could not be processed", self.spec.stream_id,
                           frame.seq)
            return
        finally:
            self.frames += 1
        for alert in alerts:
            self._on_alert(self.spec, alert)
