"""The audit log: append-only in the database itself, exported as CSV and JSON within the
caller's organisation subtree, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import delete, update
from sqlalchemy.exc import DBAPIError

from groundstation.db import AuditRecord
from tests.service.harness import Service


async def _changes(svc: Service) -> None:
    """A few audited changes in county A and county B."""
    for user, org in (("admin_a", "county_a"), ("admin_b", "county_b")):
        r = await svc.client.post("/api/routes", headers=svc.headers(user), json={
            "name": f"route of {org}", "org_id": svc.world.orgs[org],
            "waypoints": [[26.42, 111.6, 50], [26.43, 111.61, 50]]})
        assert r.status_code == 201, r.text


async def test_audit_records_cannot_be_changed_or_deleted(any_db_service: Service) -> None:
    svc = any_db_service
    await _changes(svc)
    for statement in (update(AuditRecord).values(result="forged"), delete(AuditRecord)):
        with pytest.raises(DBAPIError, match="append-only"):
            with svc.station.db.session() as s:
                s.execute(statement)
    rows = (await svc.client.get("/api/audit", headers=svc.headers("city_admin"))).json()
    assert len(rows) == 2 and {r["result"] for r in rows} == {"ok"}


async def test_export_as_csv_and_json_within_the_callers_subtree(any_db_service: Service) -> None:
    svc = any_db_service
    await _changes(svc)
    r = await svc.client.get("/api/audit/export", params={"format": "csv"},
                             headers=svc.headers("admin_a"))
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["actor"], row["action"]) for row in rows] == [("admin_a", "route.create")]
    assert '"route of county_a"' in rows[0]["params"]
    everything = await svc.client.get("/api/audit/export", params={"format": "json"},
                                      headers=svc.headers("city_admin"))
    assert [row["actor"] for row in everything.json()] == ["admin_a", "admin_b"]  # oldest first
    for user in ("pilot_a", "viewer_a", "automation_a"):
        denied = await svc.client.get("/api/audit/export", headers=svc.headers(user))
        assert denied.status_code == 403
    bad = await svc.client.get("/api/audit/export", params={"format": "xml"},
                               headers=svc.headers("admin_a"))
    assert bad.status_code == 422
