"""Every dock timeout, retry and limit as a named setting (tests shrink them, the station nests them).

Durations ending in ``_s`` are dock-clock seconds (scaled by an accelerated clock) unless the
field says *real* seconds: network waits (a reply that never comes) stay in real time.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from docks._model import RainLevel
from docks._services import DockService


class ServiceTimeouts(BaseModel):
    """How long each dock service may take to complete, in dock seconds."""

    self_check_s: float = Field(30.0, gt=0)
    cover_s: float = Field(60.0, gt=0, description="cover travel is about 15 s")
    charge_s: float = Field(15.0, gt=0)
    drone_power_s: float = Field(60.0, gt=0)
    reboot_s: float = Field(300.0, gt=0)
    emergency_stop_s: float = Field(10.0, gt=0)
    takeoff_to_point_s: float = Field(900.0, gt=0)
    return_home_s: float = Field(900.0, gt=0)

    def for_service(self, service: DockService) -> float:
        """The completion timeout of ``service``."""
        return {
            DockService.SELF_CHECK: self.self_check_s,
            DockService.COVER_OPEN: self.cover_s,
            DockService.COVER_CLOSE: self.cover_s,
            DockService.CHARGE_OPEN: self.charge_s,
            DockService.CHARGE_CLOSE: self.charge_s,
            DockService.DRONE_OPEN: self.drone_power_s,
            DockService.DRONE_CLOSE: self.drone_power_s,
            DockService.DEVICE_REBOOT: self.reboot_s,
            DockService.EMERGENCY_STOP: self.emergency_stop_s,
            DockService.TAKEOFF_TO_POINT: self.takeoff_to_point_s,
            DockService.RETURN_HOME: self.return_home_s,
        }[service]


class MqttSettings(BaseModel):
    """The dock broker connection (station side and simulated dock agents)."""

    hostname: str | None = Field(None, description="broker host; None runs docks in-process")
    port: int = Field(1883, ge=1, le=65535)
    username: str | None = None
    password: str | None = Field(None, repr=False)
    topic_prefix: str = Field("", description="prepended to every topic, e.g. 'city1/'")
    client_id: str = "gcs-station"
    keepalive_s: int = Field(10, ge=1, description="real seconds; the broker fires the will after 1.5x")
    reply_timeout_s: float = Field(3.0, gt=0, description="real seconds to wait for services_reply")
    service_retries: int = Field(2, ge=0, description="re-sends of a service with the same tid")
    dedupe_window: int = Field(4096, ge=16, description="transaction ids remembered for duplicates")
    reconnect_min_s: float = Field(0.2, gt=0, description="real seconds, first reconnect backoff")
    reconnect_max_s: float = Field(30.0, gt=0, description="real seconds, backoff ceiling")
    osd_period_s: float = Field(2.0, gt=0, description="dock seconds between osd reports (0.5 Hz)")
    osd_silence_s: float = Field(10.0, gt=0, description="dock seconds of silence before offline")
    event_reply_timeout_s: float = Field(2.0, gt=0, description="real seconds, dock waits events_reply")
    event_retries: int = Field(2, ge=0, description="re-sends of an unanswered terminal event")


class LaunchSettings(BaseModel):
    """Limits and step timeouts of the one-click launch and its recovery (dock seconds)."""

    cruise_alt_m: float = Field(60.0, gt=0)
    on_scene_radius_m: float = Field(30.0, gt=0)
    orbit_radius_m: float = Field(60.0, gt=0)
    arrival_radius_m: float = Field(1.0, gt=0, description="over a landing point before descent")
    corner_radius_m: float = Field(
        8.0, gt=0, description="a corner of a path around no-fly zones counts as passed this "
        "close (keep it well inside the dispatch clearance)")
    airborne_alt_m: float = Field(2.0, gt=0)
    reserve_pct: float = Field(25.0, ge=0, le=100)
    ready_battery_pct: float = Field(90.0, gt=0, le=100)
    hold_s: float = Field(600.0, ge=0, description="planned time overhead for the battery check")
    expected_launch_s: float = Field(20.0, ge=0, description="click to airborne, for ETAs")
    max_rain: RainLevel = RainLevel.LIGHT
    link_up_s: float = Field(30.0, gt=0, description="drone heard after power on")
    upload_s: float = Field(30.0, gt=0)
    arm_s: float = Field(15.0, gt=0)
    airborne_s: float = Field(30.0, gt=0)
    transit_margin_s: float = Field(60.0, ge=0, description="added to distance/speed")
    land_s: float = Field(120.0, gt=0)
    presence_confirm_s: float = Field(30.0, gt=0, description="dock sees the drone inside")
    failsafe_return_s: float = Field(900.0, gt=0, description="wait for a link-lost drone")


class ScheduleSettings(BaseModel):
    """Patrol schedule defaults."""

    timezone: str = "Asia/Shanghai"
    catch_up_window_s: float = Field(900.0, ge=0, description="a missed slot younger runs late")


class DockSettings(BaseModel):
    """All dock settings; the station nests this as ``docks`` (``GCS_DOCKS__MQTT__PORT``...)."""

    mqtt: MqttSettings = Field(default_factory=MqttSettings)
    services: ServiceTimeouts = Field(default_factory=ServiceTimeouts)
    launch: LaunchSettings = Field(default_factory=LaunchSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
