"""The station's one settings object, read from ``GCS_*`` environment variables.

Nested groups use ``__`` in variable names, e.g. ``GCS_MAVLINK__LINK_LOST_TIMEOUT_S=5``.
Defaults run on one machine with SQLite and the simulator. Build settings inside the app
factory (never at import time) so tests can pass their own.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from docks import DockSettings


class MavlinkSettings(BaseModel):
    """MAVLink link, heartbeat and protocol timing (QGroundControl's defaults)."""

    endpoints: list[str] = Field(
        default_factory=lambda: ["udpin:127.0.0.1:14550"],
        description="Link endpoints: udpin:HOST:PORT, udpout:HOST:PORT, tcp:HOST:PORT, serial:DEVICE:BAUD",
    )
    gcs_system_id: int = Field(255, ge=1, le=255)
    gcs_component_id: int = Field(190, ge=0, le=255)
    heartbeat_interval_s: float = Field(1.0, gt=0)
    link_lost_timeout_s: float = Field(3.5, gt=0)
    link_check_interval_s: float = Field(1.0, gt=0)
    command_ack_timeout_s: float = Field(3.0, gt=0)
    command_retries: int = Field(3, ge=0)
    mission_ack_timeout_s: float = Field(1.5, gt=0)
    mission_retry_interval_s: float = Field(0.25, gt=0)
    mission_max_retries: int = Field(5, ge=0)
    param_timeout_s: float = Field(1.0, gt=0)
    param_retries: int = Field(3, ge=0)
    command_in_progress_timeout_s: float = Field(
        10.0, gt=0, description="Wait for the final COMMAND_ACK after MAV_RESULT_IN_PROGRESS"
    )
    param_list_batch: int = Field(
        20, ge=1, description="Missing parameter indices re-requested per round of a full fetch"
    )
    tcp_reconnect_interval_s: float = Field(1.0, gt=0)
    serial_reopen_interval_s: float = Field(1.0, gt=0)
    signing_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="Endpoint -> 32-byte key as 64 hex digits; those links require signed messages",
    )
    signing_accept_unsigned_ids: list[int] = Field(
        default_factory=list,
        description="Message ids accepted unsigned on signed links (e.g. 109 RADIO_STATUS)",
    )
    signing_setup_timeout_s: float = Field(3.0, gt=0)
    signing_setup_retries: int = Field(3, ge=0)
    initial_requests: bool = Field(
        True, description="Ask a new vehicle for AUTOPILOT_VERSION and HOME_POSITION"
    )
    home_position_interval_s: float = Field(
        1.0, gt=0, description="HOME_POSITION stream interval asked of vehicles that do not stream it"
    )
    status_text_history: int = Field(20, ge=1)
    status_text_chunk_timeout_s: float = Field(2.0, gt=0)
    guided_arrival_radius_m: float = Field(3.0, gt=0)
    guided_arrival_timeout_s: float = Field(120.0, gt=0)


class StorageSettings(BaseModel):
    """Where records are kept."""

    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is SQLite in data_dir"
    )
    sqlite_busy_timeout_s: float = Field(10.0, gt=0, description="SQLite wait for a write lock")
    pool_pre_ping: bool = True


class ServiceSettings(BaseModel):
    """The HTTP service: tokens, webhook, live streams, command safety limits, uploads."""

    jwt_secret: SecretStr | None = Field(
        None, description="Token signing secret; generated into data_dir on first start if unset"
    )
    token_ttl_s: float = Field(8 * 3600.0, gt=0, description="Lifetime of a login token")
    webhook_secret: SecretStr | None = Field(
        None, description="Shared HMAC-SHA256 secret of the call-taking webhook; unset refuses all"
    )
    webhook_max_skew_s: float = Field(
        300.0, gt=0, description="Largest age of a signed webhook timestamp accepted"
    )
    ws_min_interval_s: float = Field(0.2, gt=0, description="Fastest telemetry push per client")
    ws_default_interval_s: float = Field(1.0, gt=0, description="Telemetry push period per client")
    ws_queue_size: int = Field(256, ge=1, description="Alerts/incident events queued per client")
    command_min_battery_pct: float = Field(
        25.0, ge=0, le=100, description="Refuse arm/takeoff/goto/orbit below this charge"
    )
    command_response_timeout_s: float = Field(
        15.0, gt=0, description="Longest an API command waits; longer ones answer 202 and go on"
    )
    command_zone_margin_m: float = Field(20.0, ge=0, description="Clearance kept from no-fly zones")
    max_upload_bytes: int = Field(50 * 1024 * 1024, ge=1, description="Largest attachment")
    tlog_flush_interval_s: float = Field(1.0, gt=0, description="Flight log write-out period")
    audit_export_limit: int = Field(100_000, ge=1, description="Most audit rows in one export")


class ConsoleSettings(BaseModel):
    """The web console: where the offline map library is, and which base map to draw."""

    leaflet_dir: Path = Field(
        Path("/usr/share/javascript/leaflet"),
        description="Leaflet's files (Debian libjs-leaflet); missing: a plain canvas base is used",
    )
    tile_url: str | None = Field(
        None, max_length=500,
        description="Internal tile server, e.g. http://tiles.local/{z}/{x}/{y}.png; none: offline base",
    )
    tile_attribution: str = Field("", max_length=200, description="Shown under the tiles")
    basemap_path: Path | None = Field(
        None, description="GeoJSON of roads/rivers drawn on the offline base; default: demo area"
    )
    center_lat_deg: float = Field(26.42, ge=-90, le=90, description="Map centre at first load")
    center_lon_deg: float = Field(111.61, ge=-180, le=180)
    zoom: int = Field(14, ge=1, le=20, description="Map zoom at first load")
    stale_after_s: float = Field(5.0, gt=0, description="Console marks data older than this stale")
    ws_interval_s: float = Field(0.5, gt=0, description="Telemetry period the console asks for")


class SimCameraSettings(BaseModel):
    """The simulated drone camera: image size, rate, optics, encoder and demo ground map."""

    width_px: int = Field(1280, ge=64, le=3840)
    height_px: int = Field(720, ge=64, le=2160)
    fps: float = Field(30.0, gt=0, le=120)
    hfov_deg: float = Field(70.0, gt=1, lt=170, description="Horizontal field of view")
    codec: str = Field("h264", description="h264 (libx264) or h265 (libx265)")
    bitrate_kbps: int = Field(2500, ge=100)
    keyframe_interval_frames: int = Field(30, ge=1, description="GOP length: a joining viewer waits at most this long")
    encoder_preset: str = Field("ultrafast", description="x264/x265 preset")
    ground_centre_lat_deg: float = Field(26.42, ge=-90, le=90, description="Demo area centre (Yongzhou)")
    ground_centre_lon_deg: float = Field(111.61, ge=-180, le=180)
    ground_size_m: float = Field(2048.0, gt=0, description="Side of the square ground image")
    ground_resolution_m: float = Field(0.5, gt=0, description="Metres per ground-image pixel")
    ground_seed: int = Field(7, description="Seed of the procedural roads, river and blocks")
    encoder_start_timeout_s: float = Field(5.0, gt=0, description="Wait for ffmpeg to accept frames")
    encoder_stop_timeout_s: float = Field(3.0, gt=0, description="Wait for ffmpeg to exit on stop")


class VideoSettings(BaseModel):
    """Drone video: ingest timeouts and reconnect backoff, delivery, recording and retention."""

    open_timeout_s: float = Field(5.0, gt=0, description="Give up opening a stream after this")
    read_timeout_s: float = Field(2.0, gt=0, description="No packet for this long: the stream dropped")
    stall_after_s: float = Field(1.0, gt=0, description="Health says STALLED when the last frame is older")
    probe_size_bytes: int = Field(65536, ge=32, description="Bytes read to find the codec (latency)")
    analyze_duration_s: float = Field(0.5, ge=0, description="Stream time probed at open (latency)")
    decoder_threads: int = Field(1, ge=0, description="FFmpeg decode threads per stream (0: auto)")
    reconnect_initial_s: float = Field(0.5, gt=0, description="First wait before reopening a stream")
    reconnect_max_s: float = Field(10.0, gt=0, description="Longest wait between reopen attempts")
    reconnect_factor: float = Field(2.0, ge=1, description="Backoff growth per failed attempt")
    reconnect_jitter: float = Field(0.1, ge=0, le=1, description="Random fraction added to each wait")
    max_reconnects: int = Field(0, ge=0, description="Consecutive failed opens before FAILED (0: never)")
    health_window_s: float = Field(2.0, gt=0, description="Window over which fps and bitrate are measured")
    stop_timeout_s: float = Field(
        7.0, gt=0, description="Wait for an ingest or recorder thread to end (an FFmpeg open in progress may take 2 x open_timeout_s)")
    viewer_frame_timeout_s: float = Field(2.0, gt=0, description="A viewer waiting this long gets a status frame")
    mjpeg_quality: int = Field(75, ge=10, le=100)
    mjpeg_max_fps: float = Field(30.0, gt=0, description="Frames per second sent to one browser at most")
    snapshot_quality: int = Field(92, ge=10, le=100)
    recordings_dir: Path | None = Field(None, description="Default: data_dir/recordings")
    segment_length_s: float = Field(60.0, gt=0, description="Recording segment length (cut at a keyframe)")
    fragment_length_s: float = Field(1.0, gt=0, description="fMP4 fragment: at most this much is lost on a crash")
    retention_days: float = Field(90.0, gt=0, description="Recordings older than this are deleted")
    retention_check_interval_s: float = Field(3600.0, gt=0)
    recorder_queue_packets: int = Field(900, ge=10, description="Packets buffered for a slow disk before drops")
    browser_copy_codecs: list[str] = Field(
        default_factory=lambda: ["hevc"],
        description="Recorded codecs that also get an H.264 copy for browsers (Chromium and Firefox lack H.265)")
    browser_copy_timeout_s: float = Field(600.0, gt=0, description="Longest transcode of one segment")
    streams: dict[str, str] = Field(
        default_factory=dict,
        description="Configured streams: vehicle name -> URI (rtsp://, udp://, rtp://...); these win over what the vehicle announces")
    follow_announcements: bool = Field(
        True, description="Open the streams vehicles announce in MAVLink VIDEO_STREAM_INFORMATION")
    announced_bind_host: str = Field(
        "0.0.0.0", description="Address to listen on when a vehicle announces only a UDP port")
    simcam: SimCameraSettings = Field(default_factory=SimCameraSettings)


class Settings(BaseSettings):
    """All station settings."""

    model_config = SettingsConfigDict(
        env_prefix="GCS_", env_nested_delimiter="__", extra="ignore"
    )

    environment: str = Field("development", description="development or production")
    data_dir: Path = Field(Path("data"), description="SQLite database, recordings, flight logs")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    display_timezone: str = "Asia/Shanghai"
    mavlink: MavlinkSettings = Field(default_factory=MavlinkSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    service: ServiceSettings = Field(default_factory=ServiceSettings)
    console: ConsoleSettings = Field(default_factory=ConsoleSettings)
    docks: DockSettings = Field(
        default_factory=DockSettings,
        description="dock broker, service timeouts, launch limits, schedules (GCS_DOCKS__MQTT__HOSTNAME...)",
    )
    video: VideoSettings = Field(default_factory=VideoSettings)
