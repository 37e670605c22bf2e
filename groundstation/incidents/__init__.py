"""Incidents: creation (API, console, call-taking webhook), timeline, status, evidence, reports.

Service functions take the caller's session and return the IncidentChanged event to publish
on the bus after the transaction commits::

    incident, changed = create_incident(session, NewIncident(...), actor=p, source=IncidentSource.API)
    event, changed = add_timeline_event(session, incident, kind="dispatch", text="...", actor=p)
    changed = set_status(session, incident, IncidentStatus.DISPATCHED, actor=p)
"""

from groundstation.incidents._events import IncidentChanged
from groundstation.incidents._report import MapPoint, render_report
from groundstation.incidents._service import (
    ATTACHMENT_TYPES,
    AttachmentTooLarge,
    IncidentClosed,
    NewIncident,
    StoredFile,
    add_timeline_event,
    attachment_dir,
    close_incident,
    create_incident,
    find_by_external_id,
    record_attachment,
    set_status,
    store_upload,
)
from groundstation.incidents._webhook import sign_webhook, verify_webhook

__all__ = [
    "ATTACHMENT_TYPES",
    "AttachmentTooLarge",
    "IncidentChanged",
    "IncidentClosed",
    "MapPoint",
    "NewIncident",
    "StoredFile",
    "add_timeline_event",
    "attachment_dir",
    "close_incident",
    "create_incident",
    "find_by_external_id",
    "record_attachment",
    "render_report",
    "set_status",
    "sign_webhook",
    "store_upload",
    "verify_webhook",
]
