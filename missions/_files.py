"""Plan and route files chosen by extension, like QGroundControl's importer registry."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from missions._exceptions import PlanFormatError
from missions._filemodel import PlanDocument, RouteFile
from missions._plan_file import read_plan
from missions._route_files import read_geojson_route, read_kml_route
from missions._wpl import read_wpl

MAX_FILE_BYTES = 20_000_000
"""Largest plan or route file read."""

Reader = Callable[..., PlanDocument | RouteFile]


def _read_kmz(data: bytes, *, source: str, **options: float | None) -> RouteFile:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".kml")]
            if not names:
                raise PlanFormatError(source, "KMZ archive holds no .kml document")
            info = archive.getinfo(names[0])
            if info.file_size > MAX_FILE_BYTES:
                raise PlanFormatError(source, f"{names[0]} unpacks to {info.file_size} bytes")
            kml = archive.read(names[0])
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise PlanFormatError(source, f"not a KMZ (zip) archive: {exc}") from exc
    return read_kml_route(kml, source=f"{source}/{names[0]}", **options)


READERS: dict[str, Reader] = {
    ".plan": lambda data, source, **_: read_plan(data, source=source),
    ".waypoints": lambda data, source, **_: read_wpl(data, source=source),
    ".mission": lambda data, source, **_: read_wpl(data, source=source),
    ".txt": lambda data, source, **_: read_wpl(data, source=source),
    ".geojson": lambda data, source, **o: read_geojson_route(data, source=source, **o),
    ".json": lambda data, source, **o: read_geojson_route(data, source=source, **o),
    ".kml": lambda data, source, **o: read_kml_route(data, source=source, **o),
    ".kmz": _read_kmz,
}
"""File extension → reader. Plan formats give a :class:`PlanDocument`, GIS formats a
:class:`RouteFile` of waypoints."""


def read_file(path: str | Path, *, default_alt_m: float | None = None,
              home_amsl_m: float | None = None) -> PlanDocument | RouteFile:
    """Read a plan or route file, choosing the reader by extension."""
    p = Path(path)
    reader = READERS.get(p.suffix.lower())
    if reader is None:
        raise PlanFormatError(p.name, f"unknown file type {p.suffix!r} (known: "
                              f"{', '.join(sorted(READERS))})")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise PlanFormatError(p.name, f"{size} bytes is more than a plan file holds")
    return reader(p.read_bytes(), source=p.name, default_alt_m=default_alt_m,
                  home_amsl_m=home_amsl_m)
