"""The station's video registry: one ingest per drone stream, recordings while a stream is
attached to an incident, snapshots, and evidence handed to the incident service.
"""

from __future__ import annotations

import concurrent.futures
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2

from groundstation.config import VideoSettings
from groundstation.video._browsercopy import make_browser_copy
from groundstation.video._exceptions import NoFrameYet, RecordingError, StreamNotFound
from groundstation.video._ingest import VideoStream
from groundstation.video._mjpeg import JpegCache, encode_jpeg
from groundstation.video._recorder import SegmentInfo, SegmentRecorder, read_index, sweep_retention
from groundstation.video._source import StreamSource
from groundstation.video._types import StreamHealth

__all__ = ["Evidence", "VideoHub"]

_log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A file the incident should list: a closed recording segment or a snapshot."""

    incident_id: str
    stream_id: str
    kind: str
    """"recording" or "snapshot"."""
    path: Path
    media_type: str
    start_utc: datetime
    end_utc: datetime


def _check_id(kind: str, value: str) -> str:
    if not _SAFE_ID.match(value):
        raise StreamNotFound(f"{kind} {value!r} is not a valid id (letters, digits, _ . -)")
    return value


class VideoHub:
    """Every drone stream of the station, by stream id (usually the vehicle's)."""

    def __init__(self, settings: VideoSettings, *, recordings_dir: Path,
                 on_evidence: Callable[[Evidence], None] | None = None) -> None:
        self.settings = settings
        self.recordings_dir = recordings_dir
        self.on_evidence = on_evidence
        """Called from a worker thread for each closed segment and stored snapshot."""
        self._lock = threading.Lock()
        self._streams: dict[str, VideoStream] = {}
        self._jpeg: dict[str, JpegCache] = {}
        self._incident_of: dict[str, str] = {}
        self._recorders: dict[str, SegmentRecorder] = {}
        self._copier = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="video-browser-copy")
        self._copies: list[concurrent.futures.Future[SegmentInfo]] = []

    # -- streams ---------------------------------------------------------------------------------

    def add_stream(self, stream_id: str, source: StreamSource | str) -> VideoStream:
        """Start ingesting ``source`` as ``stream_id`` (replacing a stream of that id)."""
        _check_id("stream", stream_id)
        if isinstance(source, str):
            source = StreamSource(source)
        self.remove_stream(stream_id)
        stream = VideoStream(stream_id, source, self.settings)
        with self._lock:
            self._streams[stream_id] = stream
            self._jpeg[stream_id] = JpegCache(self.settings.mjpeg_quality)
        stream.start()
        return stream

    def add_announced_stream(self, stream_id: str, *, stream_type: int, uri: str,
                             encoding: int = 0, bind_host: str = "0.0.0.0") -> VideoStream:
        """Start ingesting what a vehicle announced in VIDEO_STREAM_INFORMATION."""
        return self.add_stream(stream_id, StreamSource.from_video_stream_information(
            stream_type=stream_type, uri=uri, encoding=encoding, bind_host=bind_host))

    def remove_stream(self, stream_id: str) -> None:
        """Stop a stream (and its recording, keeping what was written); no-op if unknown."""
        incident = self._incident_of.get(stream_id)
        if incident is not None:
            self.detach_from_incident(stream_id)
        with self._lock:
            stream = self._streams.pop(stream_id, None)
            self._jpeg.pop(stream_id, None)
        if stream is not None:
            stream.stop()

    def stream(self, stream_id: str) -> VideoStream:
        """The stream of that id; raises StreamNotFound."""
        with self._lock:
            stream = self._streams.get(stream_id)
        if stream is None:
            raise StreamNotFound(f"no video stream {stream_id!r}")
        return stream

    def jpeg_cache(self, stream_id: str) -> JpegCache:
        """The stream's shared JPEG encoder (one encode per frame for all MJPEG viewers)."""
        self.stream(stream_id)
        return self._jpeg[stream_id]

    def stream_ids(self) -> list[str]:
        """Ids of every stream."""
        with self._lock:
            return sorted(self._streams)

    def health(self, stream_id: str) -> StreamHealth:
        """The stream's health now."""
        return self.stream(stream_id).health()

    def close(self) -> None:
        """Stop every recording and stream, then finish the browser copies under way."""
        for stream_id in self.stream_ids():
            self.remove_stream(stream_id)
        self._copier.shutdown(wait=True)

    def wait_browser_copies(self, timeout_s: float) -> bool:
        """Block until every browser copy asked for so far is done; False on timeout."""
        _, pending = concurrent.futures.wait(list(self._copies), timeout=timeout_s)
        return not pending

    # -- incidents and recording -------------------------------------------------------------------

    def attach_to_incident(self, stream_id: str, incident_id: str) -> SegmentRecorder:
        """Show the stream under the incident and record it until detached."""
        _check_id("incident", incident_id)
        stream = self.stream(stream_id)
        if self._incident_of.get(stream_id) == incident_id:
            return self._recorders[stream_id]
        if stream_id in self._incident_of:
            self.detach_from_incident(stream_id)
        recorder = SegmentRecorder(
            stream_id, self.recording_dir(incident_id, stream_id), self.settings,
            incident_id=incident_id,
            on_closed=lambda info: self._segment_closed(incident_id, stream_id, info))
        recorder.start()
        with self._lock:
            self._incident_of[stream_id] = incident_id
            self._recorders[stream_id] = recorder
        stream.add_sink(recorder)
        _log.info("video stream %s attached to incident %s (recording)", stream_id, incident_id)
        return recorder

    def detach_from_incident(self, stream_id: str) -> list[SegmentInfo]:
        """Stop recording the stream for its incident; returns the incident's segments of it."""
        with self._lock:
            self._incident_of.pop(stream_id, None)
            recorder = self._recorders.pop(stream_id, None)
            stream = self._streams.get(stream_id)
        if recorder is None:
            return []
        if stream is not None:
            stream.remove_sink(recorder)
        recorder.on_disconnect()
        return recorder.stop()

    def incident_of(self, stream_id: str) -> str | None:
        """The incident a stream is attached to, if any."""
        return self._incident_of.get(stream_id)

    def incident_streams(self, incident_id: str) -> list[str]:
        """Streams attached to an incident now."""
        with self._lock:
            return sorted(s for s, i in self._incident_of.items() if i == incident_id)

    def stream_for_incident(self, incident_id: str, stream_id: str) -> VideoStream:
        """The stream if it is attached to that incident; raises StreamNotFound otherwise."""
        if self._incident_of.get(stream_id) != incident_id:
            raise StreamNotFound(f"video stream {stream_id!r} is not on incident {incident_id!r}")
        return self.stream(stream_id)

    def recording_dir(self, incident_id: str, stream_id: str) -> Path:
        """Where an incident's recording of a stream is written."""
        return self.recordings_dir / _check_id("incident", incident_id) / _check_id(
            "stream", stream_id)

    def recordings(self, incident_id: str) -> list[SegmentInfo]:
        """Every recorded segment of an incident, all streams, oldest first."""
        root = self.recordings_dir / _check_id("incident", incident_id)
        if not root.is_dir():
            return []
        segments = [s for d in sorted(root.iterdir()) if d.is_dir() for s in read_index(d)]
        return sorted(segments, key=lambda s: s.start_utc)

    def recording_file(self, incident_id: str, stream_id: str, file: str) -> Path:
        """The path of a segment listed in the incident's index; raises StreamNotFound."""
        directory = self.recording_dir(incident_id, stream_id)
        for seg in read_index(directory):
            if file in (seg.file, seg.playback_file):
                path = directory / file
                if path.is_file():
                    return path
        raise StreamNotFound(f"no recording {file!r} of stream {stream_id!r} on {incident_id!r}")

    def sweep_retention(self, now_utc: datetime | None = None) -> list[Path]:
        """Delete recordings older than the retention setting; returns the deleted files."""
        if not self.recordings_dir.is_dir():
            return []
        return sweep_retention(self.recordings_dir, retention_days=self.settings.retention_days,
                               now_utc=now_utc)

    # -- snapshots ----------------------------------------------------------------------------------

    def snapshot_jpeg(self, stream_id: str) -> bytes:
        """The newest frame as JPEG (not stored); raises NoFrameYet."""
        frame = self.stream(stream_id).hub.latest
        if frame is None:
            raise NoFrameYet(f"video stream {stream_id!r} has no frame yet")
        return encode_jpeg(frame.image, self.settings.snapshot_quality)

    def store_snapshot(self, incident_id: str, stream_id: str) -> Evidence:
        """Save the newest frame as a JPEG under the incident and report it as evidence."""
        stream = self.stream_for_incident(incident_id, stream_id)
        frame = stream.hub.latest
        if frame is None:
            raise NoFrameYet(f"video stream {stream_id!r} has no frame yet")
        directory = self.recording_dir(incident_id, stream_id) / "snapshots"
        directory.mkdir(parents=True, exist_ok=True)
        taken = frame.received_utc
        path = directory / f"{stream_id}_{taken.strftime('%Y%m%dT%H%M%S.%fZ')}.jpg"
        tmp = path.with_suffix(".tmp")
        ok, buf = cv2.imencode(".jpg", frame.image,
                               [cv2.IMWRITE_JPEG_QUALITY, self.settings.snapshot_quality])
        if not ok:
            raise RecordingError(f"could not encode a snapshot of {stream_id!r}")
        tmp.write_bytes(buf.tobytes())
        tmp.replace(path)
        evidence = Evidence(incident_id, stream_id, "snapshot", path, "image/jpeg", taken, taken)
        self._report(evidence)
        return evidence

    def snapshot_file(self, incident_id: str, stream_id: str, file: str) -> Path:
        """A stored snapshot's path; raises StreamNotFound."""
        directory = self.recording_dir(incident_id, stream_id) / "snapshots"
        path = directory / file
        if "/" in file or "\\" in file or not file.endswith(".jpg") or not path.is_file():
            raise StreamNotFound(f"no snapshot {file!r} of stream {stream_id!r}")
        return path

    def _segment_closed(self, incident_id: str, stream_id: str, info: SegmentInfo) -> None:
        end = datetime.fromisoformat(info.end_utc) if info.end_utc else datetime.now(UTC)
        directory = self.recording_dir(incident_id, stream_id)
        self._report(Evidence(incident_id, stream_id, "recording", directory / info.file,
                              "video/mp4", info.start, end))
        if info.codec in self.settings.browser_copy_codecs:
            try:
                future = self._copier.submit(self._browser_copy, directory, info)
            except RuntimeError:  # shutting down: the original is kept, without a copy
                _log.warning("recording %s: no browser copy, the hub is closing", info.file)
                return
            self._copies = [f for f in self._copies if not f.done()] + [future]

    def _browser_copy(self, directory: Path, info: SegmentInfo) -> SegmentInfo:
        try:
            return make_browser_copy(directory, info,
                                     timeout_s=self.settings.browser_copy_timeout_s)
        except RecordingError:
            _log.exception("recording %s: the original is kept, browsers cannot play it",
                           info.file)
            return info

    def _report(self, evidence: Evidence) -> None:
        if self.on_evidence is not None:
            try:
                self.on_evidence(evidence)
            except Exception:  # noqa: BLE001 - a failing listener must not lose the file
                _log.exception("video evidence listener failed for %s", evidence.path)
