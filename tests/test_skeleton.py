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


def test_console_script_has_serve_demo_and_sim(capsys: pytest.CaptureFixture[str]) -> None:
    import tomllib

    from groundstation.cli import build_parser, main
    from tests.infra import REPO_ROOT

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["groundstation"] == "groundstation.cli:main"
    assert project["requires-python"] == ">=3.11"
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    assert {"serve", "demo", "sim"} <= set(capsys.readouterr().out.split("{", 1)[1].split("}", 1)[0].split(","))
    demo = build_parser().parse_args(["demo"])
    assert (demo.host, demo.port) == ("127.0.0.1", 8080)
