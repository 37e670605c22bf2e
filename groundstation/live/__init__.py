"""Live streams: vehicle telemetry records and the per-client WebSocket session."""

from groundstation.live._session import LiveSession
from groundstation.live._telemetry import telemetry_of

__all__ = ["LiveSession", "telemetry_of"]
