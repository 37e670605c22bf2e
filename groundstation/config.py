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
