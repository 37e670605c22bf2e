"""Black-flying drones: the station side of ``vision``'s alert stage.

Every video stream named after a registered vehicle is watched, and others on request. Each
watched stream runs a detection pipeline in its own thread (frames from the stream's
FrameHub, so ingest and viewers never wait on it). A confirmed drone is located from the
camera's pose and checked against the fleet's own drones and the Remote ID / ADS-B flights the
fleet relays that hold a stored flight permit. An unauthorised one, once per target (repeats
and re-acquisitions are deduplicated), is stored as a detection with its snapshot and clip on
the open incident whose place it falls near, or on a new "black_flying_drone" incident; the
nearest ground unit is proposed on the timeline, the change is audited, and a
:class:`BlackFlyingAlert` goes out on the bus (consoles get it over the live WebSocket).

The station module (``groundstation.blackfly.station``) holds the extension and routes.
"""

from groundstation.blackfly._events import BlackFlyingAlert
from groundstation.blackfly._record import Evidence, Fallback, RecordedAlert, record_alert
from groundstation.blackfly._service import BlackflyService, NoPipeline, PipelineFactory
from groundstation.blackfly._settings import BlackflySettings, CameraMount, WatchSpec
from groundstation.blackfly._surroundings import SurroundingsReader, report_of
from groundstation.blackfly._watcher import StreamWatcher, WatcherStats

__all__ = [
    "BlackFlyingAlert",
    "BlackflyService",
    "BlackflySettings",
    "CameraMount",
    "Evidence",
    "Fallback",
    "NoPipeline",
    "PipelineFactory",
    "RecordedAlert",
    "StreamWatcher",
    "SurroundingsReader",
    "WatchSpec",
    "WatcherStats",
    "record_alert",
    "report_of",
]
