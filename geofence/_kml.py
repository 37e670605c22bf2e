"""Zones to and from KML 2.2 (and KMZ): polygons, and circles.

A zone is a Placemark: ``name``, a ``Polygon`` (outer and inner boundaries, coordinates as
``lon,lat[,alt]`` tuples), zone attributes in ``ExtendedData`` (``Data`` or ``SchemaData``
entries named as in ``geofence._props``) and hours as a ``TimeSpan``. KML has no circle, so a
circle is written as a geodesic polygon (so any viewer draws it) plus ``shape=circle``,
``center_lat_deg``, ``center_lon_deg`` and ``radius_m`` entries that this reader uses; the
polygon must agree with them. A ``Point`` with a ``radius_m`` entry is read as a circle too.
``MultiGeometry`` of polygons gives one zone per polygon.

An element this reader does not know (a LineString, a GroundOverlay, a NetworkLink, a typo) is
refused with the placemark's name, never skipped: skipping could drop a no-fly zone. Elements
that only style or describe (Style, styleUrl, description, LookAt...) are ignored. DOCTYPE and
entity declarations are refused outright.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

import numpy as np

from geofence._exceptions import KMLError
from geofence._geo import geodesic_circles, geodesic_distance_m
from geofence._props import (
    ReadContext,
    check_lat_lon,
    number,
    schedule_from_dict,
    zone_from_properties,
    zone_properties,
)
from geofence._schedule import TimeWindow
from geofence._zone import CircleShape, PolygonShape, Zone, ZoneKind, ZoneSource

KML_NS = "http://www.opengis.net/kml/2.2"
MAX_DOCUMENT_BYTES = 50_000_000
CIRCLE_EXPORT_VERTICES = 72
_CIRCLE_AGREEMENT = 0.01
"""A circle placemark's polygon must lie within 1 % of its radius from its centre."""

_CONTAINERS = {"Document", "Folder"}
_IGNORED = {"name", "description", "Snippet", "snippet", "visibility", "open", "Style", "StyleMap",
            "styleUrl", "LookAt", "Camera", "Schema", "address", "phoneNumber", "Region",
            "author", "link", "atom:author", "atom:link", "drawOrder", "extrude", "tessellate",
            "altitudeMode", "gx:altitudeMode", "ExtendedData", "TimeSpan"}
_ZONE_GEOMETRY = {"Polygon", "Point", "MultiGeometry"}


def zones_to_kml(zones: Sequence[Zone], *, document_name: str = "Zones") -> str:
    """A KML 2.2 document with one Placemark per zone."""
    ET.register_namespace("", KML_NS)
    root = ET.Element(_q("kml"))
    document = ET.SubElement(root, _q("Document"))
    ET.SubElement(document, _q("name")).text = document_name
    for zone in zones:
        placemark = ET.SubElement(document, _q("Placemark"), id=zone.id)
        ET.SubElement(placemark, _q("name")).text = zone.name
        if isinstance(zone.schedule, TimeWindow):
            span = ET.SubElement(placemark, _q("TimeSpan"))
            ET.SubElement(span, _q("begin")).text = zone.schedule.start.isoformat()
            ET.SubElement(span, _q("end")).text = zone.schedule.end.isoformat()
        props = zone_properties(zone)
        props["id"] = zone.id
        props.pop("name")
        if isinstance(zone.schedule, TimeWindow):
            props.pop("schedule")
        if isinstance(zone.shape, CircleShape):
            props.update(shape="circle", center_lat_deg=zone.shape.center_lat_deg,
                         center_lon_deg=zone.shape.center_lon_deg, radius_m=zone.shape.radius_m)
        extended = ET.SubElement(placemark, _q("ExtendedData"))
        for key, value in props.items():
            data = ET.SubElement(extended, _q("Data"), name=key)
            ET.SubElement(data, _q("value")).text = _text(value)
        rings = _rings_of(zone)
        polygon = ET.SubElement(placemark, _q("Polygon"))
        for k, ring in enumerate(rings):
            boundary = ET.SubElement(polygon, _q("outerBoundaryIs" if k == 0 else "innerBoundaryIs"))
            linear = ET.SubElement(ET.SubElement(boundary, _q("LinearRing")), _q("coordinates"))
            linear.text = " ".join(f"{lon!r},{lat!r}" for lat, lon in (*ring, ring[0]))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def zones_from_kml(
    data: str | bytes, *, default_kind: ZoneKind | None = None,
    source: ZoneSource = ZoneSource.IMPORTED_FILE, source_detail: str = "", id_prefix: str = "kml",
) -> list[Zone]:
    """Zones from a KML document (text or bytes) or a KMZ archive (bytes)."""
    text = _document_text(data)
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise KMLError("DOCTYPE and ENTITY declarations are refused in KML input")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise KMLError(f"not well-formed XML: {exc}") from None
    if _local(root.tag) != "kml":
        raise KMLError(f"root element is <{_local(root.tag)}>, not <kml>")
    zones: list[Zone] = []
    counter = [0]
    for child in root:
        _walk(child, zones, counter, default_kind, source, source_detail, id_prefix)
    return zones


def _walk(
    element: ET.Element, zones: list[Zone], counter: list[int], default_kind: ZoneKind | None,
    source: ZoneSource, source_detail: str, id_prefix: str,
) -> None:
    tag = _local(element.tag)
    if tag in _CONTAINERS:
        for child in element:
            _walk(child, zones, counter, default_kind, source, source_detail, id_prefix)
    elif tag == "Placemark":
        zones += _placemark(element, counter, default_kind, source, source_detail, id_prefix)
    elif tag not in _IGNORED:
        raise KMLError(f"unknown KML element <{tag}> (only Document, Folder and Placemark "
                       "hold zones)")


def _placemark(
    element: ET.Element, counter: list[int], default_kind: ZoneKind | None, source: ZoneSource,
    source_detail: str, id_prefix: str,
) -> list[Zone]:
    index = counter[0]
    counter[0] += 1
    name = _child_text(element, "name").strip()
    props: dict[str, Any] = _extended_data(element)
    zone_id = str(props.pop("id", None) or element.get("id") or f"{id_prefix}-{index}")
    where = f"placemark {index} ({name or zone_id!r})"
    if name:
        props["name"] = name
    geometries = []
    for child in element:
        tag = _local(child.tag)
        if tag in _ZONE_GEOMETRY:
            geometries.append(child)
        elif tag == "TimeSpan":
            props["schedule"] = _time_span(child, where)
        elif tag not in _IGNORED:
            raise KMLError(f"{where}: unknown KML element <{tag}> (a zone is a Polygon, or a "
                           "Point with radius_m)")
    if len(geometries) != 1:
        raise KMLError(f"{where}: has {len(geometries)} geometries; a zone placemark needs exactly one")
    shapes = _shapes(geometries[0], props, where)
    context = ReadContext(KMLError, default_kind, source, source_detail)
    if len(shapes) == 1:
        return [zone_from_properties(props, shapes[0], zone_id=zone_id, where=where, context=context)]
    return [zone_from_properties(props, shape, zone_id=f"{zone_id}/{k + 1}",
                                 where=f"{where} part {k + 1}", context=context)
            for k, shape in enumerate(shapes)]


def _shapes(geometry: ET.Element, props: dict[str, Any], where: str) -> list[CircleShape | PolygonShape]:
    tag = _local(geometry.tag)
    is_circle = props.pop("shape", None) == "circle"
    if tag == "MultiGeometry":
        parts = list(geometry)
        if is_circle or not parts or any(_local(p.tag) != "Polygon" for p in parts):
            raise KMLError(f"{where}: MultiGeometry must hold Polygons only")
        return [_polygon(p, f"{where} polygon {k + 1}") for k, p in enumerate(parts)]
    if tag == "Point":
        if "radius_m" not in props:
            raise KMLError(f"{where}: a Point zone needs a radius_m entry in ExtendedData (a circle)")
        [(lat, lon)] = _coordinates(geometry, where, expect_one=True)
        return [CircleShape(lat, lon, number(props.pop("radius_m"), "radius_m", where, KMLError))]
    polygon = _polygon(geometry, where)
    if not is_circle:
        return [polygon]
    lat = number(props.pop("center_lat_deg", None), "center_lat_deg", where, KMLError)
    lon = number(props.pop("center_lon_deg", None), "center_lon_deg", where, KMLError)
    radius = number(props.pop("radius_m", None), "radius_m", where, KMLError)
    check_lat_lon(lat, lon, where, KMLError, "center_lat_deg/center_lon_deg")
    ring = np.array(polygon.exterior)
    distance = geodesic_distance_m(ring[:, 0], ring[:, 1], lat, lon)
    if polygon.holes or not np.all(np.abs(distance - radius) <= _CIRCLE_AGREEMENT * radius):
        raise KMLError(f"{where}: its polygon does not match its circle entries (centre "
                       f"{lat}, {lon}, radius {radius} m): edited in a viewer? Fix one or the other")
    return [CircleShape(lat, lon, radius)]


def _polygon(element: ET.Element, where: str) -> PolygonShape:
    outer: list[tuple[tuple[float, float], ...]] = []
    inner: list[tuple[tuple[float, float], ...]] = []
    for child in element:
        tag = _local(child.tag)
        if tag in ("outerBoundaryIs", "innerBoundaryIs"):
            ring = _child(child, "LinearRing")
            if ring is None:
                raise KMLError(f"{where}: <{tag}> has no LinearRing")
            (outer if tag == "outerBoundaryIs" else inner).append(
                tuple(_coordinates(ring, f"{where} {tag}", expect_one=False)))
        elif tag not in _IGNORED:
            raise KMLError(f"{where}: unknown element <{tag}> in Polygon")
    if len(outer) != 1:
        raise KMLError(f"{where}: Polygon has {len(outer)} outer boundaries; exactly one is needed")
    return PolygonShape(outer[0], tuple(inner))


def _coordinates(element: ET.Element, where: str, *, expect_one: bool) -> list[tuple[float, float]]:
    node = _child(element, "coordinates")
    if node is None or not (node.text or "").strip():
        raise KMLError(f"{where}: has no coordinates")
    points = []
    for i, token in enumerate(node.text.split()):  # type: ignore[union-attr]
        parts = token.split(",")
        if len(parts) not in (2, 3):
            raise KMLError(f"{where}: coordinate {i + 1} {token!r} is not lon,lat[,alt]")
        lon = number(parts[0], "longitude", f"{where} coordinate {i + 1}", KMLError)
        lat = number(parts[1], "latitude", f"{where} coordinate {i + 1}", KMLError)
        check_lat_lon(lat, lon, f"{where} coordinate {i + 1}", KMLError, "lon,lat[,alt] tuples")
        points.append((lat, lon))
    if expect_one and len(points) != 1:
        raise KMLError(f"{where}: a Point needs exactly one coordinate, not {len(points)}")
    return points


def _extended_data(placemark: ET.Element) -> dict[str, Any]:
    props: dict[str, Any] = {}
    extended = _child(placemark, "ExtendedData")
    if extended is None:
        return props
    for node in extended.iter():
        tag = _local(node.tag)
        if tag == "Data" and node.get("name"):
            props[node.get("name", "")] = _parse_value(_child_text(node, "value"))
        elif tag == "SimpleData" and node.get("name"):
            props[node.get("name", "")] = _parse_value(node.text or "")
    if "schedule" in props and isinstance(props["schedule"], str):
        raise KMLError(f"schedule entry {props['schedule']!r} is not a JSON object")
    return props


def _time_span(element: ET.Element, where: str) -> dict[str, str]:
    begin = _child_text(element, "begin")
    end = _child_text(element, "end")
    if not begin or not end:
        raise KMLError(f"{where}: TimeSpan needs both begin and end (an open span is not a zone's hours)")
    window = {"type": "window", "start": begin.strip(), "end": end.strip()}
    try:
        schedule_from_dict(window)
    except (ValueError, TypeError) as exc:
        raise KMLError(f"{where}: TimeSpan: {exc}") from None
    return window


def _parse_value(text: str) -> Any:
    """ExtendedData values are text; JSON objects (schedules) are decoded."""
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rings_of(zone: Zone) -> list[tuple[tuple[float, float], ...]]:
    if isinstance(zone.shape, PolygonShape):
        return [zone.shape.exterior, *zone.shape.holes]
    lat, lon = geodesic_circles([zone.shape.center_lat_deg], [zone.shape.center_lon_deg],
                                [zone.shape.radius_m], CIRCLE_EXPORT_VERTICES)
    return [tuple(zip(lat[0].tolist()[::-1], lon[0].tolist()[::-1], strict=True))]


def _document_text(data: str | bytes) -> str:
    if isinstance(data, str):
        if len(data) > MAX_DOCUMENT_BYTES:
            raise KMLError(f"document is longer than {MAX_DOCUMENT_BYTES} characters")
        return data
    if len(data) > MAX_DOCUMENT_BYTES:
        raise KMLError(f"document is {len(data)} bytes; more than {MAX_DOCUMENT_BYTES} is refused")
    if data[:2] == b"PK":
        return _kmz_text(data)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise KMLError(f"not UTF-8 text: {exc}") from None


def _kmz_text(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [i for i in archive.infolist() if i.filename.lower().endswith(".kml")]
            if not names:
                raise KMLError("KMZ archive holds no .kml document")
            main = next((i for i in names if i.filename.lower() == "doc.kml"), names[0])
            if main.file_size > MAX_DOCUMENT_BYTES:
                raise KMLError(f"KMZ document {main.filename} unpacks to {main.file_size} bytes")
            return archive.read(main).decode("utf-8-sig")
    except (zipfile.BadZipFile, UnicodeDecodeError, EOFError) as exc:
        raise KMLError(f"not a readable KMZ archive: {exc}") from None


def _child(element: ET.Element, tag: str) -> ET.Element | None:
    """The first child with this local name, whatever its namespace (KML 2.1, 2.2, none)."""
    return next((c for c in element if _local(c.tag) == tag), None)


def _child_text(element: ET.Element, tag: str) -> str:
    child = _child(element, tag)
    return (child.text or "") if child is not None else ""


def _q(tag: str) -> str:
    return f"{{{KML_NS}}}{tag}"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else str(tag)


