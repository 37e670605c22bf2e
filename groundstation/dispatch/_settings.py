"""Every dispatch limit and time allowance as a named setting (the station nests it as ``dispatch``)."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator


class DispatchSettings(BaseModel):
    """Rings, clearances and time allowances of the dispatch ranking (seconds, metres)."""

    rings_s: tuple[float, ...] = Field(
        (60.0, 180.0, 300.0), description="time-to-scene rings (the 1, 3 and 5-minute targets)")
    clearance_m: float = Field(25.0, ge=0, description="detours pass zones at least this far off")
    node_offset_m: float = Field(
        2.0, gt=0, description="detour corners sit this far outside the clearance outline")
    max_detour_rounds: int = Field(
        8, ge=1, description="re-plans when a detour meets zones the straight line did not")
    max_flood_layers: int = Field(
        12, ge=1, description="layers of touching zones learnt around an obstacle per re-plan")
    check_piece_m: float = Field(
        1000.0, gt=0, description="paths are zone-checked in legs of at most this length")
    airborne_response_s: float = Field(
        5.0, ge=0, description="command to turning towards the scene, for a drone in the air")
    arm_takeoff_s: float = Field(8.0, ge=0, description="dock drone armed and off the pad")
    link_upload_s: float = Field(6.0, ge=0, description="drone link up and route uploaded after boot")
    ground_road_factor: float = Field(
        1.4, ge=1.0, description="road distance over straight distance for ground units")
    ground_speed_mps: float = Field(10.0, gt=0, description="patrol car average in town")

    @field_validator("rings_s")
    @classmethod
    def _rings_increase(cls, rings: tuple[float, ...]) -> tuple[float, ...]:
        if not rings or any(r <= 0 for r in rings) or list(rings) != sorted(set(rings)):
            raise ValueError("rings_s must be positive and strictly increasing")
        return rings
