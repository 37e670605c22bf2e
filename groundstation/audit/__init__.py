"""Audit: append-only records of every command and change, queryable and exportable.

    record_audit(session, actor=principal, action="zone.update", target_type="zone",
                 target_id=zone.id, params={...}, result="ok")     # in the change's transaction
    CommandAuditor(bus, db).run()        # every MAVLink CommandSent/CommandCompleted
    query_audit(session, scope_path=principal.org_path, include_unowned=..., where=AuditFilter(...))
"""

from groundstation.audit._commands import CommandAuditor
from groundstation.audit._log import STATION, Actor, StationActor, jsonable, record_audit
from groundstation.audit._query import (
    AUDIT_FIELDS,
    AuditFilter,
    audit_to_csv,
    audit_to_dicts,
    query_audit,
)

__all__ = [
    "AUDIT_FIELDS",
    "STATION",
    "Actor",
    "AuditFilter",
    "CommandAuditor",
    "StationActor",
    "audit_to_csv",
    "audit_to_dicts",
    "jsonable",
    "query_audit",
    "record_audit",
]
