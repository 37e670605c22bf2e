"""The console's routes: page, modules, Leaflet from the system, base map, client config."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from groundstation.app import create_app
from groundstation.config import Settings
from groundstation.console._router import STATIC_DIR

JS_DIR = STATIC_DIR / "js"


def client(tmp_path: Path, **console: object) -> httpx.AsyncClient:
    settings = Settings(data_dir=tmp_path, console=console)
    app = create_app(settings)  # console routes need no running station
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://station")


@pytest.fixture
def leaflet_dir(tmp_path: Path) -> Path:
    root = tmp_path / "leaflet"
    (root / "images").mkdir(parents=True)
    (root / "leaflet.js").write_text("window.L = {};")
    (root / "leaflet.css").write_text(".leaflet-container{}")
    (root / "images" / "layers.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return root


async def test_root_and_bare_path_lead_to_the_console(tmp_path: Path) -> None:
    async with client(tmp_path) as c:
        for path in ("/", "/console"):
            r = await c.get(path)
            assert r.status_code == 307 and r.headers["location"] == "/console/"


async def test_page_is_served_with_a_strict_content_policy(tmp_path: Path) -> None:
    async with client(tmp_path, tile_url="http://tiles.police.local:8081/{z}/{x}/{y}.png") as c:
        r = await c.get("/console/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/static/js/main.js">' in r.text
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "http://tiles.police.local:8081" in csp


async def test_modules_are_served_as_javascript(tmp_path: Path) -> None:
    async with client(tmp_path) as c:
        for module in sorted(JS_DIR.rglob("*.js")):
            rel = module.relative_to(STATIC_DIR).as_posix()
            r = await c.get(f"/console/static/{rel}")
            assert r.status_code == 200, rel
            assert r.headers["content-type"].startswith("text/javascript")
            assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", [
    "/console/static/%2e%2e/_router.py", "/console/static/..%2f_router.py",
    "/console/static/js/../../_router.py", "/console/static/", "/console/static/js",
    "/console/static/%00.js", "/console/static/missing.js", "/console/vendor/leaflet/..%2f..%2fetc/passwd",
])
async def test_nothing_outside_the_static_folders_is_served(tmp_path: Path, path: str) -> None:
    async with client(tmp_path) as c:
        r = await c.get(path)
    assert r.status_code == 404


async def test_leaflet_comes_from_the_configured_folder(tmp_path: Path, leaflet_dir: Path) -> None:
    async with client(tmp_path, leaflet_dir=str(leaflet_dir)) as c:
        config = (await c.get("/console/config.json")).json()
        js = await c.get("/console/vendor/leaflet/leaflet.js")
        png = await c.get("/console/vendor/leaflet/images/layers.png")
    assert config["leaflet"] is True
    assert js.status_code == 200 and js.text == "window.L = {};"
    assert png.headers["content-type"] == "image/png"


async def test_without_leaflet_the_page_is_told_to_draw_its_own_base(tmp_path: Path) -> None:
    async with client(tmp_path, leaflet_dir=str(tmp_path / "absent")) as c:
        config = (await c.get("/console/config.json")).json()
        r = await c.get("/console/vendor/leaflet/leaflet.js")
    assert config["leaflet"] is False and config["tile_url"] is None
    assert r.status_code == 404


async def test_client_config_carries_view_timing_and_time_zone(tmp_path: Path) -> None:
    async with client(tmp_path, center_lat_deg=26.2, center_lon_deg=111.5, zoom=12,
                      stale_after_s=7, ws_interval_s=0.5) as c:
        config = (await c.get("/console/config.json")).json()
    assert config["center"] == [26.2, 111.5] and config["zoom"] == 12
    assert config["stale_after_s"] == 7 and config["ws_interval_s"] == 0.5
    assert config["display_timezone"] == "Asia/Shanghai"


async def test_base_map_defaults_to_the_demo_area(tmp_path: Path) -> None:
    async with client(tmp_path) as c:
        doc = (await c.get("/console/basemap.geojson")).json()
    kinds = {f["properties"]["kind"] for f in doc["features"]}
    assert {"river", "major_road"} <= kinds


@pytest.mark.parametrize("content", [b"\x00\xff garbage", b'{"type": "Feature"}', b"[1, 2]"])
async def test_a_broken_base_map_file_is_refused_clearly(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "base.geojson"
    path.write_bytes(content)
    async with client(tmp_path, basemap_path=str(path)) as c:
        r = await c.get("/console/basemap.geojson")
        page = await c.get("/console/")
    assert r.status_code == 404 and "base map" in r.json()["detail"]
    assert page.status_code == 200


def _dictionaries() -> dict[str, set[str]]:
    source = (JS_DIR / "i18n.js").read_text(encoding="utf-8")
    out = {}
    for name in ("ZH", "EN"):
        body = re.search(rf"const {name} = \{{(.*?)\n\}};", source, re.DOTALL)
        assert body, name
        out[name] = set(re.findall(r'"([a-z_]+(?:\.[a-z_0-9]+)+)":', body.group(1)))
    return out


def test_both_languages_have_every_string() -> None:
    d = _dictionaries()
    assert d["ZH"] == d["EN"], d["ZH"] ^ d["EN"]
    used = set()
    for module in JS_DIR.rglob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"', module.read_text(encoding="utf-8")))
    used |= set(re.findall(r'data-i18n="([a-z_.]+)"', (STATIC_DIR / "index.html").read_text(encoding="utf-8")))
    assert used - d["ZH"] == set()


def test_dynamic_string_families_are_complete() -> None:
    keys = _dictionaries()["ZH"]
    families = {
        "incident.status": ["open", "dispatched", "on_scene", "closed"],
        "role": ["admin", "pilot", "commander", "automation", "viewer"],
        "conn": ["connecting", "live", "reconnecting", "unauthorised"],
        "dock.state": ["offline", "idle_charging", "idle_ready", "idle_empty", "preparing", "launching",
                       "drone_out", "awaiting_return", "landing", "closing", "fault", "maintenance"],
        "cmd": ["arm", "disarm", "takeoff", "goto", "orbit", "hold", "rtl", "land"],
        "unit": ["patrol_car", "police_platform", "officer"],
        "zone": ["no_fly", "operating_area", "altitude_limit"],
    }
    missing = [f"{f}.{k}" for f, ks in families.items() for k in ks if f"{f}.{k}" not in keys]
    assert missing == []


def test_dock_states_match_the_dock_library() -> None:
    from docks import DockState

    keys = _dictionaries()["EN"]
    assert {f"dock.state.{s.value}" for s in DockState} <= keys


def test_commands_offered_match_the_station() -> None:
    from groundstation.control import COMMANDS

    panel = (JS_DIR / "panels" / "drone.js").read_text(encoding="utf-8")
    offered = set(re.findall(r'button\("([a-z_]+)"', panel))
    assert offered <= set(COMMANDS), offered - set(COMMANDS)


def test_package_data_ships_the_static_files() -> None:
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["groundstation.console"]
    shipped = {p for pattern in patterns for p in (STATIC_DIR.parent).glob(pattern)}
    on_disk = {p for p in STATIC_DIR.rglob("*") if p.is_file()}
    assert on_disk <= shipped, on_disk - shipped
    assert json.loads((STATIC_DIR.parent / "demo_basemap.json").read_text())["features"]
