"""An incident report as one self-contained HTML page: facts, map (inline SVG), timeline,
evidence (small images inlined). Every text from the records is HTML-escaped."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from groundstation.db import Attachment, Detection, Incident, IncidentEvent

__all__ = ["MapPoint", "render_report"]

_SVG_SIZE = 480
_INLINE_IMAGE_MAX = 2 * 1024 * 1024
_EARTH_M_PER_DEG = 111_320.0


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A labelled place on the report's map."""

    lat_deg: float
    lon_deg: float
    label: str
    colour: str


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _map_svg(points: Sequence[MapPoint]) -> str:
    """Points around the first one, in metres (equirectangular), with a scale bar."""
    centre = points[0]
    cos_lat = math.cos(math.radians(centre.lat_deg))
    xy = [((p.lon_deg - centre.lon_deg) * _EARTH_M_PER_DEG * cos_lat,
           (p.lat_deg - centre.lat_deg) * _EARTH_M_PER_DEG) for p in points]
    extent_m = max([200.0] + [max(abs(x), abs(y)) for x, y in xy]) * 1.15
    half = _SVG_SIZE / 2
    scale = half / extent_m
    bar_m = 10 ** math.floor(math.log10(extent_m))
    parts = [
        (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_SVG_SIZE}" height="{_SVG_SIZE}" '
        f'viewBox="0 0 {_SVG_SIZE} {_SVG_SIZE}" role="img" aria-label="incident map">'),
        f'<rect width="{_SVG_SIZE}" height="{_SVG_SIZE}" fill="#f4f6f0" stroke="#888"/>',
        (f'<line x1="20" y1="{_SVG_SIZE - 20}" x2="{20 + bar_m * scale:.1f}" '
        f'y2="{_SVG_SIZE - 20}" stroke="#000" stroke-width="3"/>'),
        f'<text x="20" y="{_SVG_SIZE - 28}" font-size="12">{bar_m:g} m</text>',
        f'<text x="{_SVG_SIZE - 30}" y="24" font-size="14">N ↑</text>',
    ]
    for (x, y), p in zip(xy, points, strict=True):
        cx, cy = half + x * scale, half - y * scale
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="6" fill="{_e(p.colour)}">'
                     f'<title>{_e(p.label)}</title></circle>')
        parts.append(f'<text x="{cx + 8:.1f}" y="{cy - 8:.1f}" font-size="11">{_e(p.label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _points(incident: Incident, events: Sequence[IncidentEvent],
            detections: Sequence[Detection]) -> list[MapPoint]:
    points = [MapPoint(incident.lat_deg, incident.lon_deg, f"incident {incident.id}", "#c0392b")]
    for d in detections:
        if d.lat_deg is not None and d.lon_deg is not None:
            points.append(MapPoint(d.lat_deg, d.lon_deg,
                                   f"{d.label} {'authorised' if d.authorised else 'UNAUTHORISED'}",
                                   "#e67e22"))
    for ev in events:
        lat, lon = ev.data.get("lat_deg"), ev.data.get("lon_deg")
        if (ev.kind != "created" and isinstance(lat, int | float) and isinstance(lon, int | float)
                and math.isfinite(lat) and math.isfinite(lon) and abs(lat) <= 90
                and abs(lon) <= 180):
            points.append(MapPoint(float(lat), float(lon), ev.kind, "#2471a3"))
    return points


def _evidence(attachments: Sequence[Attachment], root: Path, tz: ZoneInfo) -> str:
    rows = []
    for a in attachments:
        preview = ""
        path = (root / a.stored_path).resolve()
        if (a.content_type.startswith("image/") and a.size_bytes <= _INLINE_IMAGE_MAX
                and path.is_relative_to(root) and path.is_file()):
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            preview = f'<img alt="{_e(a.filename)}" style="max-width:320px" src="data:{_e(a.content_type)};base64,{data}">'
        rows.append(
            f"<tr><td>{_e(a.id)}</td><td>{_e(a.kind)}</td><td>{_e(a.filename)}</td>"
            f"<td>{_e(a.content_type)}</td><td>{a.size_bytes}</td><td><code>{_e(a.sha256)}</code></td>"
            f"<td>{_e(_local(a.created_at, tz))}</td><td>{preview}</td></tr>"
        )
    return "".join(rows)


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S %Z")


def render_report(
    incident: Incident,
    events: Sequence[IncidentEvent],
    attachments: Sequence[Attachment],
    detections: Sequence[Detection],
    *,
    attachment_root: Path,
    timezone: str,
    organisation: str,
) -> str:
    """The whole report page."""
    tz = ZoneInfo(timezone)
    facts = [
        ("Incident", incident.id), ("Organisation", organisation), ("Type", incident.kind),
        ("Priority", incident.priority), ("Status", incident.status),
        ("Source", incident.source), ("Reported", _local(incident.reported_at, tz)),
        ("Closed", _local(incident.closed_at, tz)),
        ("Location", f"{incident.lat_deg:.6f}, {incident.lon_deg:.6f}"),
        ("Address", incident.address), ("Reporter", incident.reporter_name),
        ("Description", incident.description), ("Summary", incident.summary),
    ]
    fact_rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    timeline = "".join(
        f"<tr><td>{_e(_local(ev.at, tz))}</td><td>{_e(ev.kind)}</td><td>{_e(ev.actor)}</td>"
        f"<td>{_e(ev.text)}</td></tr>" for ev in events
    )
    detection_rows = "".join(
        f"<tr><td>{_e(_local(d.at, tz))}</td><td>{_e(d.label)}</td><td>{d.confidence:.2f}</td>"
        f"<td>{'yes' if d.authorised else 'NO'}</td><td>{_e(d.track_id)}</td></tr>"
        for d in detections
    )
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>Incident {incident.id} report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse;margin-bottom:1.5em}}
td,th{{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}}</style></head>
<body><h1>Incident {incident.id}: {_e(incident.kind)}</h1>
<table class="facts">{fact_rows}</table>
<h2>Map</h2>{_map_svg(_points(incident, events, detections))}
<h2>Timeline</h2><table class="timeline"><tr><th>Time</th><th>Event</th><th>By</th><th>What</th></tr>{timeline}</table>
<h2>Evidence</h2><table class="evidence"><tr><th>#</th><th>Kind</th><th>File</th><th>Type</th><th>Bytes</th><th>SHA-256</th><th>Added</th><th></th></tr>{_evidence(attachments, attachment_root, tz)}</table>
<h2>Detections</h2><table class="detections"><tr><th>Time</th><th>Label</th><th>Confidence</th><th>Authorised</th><th>Track</th></tr>{detection_rows}</table>
<p>Times in {_e(timezone)}. Generated by the station.</p></body></html>
"""
