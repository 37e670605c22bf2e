"""KML import and export: polygons and circles, round trips, unknown elements, hostile input."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest
from hypothesis import given

from geofence import KMLError, TimeWindow, ZoneKind, zones_from_kml, zones_to_kml
from tests.geofence.conftest import PROPERTY, YONGZHOU, square
from tests.geofence.strategies import same_zone, zone_lists

LAT, LON = YONGZHOU


@PROPERTY
@given(zone_lists())
def test_round_trip_keeps_every_attribute(zones: list) -> None:
    back = zones_from_kml(zones_to_kml(zones))
    assert len(back) == len(zones)
    assert all(same_zone(a, b) for a, b in zip(zones, back, strict=True))


def _kml(placemarks: str, ns: str = "http://www.opengis.net/kml/2.2") -> str:
    return f'<?xml version="1.0"?><kml xmlns="{ns}"><Document><name>d</name><Folder>{placemarks}</Folder></Document></kml>'


def _coords(vertices: list) -> str:
    return " ".join(f"{lon},{lat},0" for lat, lon in (*vertices, vertices[0]))


SQUARE = square(LAT, LON, 200)
POLYGON = f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{_coords(SQUARE)}</coordinates></LinearRing></outerBoundaryIs></Polygon>"


def test_reads_a_google_earth_style_document() -> None:
    text = _kml(f"""
      <Placemark><name>Detention centre</name><styleUrl>#red</styleUrl>
        <description>official list</description>
        <ExtendedData><Data name="kind"><value>no_fly</value></Data>
          <Data name="ceiling_m"><value>150</value></Data></ExtendedData>
        {POLYGON}</Placemark>
      <Placemark><name>Stadium event</name>
        <TimeSpan><begin>2024-06-01T08:00:00+08:00</begin><end>2024-06-01T18:00:00+08:00</end></TimeSpan>
        <ExtendedData><SchemaData schemaUrl="#s"><SimpleData name="kind">no_fly</SimpleData>
          <SimpleData name="radius_m">800</SimpleData></SchemaData></ExtendedData>
        <Point><coordinates>{LON},{LAT}</coordinates></Point></Placemark>""", ns="http://earth.google.com/kml/2.1")
    polygon, circle = zones_from_kml(text.encode())
    assert polygon.name == "Detention centre" and polygon.ceiling_m == 150 and polygon.id == "kml-0"
    assert circle.shape.radius_m == 800 and circle.kind is ZoneKind.NO_FLY
    assert isinstance(circle.schedule, TimeWindow)
    assert circle.schedule.start == datetime(2024, 6, 1, 0, tzinfo=UTC)


def test_circle_is_drawn_as_a_polygon_viewers_can_show() -> None:
    from geofence import Zone

    text = zones_to_kml([Zone.circle("c", "Airport", ZoneKind.NO_FLY, LAT, LON, 5_000)])
    assert "<Polygon>" in text and 'name="radius_m"' in text
    edited = text.replace(f"{LON!r}", f"{LON + 0.01!r}")  # centre moved but not the drawn ring
    with pytest.raises(KMLError, match="does not match its circle"):
        zones_from_kml(edited)


def test_kmz_archive() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("doc.kml", _kml(f"<Placemark><name>A</name>{POLYGON}</Placemark>"))
    [zone] = zones_from_kml(buffer.getvalue(), default_kind=ZoneKind.NO_FLY)
    assert zone.name == "A"


def test_multigeometry_gives_one_zone_per_polygon() -> None:
    a, b = zones_from_kml(_kml(f"<Placemark id='m'><name>Two</name><MultiGeometry>{POLYGON}{POLYGON.replace(str(LON)[:6], str(LON + 0.1)[:6])}</MultiGeometry></Placemark>"),
                          default_kind=ZoneKind.NO_FLY)
    assert (a.id, b.id) == ("m/1", "m/2")


@pytest.mark.parametrize("body, message", [
    (f"<Placemark><name>Road</name><LineString><coordinates>{LON},{LAT} {LON},{LAT + 0.01}</coordinates></LineString></Placemark>",
     r"placemark 0 \('Road'\): unknown KML element <LineString>"),
    ("<GroundOverlay><name>map</name></GroundOverlay>", "unknown KML element <GroundOverlay>"),
    (f"<Placemark><name>X</name>{POLYGON}<Model/></Placemark>", "unknown KML element <Model>"),
    (f"<Placemark><name>X</name>{POLYGON.replace('</Polygon>', '<foo/></Polygon>')}</Placemark>",
     "unknown element <foo> in Polygon"),
    ("<Placemark><name>X</name></Placemark>", "has 0 geometries"),
    (f"<Placemark><name>X</name><Point><coordinates>{LON},{LAT}</coordinates></Point></Placemark>",
     "needs a radius_m"),
    (f"<Placemark><name>Bow</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{_coords([SQUARE[0], SQUARE[2], SQUARE[1], SQUARE[3]])}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
     r"'Bow'.*crosses itself"),
    (f"<Placemark><name>Swap</name><Polygon><outerBoundaryIs><LinearRing><coordinates>{' '.join(f'{lat},{lon}' for lat, lon in SQUARE)}</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
     "look swapped"),
    ("<Placemark><name>Two</name><Polygon><outerBoundaryIs><LinearRing><coordinates>111.6,26.4 111.61,26.4</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
     "at least 3"),
    ("<Placemark><name>N</name><Polygon><outerBoundaryIs><LinearRing><coordinates>111.6,nan 111.61,26.4 111.6,26.41</coordinates></LinearRing></outerBoundaryIs></Polygon></Placemark>",
     "not a finite"),
    ("<Placemark><name>S</name><TimeSpan><begin>2024-06-01</begin></TimeSpan>" + POLYGON + "</Placemark>",
     "TimeSpan needs both"),
])
def test_bad_placemarks_are_refused_by_name(body: str, message: str) -> None:
    with pytest.raises(KMLError, match=message):
        zones_from_kml(_kml(body), default_kind=ZoneKind.NO_FLY)


@pytest.mark.parametrize("data, message", [
    ("<kml><Document>", "not well-formed"),
    ("<svg/>", "not <kml>"),
    (b"\xff\xfe\x00<", "not UTF-8|not well-formed"),
    (b"PK\x03\x04garbage", "not a readable KMZ"),
    ('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaa">]><kml>&a;</kml>', "DOCTYPE"),
])
def test_broken_and_hostile_documents(data: object, message: str) -> None:
    with pytest.raises(KMLError, match=message):
        zones_from_kml(data)  # type: ignore[arg-type]
