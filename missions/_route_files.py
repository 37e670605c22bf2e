"""GeoJSON and KML routes: waypoint lists exchanged with GIS tools and map apps.

A route file holds waypoints, not mission items: a ``LineString`` (each vertex a waypoint)
or ``Point`` features/placemarks in order. Altitudes must be stated: GeoJSON positions carry
[longitude, latitude, altitude] (RFC 7946), KML needs an ``altitudeMode`` (its default,
``clampToGround``, drops altitudes). Altitudes are above home unless the file says AMSL
(GeoJSON property ``altitude_ref: "amsl"``, KML ``absolute``), which needs the home altitude;
KML ``relativeToGround`` is taken as above home (route files carry no ground elevations).
Per-waypoint ``speed_mps`` and ``hold_s`` ride in properties / ExtendedData. Writers add a
display-only path line marked ``role: path`` that readers skip (noted). Areas (GeoJSON
``Polygon``/``MultiPolygon``, KML ``Polygon``, also inside ``MultiGeometry``) are read as
:class:`RouteArea` outlines with their holes, checked like zone outlines (three or more
distinct vertices, in range, not self-intersecting), to build a sweep or a perimeter from.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from geofence import Zone, ZoneError, ZoneKind
from missions._exceptions import MissingFrameError, PlanFormatError
from missions._filemodel import RouteArea, RouteFile, Unsupported, check_lat_lon, number
from missions._routes import Waypoint

KML_NS = "http://www.opengis.net/kml/2.2"
_K = f"{{{KML_NS}}}"
_PATH_ROLE = "path"


class _Collector:
    """Turns positions with their altitude reference into waypoints."""

    def __init__(self, default_alt_m: float | None, home_amsl_m: float | None) -> None:
        self.default_alt_m = default_alt_m
        self.home_amsl_m = home_amsl_m
        self.waypoints: list[Waypoint] = []
        self.unsupported: list[Unsupported] = []
        self.notes: list[str] = []
        self.areas: list[RouteArea] = []

    def add_area(self, where: str, name: str, rings: Sequence[Sequence[tuple[float, float]]]) -> None:
        """An area from (lat, lon) rings (outline first), checked as a zone outline would be."""
        for r, ring in enumerate(rings):
            for k, (lat, lon) in enumerate(ring):
                check_lat_lon(lat, lon, f"{where} ring {r} vertex {k}")
        try:
            zone = Zone.polygon("area", name or where, ZoneKind.OPERATING_AREA, rings[0], rings[1:])
        except ZoneError as exc:
            raise PlanFormatError(where, f"area is not a usable polygon: {exc.problem}") from None
        shape = zone.shape
        self.areas.append(RouteArea(name, where, shape.exterior, shape.holes))  # type: ignore[union-attr]

    def add(self, where: str, lat: float, lon: float, alt: float | None, amsl: bool,
            speed: float | None, hold: float) -> None:
        check_lat_lon(lat, lon, where)
        if alt is None:
            if self.default_alt_m is None:
                raise MissingFrameError(where, "no altitude, and no default altitude was given")
            alt, amsl = self.default_alt_m, False
        if amsl:
            if self.home_amsl_m is None:
                raise MissingFrameError(where, "altitude is above sea level but the home altitude "
                                        "was not given")
            alt -= self.home_amsl_m
        if speed is not None and not speed > 0:
            raise PlanFormatError(where, f"speed_mps {speed} must be positive")
        if not hold >= 0:
            raise PlanFormatError(where, f"hold_s {hold} must be >= 0")
        self.waypoints.append(Waypoint(lat, lon, alt, speed, hold))

    def result(self, name: str) -> RouteFile:
        return RouteFile(name, tuple(self.waypoints), tuple(self.unsupported), tuple(self.notes),
                         tuple(self.areas))


# -- GeoJSON -----------------------------------------------------------------------------------

def read_geojson_route(data: str | bytes, *, default_alt_m: float | None = None,
                       home_amsl_m: float | None = None, source: str = "route") -> RouteFile:
    """Waypoints of a GeoJSON route (Feature, FeatureCollection or bare geometry)."""
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise PlanFormatError(source, f"not readable JSON text ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise PlanFormatError(f"{source} line {exc.lineno} column {exc.colno}",
                              f"not JSON ({exc.msg})") from exc
    if not isinstance(doc, dict):
        raise PlanFormatError(source, "GeoJSON is a JSON object")
    kind = doc.get("type")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise PlanFormatError(f"{source} features", "missing or not a list")
    elif kind == "Feature":
        features = [doc]
    elif isinstance(kind, str) and "coordinates" in doc:
        features = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        raise PlanFormatError(f"{source} type", f"{kind!r} is not a GeoJSON object type")
    out = _Collector(default_alt_m, home_amsl_m)
    name = str(doc.get("name") or (doc.get("properties") or {}).get("name") or source)
    for i, feature in enumerate(features):
        _geojson_feature(out, feature, f"{source} feature {i}")
    return out.result(name)


def _geojson_feature(out: _Collector, feature: Any, where: str) -> None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise PlanFormatError(where, "not a GeoJSON Feature")
    props = feature.get("properties") or {}
    geometry = feature.get("geometry")
    if not isinstance(props, dict):
        raise PlanFormatError(where, "properties is not an object")
    if props.get("role") == _PATH_ROLE:
        out.notes.append(f"{where}: display path skipped (the waypoints are the Point features)")
        return
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise PlanFormatError(where, "no geometry")
    ref = props.get("altitude_ref", "home")
    if ref not in ("home", "amsl"):
        raise MissingFrameError(where, f"altitude_ref {ref!r} is not 'home' or 'amsl'")
    kind = geometry["type"]
    coords = geometry.get("coordinates")
    if kind == "Point":
        positions = [coords]
    elif kind in ("LineString", "MultiPoint"):
        if not isinstance(coords, list) or not coords:
            raise PlanFormatError(where, f"{kind} has no coordinates")
        positions = coords
    elif kind in ("Polygon", "MultiPolygon"):
        parts = [coords] if kind == "Polygon" else coords
        if not isinstance(parts, list) or not parts:
            raise PlanFormatError(where, f"{kind} has no coordinates")
        name = str(props.get("name") or "")
        for p, rings in enumerate(parts):
            spot = where if kind == "Polygon" else f"{where} polygon {p}"
            out.add_area(spot, name, _geojson_rings(rings, spot))
        return
    else:
        out.unsupported.append(Unsupported(where, f"{kind} geometry",
                                           "neither waypoints nor an area"))
        return
    speeds = _per_vertex(props.get("speed_mps"), len(positions), where, "speed_mps")
    holds = _per_vertex(props.get("hold_s", 0.0), len(positions), where, "hold_s")
    alt_prop = props.get("alt_m")
    for k, pos in enumerate(positions):
        spot = f"{where} position {k}"
        if not isinstance(pos, list) or len(pos) not in (2, 3):
            raise PlanFormatError(spot, f"{pos!r} is not [longitude, latitude(, altitude)]")
        lon, lat = number(pos[0], spot, "longitude"), number(pos[1], spot, "latitude")
        alt = number(pos[2], spot, "altitude") if len(pos) == 3 else (
            number(alt_prop, spot, "alt_m") if alt_prop is not None else None)
        out.add(spot, lat, lon, alt, ref == "amsl", speeds[k], holds[k] or 0.0)


def _geojson_rings(rings: Any, where: str) -> list[list[tuple[float, float]]]:
    """A GeoJSON polygon's [longitude, latitude] rings as (lat, lon) rings."""
    if not isinstance(rings, list) or not rings:
        raise PlanFormatError(where, "a polygon needs a list of rings")
    out = []
    for r, ring in enumerate(rings):
        if not isinstance(ring, list):
            raise PlanFormatError(f"{where} ring {r}", "not a list of positions")
        vertices = []
        for k, pos in enumerate(ring):
            spot = f"{where} ring {r} position {k}"
            if not isinstance(pos, list) or len(pos) not in (2, 3):
                raise PlanFormatError(spot, f"{pos!r} is not [longitude, latitude(, altitude)]")
            vertices.append((number(pos[1], spot, "latitude"), number(pos[0], spot, "longitude")))
        out.append(vertices)
    return out


def _per_vertex(value: Any, n: int, where: str, what: str) -> list[float | None]:
    if value is None:
        return [None] * n
    if isinstance(value, list):
        if len(value) != n:
            raise PlanFormatError(where, f"{what} has {len(value)} values for {n} positions")
        return [None if v is None else number(v, where, what) for v in value]
    return [number(value, where, what)] * n


def waypoints_to_geojson(waypoints: Sequence[Waypoint], *, name: str = "route") -> str:
    """A GeoJSON FeatureCollection: one Point per waypoint and a display-only path line."""
    features: list[dict[str, Any]] = []
    for i, wp in enumerate(waypoints):
        props: dict[str, Any] = {"index": i, "altitude_ref": "home", "hold_s": wp.hold_s}
        if wp.speed_mps is not None:
            props["speed_mps"] = wp.speed_mps
        features.append({"type": "Feature", "properties": props,
                         "geometry": {"type": "Point",
                                      "coordinates": [wp.lon_deg, wp.lat_deg, wp.alt_m]}})
    if len(waypoints) > 1:
        features.append({"type": "Feature", "properties": {"role": _PATH_ROLE, "altitude_ref": "home"},
                         "geometry": {"type": "LineString", "coordinates": [
                             [wp.lon_deg, wp.lat_deg, wp.alt_m] for wp in waypoints]}})
    return json.dumps({"type": "FeatureCollection", "name": name, "features": features},
                      allow_nan=False)


# -- KML ---------------------------------------------------------------------------------------

def read_kml_route(data: str | bytes, *, default_alt_m: float | None = None,
                   home_amsl_m: float | None = None, source: str = "route") -> RouteFile:
    """Waypoints of a KML route: LineString and Point placemarks in document order."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise PlanFormatError(f"{source} byte {exc.start}", "not UTF-8 text") from exc
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise PlanFormatError(source, "DOCTYPE and ENTITY declarations are refused in KML input")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = exc.position
        raise PlanFormatError(f"{source} line {line} column {col + 1}", f"not XML ({exc})") from None
    if root.tag != f"{_K}kml":
        raise PlanFormatError(source, f"root element {root.tag!r} is not a KML 2.2 <kml>")
    out = _Collector(default_alt_m, home_amsl_m)
    doc_name = root.findtext(f"{_K}Document/{_K}name") or source
    for i, mark in enumerate(root.iter(f"{_K}Placemark")):
        _kml_placemark(out, mark, f"{source} Placemark {i} ({mark.findtext(f'{_K}name') or ''})")
    return out.result(doc_name)


def _kml_data(mark: ET.Element) -> dict[str, str]:
    data = {}
    for item in mark.iter(f"{_K}Data"):
        data[item.get("name", "")] = (item.findtext(f"{_K}value") or "").strip()
    return data


def _kml_number(text: str, where: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PlanFormatError(where, f"{what} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise PlanFormatError(where, f"{what} {text!r} is not finite")
    return value


def _kml_placemark(out: _Collector, mark: ET.Element, where: str) -> None:
    data = _kml_data(mark)
    if data.get("role") == _PATH_ROLE:
        out.notes.append(f"{where}: display path skipped (the waypoints are the Point placemarks)")
        return
    shapes = [el for el in mark if el.tag in (f"{_K}Point", f"{_K}LineString")]
    polygons = [el for el in mark if el.tag == f"{_K}Polygon"]
    for multi in mark.findall(f"{_K}MultiGeometry"):
        for k, child in enumerate(multi):
            if child.tag == f"{_K}Polygon":
                polygons.append(child)
            else:
                out.unsupported.append(Unsupported(f"{where} MultiGeometry part {k}",
                                                   child.tag.removeprefix(_K),
                                                   "only polygons are read from a MultiGeometry"))
    name = (mark.findtext(f"{_K}name") or "").strip()
    for k, polygon in enumerate(polygons):
        spot = where if len(polygons) == 1 else f"{where} polygon {k}"
        out.add_area(spot, name, _kml_rings(polygon, spot))
    others = [el.tag.removeprefix(_K) for el in mark
              if el.tag in (f"{_K}LinearRing", f"{_K}Model", f"{_K}Track",
                            "{http://www.google.com/kml/ext/2.2}Track")]
    for tag in others:
        out.unsupported.append(Unsupported(where, tag, "neither waypoints nor an area"))
    speed = _kml_number(data["speed_mps"], where, "speed_mps") if data.get("speed_mps") else None
    hold = _kml_number(data["hold_s"], where, "hold_s") if data.get("hold_s") else 0.0
    for shape in shapes:
        mode = (shape.findtext(f"{_K}altitudeMode") or "").strip()
        if mode not in ("", "relativeToGround", "absolute", "clampToGround"):
            out.unsupported.append(Unsupported(where, f"altitudeMode {mode!r}",
                                               "only relativeToGround and absolute carry altitudes"))
            continue
        tuples = (shape.findtext(f"{_K}coordinates") or "").split()
        if not tuples:
            raise PlanFormatError(where, "no coordinates")
        for k, tup in enumerate(tuples):
            spot = f"{where} coordinate {k}"
            parts = tup.split(",")
            if len(parts) not in (2, 3):
                raise PlanFormatError(spot, f"{tup!r} is not longitude,latitude[,altitude]")
            lon, lat = (_kml_number(p, spot, n) for p, n in zip(parts, ("longitude", "latitude"),
                                                                strict=False))
            alt = _kml_number(parts[2], spot, "altitude") if len(parts) == 3 else None
            if mode in ("", "clampToGround"):
                if out.default_alt_m is None:
                    raise MissingFrameError(spot, "no altitudeMode (KML clamps such positions to "
                                            "the ground), and no default altitude was given")
                alt = None
            out.add(spot, lat, lon, alt, mode == "absolute", speed, hold)


def _kml_rings(polygon: ET.Element, where: str) -> list[list[tuple[float, float]]]:
    """A KML polygon's outer and inner boundaries as (lat, lon) rings."""
    outer = polygon.findall(f"{_K}outerBoundaryIs/{_K}LinearRing/{_K}coordinates")
    if len(outer) != 1:
        raise PlanFormatError(where, "a Polygon needs exactly one outerBoundaryIs LinearRing")
    inner = polygon.findall(f"{_K}innerBoundaryIs/{_K}LinearRing/{_K}coordinates")
    rings = []
    for r, element in enumerate(outer + inner):
        vertices = []
        for k, tup in enumerate((element.text or "").split()):
            spot = f"{where} ring {r} coordinate {k}"
            parts = tup.split(",")
            if len(parts) not in (2, 3):
                raise PlanFormatError(spot, f"{tup!r} is not longitude,latitude[,altitude]")
            vertices.append((_kml_number(parts[1], spot, "latitude"),
                             _kml_number(parts[0], spot, "longitude")))
        rings.append(vertices)
    return rings


def waypoints_to_kml(waypoints: Sequence[Waypoint], *, name: str = "route") -> str:
    """A KML document: one Point placemark per waypoint and a display-only path line."""
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{_K}kml")
    doc = ET.SubElement(kml, f"{_K}Document")
    ET.SubElement(doc, f"{_K}name").text = name

    def placemark(label: str, data: dict[str, str], tag: str, coords: str) -> None:
        mark = ET.SubElement(doc, f"{_K}Placemark")
        ET.SubElement(mark, f"{_K}name").text = label
        ext = ET.SubElement(mark, f"{_K}ExtendedData")
        for key, value in data.items():
            ET.SubElement(ET.SubElement(ext, f"{_K}Data", name=key), f"{_K}value").text = value
        shape = ET.SubElement(mark, f"{_K}{tag}")
        ET.SubElement(shape, f"{_K}altitudeMode").text = "relativeToGround"
        ET.SubElement(shape, f"{_K}coordinates").text = coords

    for i, wp in enumerate(waypoints):
        data = {"hold_s": repr(wp.hold_s)}
        if wp.speed_mps is not None:
            data["speed_mps"] = repr(wp.speed_mps)
        placemark(f"WP{i + 1}", data, "Point", f"{wp.lon_deg!r},{wp.lat_deg!r},{wp.alt_m!r}")
    if len(waypoints) > 1:
        placemark("path", {"role": _PATH_ROLE}, "LineString",
                  " ".join(f"{wp.lon_deg!r},{wp.lat_deg!r},{wp.alt_m!r}" for wp in waypoints))
    return ET.tostring(kml, encoding="unicode", xml_declaration=True)
