"""The black-flying stage of a running station: watched streams, cooperative traffic, and the
worker that turns alerts into stored evidence on incidents (see ``groundstation.blackfly``)."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
from sqlalchemy import select

from groundstation.blackfly._record import Evidence, Fallback, RecordedAlert, record_alert
from groundstation.blackfly._settings import BlackflySettings, WatchSpec
from groundstation.blackfly._surroundings import SurroundingsReader, report_of
from groundstation.blackfly._watcher import StreamWatcher, WatcherStats
from groundstation.mavlink import TrafficSeen
from groundstation.station import Station
from groundstation.db import VehicleRecord
from groundstation.video import FrameHub, StreamNotFound, VideoHub
from vision.alerts import Alert, AlertStage, FramePipeline
from vision.authorisation import CooperativeTraffic
from vision.evidence import EvidenceError

__all__ = ["BlackflyService", "NoPipeline", "PipelineFactory"]

_log = logging.getLogger(__name__)
VIDEO_SERVICE = "video"
"""Where the video extension keeps its hub (``groundstation.video.station.SERVICE_KEY``)."""

PipelineFactory = Callable[[WatchSpec], FramePipeline]
"""Makes a fresh detector for one stream (each stream needs its own tracker state)."""


class NoPipeline(RuntimeError):
    """The station was composed without a detection pipeline."""


class BlackflyService:
    """Watches streams for unauthorised drones and puts each alert on an incident."""

    def __init__(self, station: Station, loop: asyncio.AbstractEventLoop,
                 pipeline_factory: PipelineFactory | None,
                 settings: BlackflySettings | None = None) -> None:
        self.station = station
        self.settings = settings or BlackflySettings()
        self._loop = loop
        self._factory = pipeline_factory
        self.traffic = CooperativeTraffic()
        self.surroundings = SurroundingsReader(station, self.traffic, self.settings)
        self._lock = threading.Lock()
        self._changing = threading.RLock()
        """Held while a watch starts or stops (the counters' lock is not, for long)."""
        self._watchers: dict[str, StreamWatcher] = {}
        self._declined: set[str] = set()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="blackfly-evidence")
        self._pending = 0
        self.recorded: list[RecordedAlert] = []
        """Alerts stored, oldest first (bounded)."""
        self.dropped = 0
        """Alerts lost because too many were waiting, or because storing them failed."""

    # -- streams ----------------------------------------------------------------------------------

    def watch(self, spec: WatchSpec, hub: FrameHub) -> StreamWatcher:
        """Start watching a stream's frames (replacing a watch of the same stream)."""
        if self._factory is None:
            raise NoPipeline("no detection pipeline is configured for this station")
        with self._changing:  # the API and the stream scan may both start one
            self.unwatch(spec.stream_id)
            watcher = StreamWatcher(spec, hub, self._factory(spec),
                                    AlertStage(self.settings.alerts), self.surroundings.read,
                                    self._on_alert)
            with self._lock:
                self._watchers[spec.stream_id] = watcher
            watcher.start()
        return watcher

    def _video(self) -> VideoHub:
        video = self.station.services.get(VIDEO_SERVICE)
        if not isinstance(video, VideoHub):
            raise NoPipeline("video is not enabled on this station")
        return video

    def watch_stream(self, spec: WatchSpec) -> StreamWatcher:
        """Watch one of the video hub's streams (StreamNotFound when it has none of that id)."""
        hub = self._video().stream(spec.stream_id).hub
        with self._lock:
            self._declined.discard(spec.stream_id)
        return self.watch(spec, hub)

    def scan_streams(self) -> list[str]:
        """Watch the video hub's streams that should be and are not (a fleet drone's stream not
        declined by a user, or a watched stream whose ingest was replaced); returns their ids."""
        video = self.station.services.get(VIDEO_SERVICE)
        if not isinstance(video, VideoHub) or self._factory is None:
            return []
        started = []
        for stream_id in video.stream_ids():
            with self._lock:
                watcher = self._watchers.get(stream_id)
                declined = stream_id in self._declined
            try:
                hub = video.stream(stream_id).hub
            except StreamNotFound:
                continue  # removed meanwhile
            if declined or (watcher is not None and watcher.running and watcher.hub is hub):
                continue
            spec = watcher.spec if watcher is not None else self._fleet_spec(stream_id)
            if spec is not None:
                self.watch(spec, hub)
                started.append(stream_id)
        return started

    def _fleet_spec(self, stream_id: str) -> WatchSpec | None:
        if not self.settings.watch_fleet_streams:
            return None
        row = self.station.db.run_sync(lambda s: s.execute(
            select(VehicleRecord.org_id, VehicleRecord.system_id)
            .where(VehicleRecord.name == stream_id)).first())
        if row is None:
            return None
        return WatchSpec(stream_id=stream_id, org_id=row[0], camera_system_id=row[1],
                         mount=self.settings.fleet_mount)

    async def follow_streams(self) -> None:
        """Scan the video hub for streams to watch every ``stream_scan_s``."""
        while True:
            await asyncio.sleep(self.settings.stream_scan_s)
            started = await anyio.to_thread.run_sync(self.scan_streams)
            if started:
                _log.info("black-flying watch started on %s", ", ".join(started))

    def unwatch(self, stream_id: str, *, declined: bool = False) -> bool:
        """Stop watching a stream (``declined``: a person did, so the scan leaves it alone);
        False when it was not watched."""
        with self._changing:
            with self._lock:
                if declined:
                    self._declined.add(stream_id)
                watcher = self._watchers.pop(stream_id, None)
            if watcher is None:
                return False
            watcher.stop()
        return True

    def stats(self) -> list[WatcherStats]:
        """Every watch's counters."""
        with self._lock:
            watchers = list(self._watchers.values())
        return [w.stats() for w in watchers]

    def close(self) -> None:
        """Stop every watch and finish storing the alerts already raised."""
        with self._lock:
            ids = list(self._watchers)
        for stream_id in ids:
            self.unwatch(stream_id)
        self._executor.shutdown(wait=True)

    # -- cooperative traffic --------------------------------------------------------------------

    async def follow_traffic(self) -> None:
        """Keep the newest Remote ID / ADS-B report of each flight the fleet relays."""
        with self.station.bus.subscribe(TrafficSeen) as sub:
            async for event in sub:
                assert isinstance(event, TrafficSeen)
                try:
                    self.traffic.add(report_of(event))
                except ValueError as exc:
                    _log.warning("traffic report from %s ignored: %s", event.system_id, exc)

    # -- alerts -----------------------------------------------------------------------------------

    def _on_alert(self, spec: WatchSpec, alert: Alert) -> None:
        """Called on a watcher thread: queue the alert for encoding and storage."""
        with self._lock:
            if self._pending >= self.settings.max_pending_alerts:
                self.dropped += 1
                _log.error("stream %s: alert for track %d dropped, %d already waiting",
                           spec.stream_id, alert.track_id, self._pending)
                return
            self._pending += 1
        self._executor.submit(self._store, spec, alert)

    def _fallback(self, spec: WatchSpec) -> Fallback:
        """Where the camera was last known, and the incident its stream is on (the first
        choice for an alert of that stream, when it is near)."""
        m = spec.mount
        camera_at = None
        if m.lat_deg is not None and m.lon_deg is not None:
            camera_at = (m.lat_deg, m.lon_deg)
        elif spec.camera_system_id is not None:
            vehicle = self.station.fleet.vehicles.get(spec.camera_system_id)
            if vehicle is not None and vehicle.state.position.valid:
                camera_at = (vehicle.state.position.lat_deg, vehicle.state.position.lon_deg)
        video = self.station.services.get(VIDEO_SERVICE)
        incident = video.incident_of(spec.stream_id) if isinstance(video, VideoHub) else None
        return Fallback(camera_at, int(incident) if incident and incident.isdigit() else None)

    def _store(self, spec: WatchSpec, alert: Alert) -> None:
        try:
            snapshot = alert.snapshot_jpeg()
            try:
                evidence = Evidence(snapshot, alert.clip_mp4())
            except EvidenceError as exc:
                _log.error("stream %s: clip of track %d not encoded: %s", spec.stream_id,
                           alert.track_id, exc)
                evidence = Evidence(snapshot, None, str(exc))
            fallback = self._fallback(spec)
            recorded = self.station.db.run_sync(lambda s: record_alert(
                s, spec, alert, evidence, data_dir=self.station.settings.data_dir,
                settings=self.settings, fallback=fallback))
        except Exception:  # noqa: BLE001 - logged and counted; the watch goes on
            with self._lock:
                self.dropped += 1
            _log.exception("stream %s: alert for track %d could not be stored", spec.stream_id,
                           alert.track_id)
            return
        finally:
            with self._lock:
                self._pending -= 1
        self.recorded = [*self.recorded[-999:], recorded]
        _log.warning("unauthorised drone on stream %s: detection %d on incident %d%s",
                     spec.stream_id, recorded.detection_id, recorded.incident_id,
                     " (new)" if recorded.new_incident else "")
        for event in recorded.events:
            self._loop.call_soon_threadsafe(self.station.publish, event)
