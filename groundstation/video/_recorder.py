"""Recording of one stream as evidence: the drone's own encoded packets (no re-encode) written
into fragmented MP4 segments that browsers play, each cut at a keyframe, with a sidecar index
(``index.jsonl``) giving every segment's start and end in UTC so video lines up with telemetry.

Fragmented MP4 keeps everything written up to the last fragment (one GOP, at most
``fragment_length_s``) if the station dies mid-segment; a dropped stream closes the segment and
the next connection opens a new one. Packets go through a bounded queue to a writer thread, so a
slow disk drops (and counts) packets instead of stalling ingest.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import av
import av.error

from groundstation.config import VideoSettings
from groundstation.video._exceptions import RecordingError
from groundstation.video._ingest import CodecParams, EncodedPacket

__all__ = ["INDEX_FILE", "SegmentInfo", "SegmentRecorder", "append_index", "read_index",
           "sweep_retention"]

_log = logging.getLogger(__name__)
INDEX_FILE = "index.jsonl"


@dataclass(slots=True)
class SegmentInfo:
    """One recorded segment as listed in the sidecar index."""

    file: str
    stream_id: str
    incident_id: str | None
    codec: str
    width_px: int
    height_px: int
    start_utc: str
    """ISO 8601 UTC of the segment's first packet; media time t in the file is start_utc + t."""
    end_utc: str | None = None
    packets: int = 0
    bytes: int = 0
    complete: bool = False
    """False while being written (or when the station stopped before closing it)."""
    dropped_packets: int = 0
    playback_file: str | None = None
    """An H.264 copy for browsers, when the drone's codec is one they lack (H.265)."""

    @property
    def start(self) -> datetime:
        """Start as an aware datetime."""
        return datetime.fromisoformat(self.start_utc)


def append_index(directory: Path, info: SegmentInfo) -> None:
    """Add the segment's latest entry to ``directory/index.jsonl`` (flushed to disk)."""
    with open(directory / INDEX_FILE, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(info)) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_index(directory: Path) -> list[SegmentInfo]:
    """The segments listed in ``directory/index.jsonl`` (latest entry per file), oldest first."""
    path = directory / INDEX_FILE
    if not path.is_file():
        return []
    entries: dict[str, SegmentInfo] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            data = json.loads(line)
            info = SegmentInfo(**data)
        except (ValueError, TypeError):
            _log.warning("recording index %s: unreadable line skipped", path)
            continue
        entries[info.file] = info
    return sorted(entries.values(), key=lambda s: s.start_utc)


def sweep_retention(root: Path, *, retention_days: float, now_utc: datetime | None = None
                    ) -> list[Path]:
    """Delete segment files under ``root`` older than the retention; returns what was deleted."""
    now_utc = now_utc or datetime.now(UTC)
    horizon = now_utc - timedelta(days=retention_days)
    deleted: list[Path] = []
    for index in root.rglob(INDEX_FILE):
        directory = index.parent
        kept: list[SegmentInfo] = []
        for seg in read_index(directory):
            end = datetime.fromisoformat(seg.end_utc) if seg.end_utc else seg.start
            if end < horizon:
                for name in filter(None, (seg.file, seg.playback_file)):
                    (directory / name).unlink(missing_ok=True)
                    deleted.append(directory / name)
            else:
                kept.append(seg)
        if deleted:
            tmp = index.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps(asdict(s)) + "\n" for s in kept), encoding="utf-8")
            os.replace(tmp, index)
    return deleted


@dataclass(slots=True)
class _Open:
    container: Any
    stream: Any
    info: SegmentInfo
    start_mono_s: float
    first_dts: int
    last_dts: int | None = None
    extra: dict[str, int] = field(default_factory=dict)


class SegmentRecorder:
    """A ``PacketSink`` that writes one stream's packets into segments under ``directory``."""

    def __init__(self, stream_id: str, directory: Path, settings: VideoSettings, *,
                 incident_id: str | None = None,
                 on_closed: Callable[[SegmentInfo], None] | None = None) -> None:
        self.stream_id = stream_id
        self.on_closed = on_closed
        """Called on the writer thread with each segment once it is closed and indexed."""
        self.directory = directory
        self.settings = settings
        self.incident_id = incident_id
        self.dropped_packets = 0
        self.last_error: str | None = None
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(settings.recorder_queue_packets)
        self._thread: threading.Thread | None = None
        self._params: CodecParams | None = None
        self._open: _Open | None = None
        self._segments_done = 0
        self._idle = threading.Condition()

    # -- PacketSink (ingest thread: never blocks) ---------------------------------------------

    def on_connect(self, params: CodecParams) -> None:
        """New codec parameters: the current segment ends, the next starts at a keyframe."""
        self._put(("connect", params), force=True)

    def on_packet(self, packet: EncodedPacket) -> None:
        """Queue one packet, or count it dropped when the writer is behind."""
        self._put(("packet", packet))

    def on_disconnect(self) -> None:
        """The stream dropped: close the segment so everything so far is kept."""
        self._put(("disconnect", None), force=True)

    def _put(self, item: tuple[str, Any], *, force: bool = False) -> None:
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            if force:  # control messages must get through: make room by dropping a packet
                try:
                    self._queue.get_nowait()
                    self.dropped_packets += 1
                except queue.Empty:
                    pass
                self._queue.put_nowait(item)
            else:
                self.dropped_packets += 1

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the writer thread."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name=f"video-rec-{self.stream_id}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> list[SegmentInfo]:
        """Write what is queued, close the segment, end the thread; returns this run's segments."""
        if self._thread is not None:
            self._queue.put(("stop", None))
            self._thread.join(self.settings.stop_timeout_s)
            self._thread = None
        return self.segments()

    def segments(self) -> list[SegmentInfo]:
        """Every segment in this recorder's directory (index order)."""
        return read_index(self.directory)

    def wait_segments(self, count: int, timeout_s: float) -> bool:
        """Block until ``count`` segments have been closed; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._segments_done >= count, timeout_s)

    # -- writer thread ----------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            kind, item = self._queue.get()
            try:
                if kind == "stop":
                    self._close_segment()
                    return
                if kind == "connect":
                    self._close_segment()
                    self._params = item
                elif kind == "disconnect":
                    self._close_segment()
                    self._params = None
                else:
                    self._write(item)
            except (RecordingError, av.error.FFmpegError, OSError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                _log.error("recording %s: %s", self.stream_id, self.last_error)
                self._abandon_segment()

    def _write(self, packet: EncodedPacket) -> None:
        params = self._params
        if params is None or packet.connection != params.connection:
            return  # packets of a connection the writer has not been told about
        seg = self._open
        if seg is not None and packet.keyframe and (
                packet.received_mono_s - seg.start_mono_s >= self.settings.segment_length_s):
            self._close_segment()
            seg = None
        if seg is None:
            if not packet.keyframe:
                return  # a segment starts at a keyframe so it plays on its own
            seg = self._open = self._open_segment(params, packet)
        dts = packet.dts if packet.dts is not None else packet.pts
        if dts is None:
            dts = round((packet.received_mono_s - seg.start_mono_s) / float(packet.time_base))
        pts = packet.pts if packet.pts is not None else dts
        rel_dts = dts - seg.first_dts
        if seg.last_dts is not None and rel_dts <= seg.last_dts:
            seg.info.dropped_packets += 1  # out of order or repeated: a muxer would refuse it
            return
        out = av.Packet(packet.data)
        out.dts = rel_dts
        out.pts = max(pts - seg.first_dts, rel_dts)
        out.time_base = packet.time_base
        out.is_keyframe = packet.keyframe
        out.stream = seg.stream
        seg.container.mux(out)
        seg.last_dts = rel_dts
        seg.info.packets += 1
        seg.info.bytes += len(packet.data)

    def _open_segment(self, params: CodecParams, packet: EncodedPacket) -> _Open:
        stamp = packet.received_utc.strftime("%Y%m%dT%H%M%S.%fZ")
        name = f"{self.stream_id}_{stamp}.mp4"
        frag_us = int(self.settings.fragment_length_s * 1_000_000)
        container = av.open(str(self.directory / name), mode="w", format="mp4", options={
            "movflags": "frag_keyframe+empty_moov+default_base_moof",
            "frag_duration": str(frag_us)})
        try:
            stream = container.add_stream(params.codec)
            stream.codec_context.width = params.width_px
            stream.codec_context.height = params.height_px
            if params.extradata:
                stream.codec_context.extradata = params.extradata
            if params.codec == "hevc":
                # parameter sets stay in-band: with "hvc1" the muxer strips them from the
                # samples and the file decodes with errors (found by the H.265 recording test)
                stream.codec_tag = "hev1"
            stream.time_base = params.time_base
        except Exception:
            container.close()
            raise
        dts = packet.dts if packet.dts is not None else packet.pts
        info = SegmentInfo(
            file=name, stream_id=self.stream_id, incident_id=self.incident_id,
            codec=params.codec, width_px=params.width_px, height_px=params.height_px,
            start_utc=packet.received_utc.isoformat())
        self._append_index(info)
        _log.info("recording %s: segment %s opened", self.stream_id, name)
        return _Open(container, stream, info, packet.received_mono_s, dts if dts is not None else 0)

    def _close_segment(self) -> None:
        seg, self._open = self._open, None
        if seg is None:
            return
        try:
            seg.container.close()
        finally:
            seg.info.end_utc = datetime.now(UTC).isoformat()
            seg.info.complete = True
            self._append_index(seg.info)
            with self._idle:
                self._segments_done += 1
                self._idle.notify_all()
            if self.on_closed is not None:
                try:
                    self.on_closed(seg.info)
                except Exception:  # noqa: BLE001 - a failing listener must not stop recording
                    _log.exception("recording %s: segment listener failed", self.stream_id)

    def _abandon_segment(self) -> None:
        seg, self._open = self._open, None
        if seg is not None:
            try:
                seg.container.close()
            except (av.error.FFmpegError, OSError):
                pass
            seg.info.end_utc = datetime.now(UTC).isoformat()
            self._append_index(seg.info)

    def _append_index(self, info: SegmentInfo) -> None:
        append_index(self.directory, info)
