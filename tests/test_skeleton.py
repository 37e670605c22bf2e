"""The installable skeleton: settings, error tree, shared mission item."""

from __future__ import annotations

import pytest

import geofence
import groundstation
from geofence import MavCmd, MissionItem, MissionType
from groundstation import Settings


def test_settings_read_nested_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCS_PORT", "9090")
    monkeypatch.setenv("GCS_MAVLINK__LINK_LOST_TIMEOUT_S", "5")
    settings = Settings()
    assert settings.port == 9090
    assert settings.mavlink.link_lost_timeout_s == 5.0
    assert settings.mavlink.heartbeat_interval_s == 1.0


def test_settings_refuse_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GCS_PORT", "70000")
    with pytest.raises(ValueError):
        Settings()


def test_mission_item_degrees_from_int() -> None:
    item = MissionItem(command=MavCmd.NAV_WAYPOINT, x=262_500_000, y=1_116_000_000, z=50)
    assert item.lat_deg == pytest.approx(26.25)
    assert item.lon_deg == pytest.approx(111.6)
    assert item.mission_type is MissionType.MISSION


@pytest.mark.parametrize("package", [groundstation, geofence])
def test_public_names_are_exported(package: object) -> None:
    exported = set(package.__all__)  # type: ignore[attr-defined]
    public = {n for n in dir(package) if not n.startswith("_")}
    assert exported <= public
