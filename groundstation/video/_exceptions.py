"""Errors of the video part of the station.

    StationError
    └── VideoError                  anything about a drone video stream
        ├── StreamUriError          a stream URI or VIDEO_STREAM_INFORMATION the station cannot use
        ├── StreamOpenError         a stream could not be opened (unreachable, not video, timeout)
        ├── StreamNotFound          no stream with that id (or not attached to that incident)
        ├── NoFrameYet              a snapshot was asked before any frame was decoded
        └── RecordingError          a recording segment could not be written
"""

from __future__ import annotations

from groundstation._exceptions import StationError


class VideoError(StationError):
    """Base of every video error."""


class StreamUriError(VideoError):
    """A stream address the station cannot use."""


class StreamOpenError(VideoError):
    """A stream could not be opened."""

    def __init__(self, message: str, *, uri: str) -> None:
        super().__init__(message)
        self.uri = uri


class StreamNotFound(VideoError):
    """No such stream (or not visible through that incident)."""


class NoFrameYet(VideoError):
    """The stream has not decoded a frame yet."""


class RecordingError(VideoError):
    """A recording segment could not be written."""
