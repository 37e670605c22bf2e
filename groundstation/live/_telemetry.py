"""A vehicle's live state as a small JSON-ready record (NaN → null), for REST and WebSocket."""

from __future__ import annotations

import math
from typing import Any

from groundstation.mavlink import Vehicle

__all__ = ["telemetry_of"]


def _num(value: float | None, digits: int) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def telemetry_of(vehicle: Vehicle) -> dict[str, Any]:
    """The vehicle's position, motion, battery, mode and link state now."""
    s = vehicle.state
    return {
        "system_id": vehicle.system_id,
        "online": not vehicle.comm_lost,
        "armed": s.armed,
        "flying": vehicle.flying,
        "mode": s.mode,
        "autopilot": s.autopilot,
        "system_status": s.system_status,
        "lat_deg": _num(s.position.lat_deg, 7),
        "lon_deg": _num(s.position.lon_deg, 7),
        "alt_amsl_m": _num(s.position.alt_amsl_m, 2),
        "alt_rel_m": _num(s.position.alt_rel_m, 2),
        "heading_deg": _num(s.heading_deg, 1),
        "groundspeed_mps": _num(s.velocity.groundspeed_mps, 2),
        "climb_mps": _num(s.velocity.climb_mps, 2),
        "battery_pct": s.battery.remaining_pct,
        "battery_v": _num(s.battery.voltage_v, 2),
        "gps_fix": s.gps.fix_type,
        "satellites": s.gps.satellites,
        "mission_current": s.mission.current,
        "mission_total": s.mission.total,
        "link_loss_pct": _num(
            100.0 * s.link.lost / (s.link.received + s.link.lost)
            if (s.link.received + s.link.lost) else 0.0, 1
        ),
    }
