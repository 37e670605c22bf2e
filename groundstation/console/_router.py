"""Routes serving the console page, its modules, Leaflet from the system and the base map."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from groundstation.config import Settings

__all__ = ["client_config", "console_router", "safe_file"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEMO_BASEMAP = Path(__file__).resolve().parent / "demo_basemap.json"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".json": "application/json",
    ".map": "application/json",
}
_NO_STORE = {"Cache-Control": "no-cache"}


def safe_file(root: Path, relative: str) -> Path:
    """The file ``relative`` under ``root``, refusing anything that leaves it (404)."""
    if not relative or "\\" in relative or "\x00" in relative:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    base = root.resolve()
    path = (base / relative).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return path


def _file_response(path: Path) -> FileResponse:
    media = _TYPES.get(path.suffix.lower())
    if media is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    return FileResponse(path, media_type=media,
                        headers={**_NO_STORE, "X-Content-Type-Options": "nosniff"})


def _origin(url: str | None) -> str:
    if not url:
        return ""
    parts = urlsplit(url.replace("{", "").replace("}", ""))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _csp(settings: Settings) -> str:
    tiles = _origin(settings.console.tile_url)
    return "; ".join([
        "default-src 'self'",
        f"img-src 'self' data: blob: {tiles}".strip(),
        "connect-src 'self' ws: wss:",
        "style-src 'self' 'unsafe-inline'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ])


def _leaflet_available(settings: Settings) -> bool:
    root = settings.console.leaflet_dir
    return (root / "leaflet.js").is_file() and (root / "leaflet.css").is_file()


def client_config(settings: Settings) -> dict[str, Any]:
    """What the page needs to know at start: map library, tiles, view, timing, time zone."""
    c = settings.console
    return {
        "leaflet": _leaflet_available(settings),
        "tile_url": c.tile_url,
        "tile_attribution": c.tile_attribution,
        "center": [c.center_lat_deg, c.center_lon_deg],
        "zoom": c.zoom,
        "stale_after_s": c.stale_after_s,
        "ws_interval_s": c.ws_interval_s,
        "display_timezone": settings.display_timezone,
    }


def _basemap(settings: Settings) -> dict[str, Any]:
    path = settings.console.basemap_path or DEMO_BASEMAP
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"base map unreadable: {exc}") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "base map is not a GeoJSON FeatureCollection")
    return doc


def console_router(settings: Settings) -> APIRouter:
    """The console's routes (public: they carry no data; the API behind them checks roles)."""
    router = APIRouter(tags=["console"], include_in_schema=False)

    @router.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/console/")

    @router.get("/console")
    def console_bare() -> RedirectResponse:
        return RedirectResponse("/console/")

    @router.get("/console/")
    def index() -> Response:
        html = (STATIC_DIR / "index.html").read_bytes()
        return Response(html, media_type=_TYPES[".html"], headers={
            **_NO_STORE, "Content-Security-Policy": _csp(settings),
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"})

    @router.get("/console/config.json")
    def config() -> JSONResponse:
        return JSONResponse(client_config(settings), headers=_NO_STORE)

    @router.get("/console/basemap.geojson")
    def basemap() -> JSONResponse:
        return JSONResponse(_basemap(settings), media_type="application/geo+json")

    @router.get("/console/static/{relative:path}")
    def static(relative: str) -> FileResponse:
        return _file_response(safe_file(STATIC_DIR, relative))

    @router.get("/console/vendor/leaflet/{relative:path}")
    def leaflet(relative: str) -> FileResponse:
        return _file_response(safe_file(settings.console.leaflet_dir, relative))

    return router
