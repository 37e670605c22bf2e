"""Incidents: API and signed webhook, timeline, status, evidence, close, HTML report."""

from __future__ import annotations

import json
import time

from groundstation.incidents import sign_webhook
from tests.service.harness import WEBHOOK_SECRET, Service


def _signed(body: bytes, *, secret: str = WEBHOOK_SECRET, at: float | None = None) -> dict[str, str]:
    ts = str(int(time.time() if at is None else at))
    return {"X-GCS-Timestamp": ts, "X-GCS-Signature": sign_webhook(secret, ts, body),
            "Content-Type": "application/json"}


def _call(svc: Service, call_id: str = "110-2026-0001") -> bytes:
    return json.dumps({"call_id": call_id, "org_id": svc.world.orgs["county_a"],
                       "kind": "fight", "priority": 1, "lat_deg": 26.43, "lon_deg": 111.61,
                       "address": "Xiaoxiang Road 12", "reporter_name": "Li",
                       "reporter_phone": "13800000000"}).encode()


async def test_webhook_creates_an_incident_once_per_call(any_db_service: Service) -> None:
    svc = any_db_service
    body = _call(svc)
    r = await svc.client.post("/api/webhooks/call-taking", content=body, headers=_signed(body))
    assert r.status_code == 201, r.text
    incident = r.json()
    assert incident["source"] == "call_taking"
    assert incident["external_id"] == "110-2026-0001"
    again = await svc.client.post("/api/webhooks/call-taking", content=body, headers=_signed(body))
    assert again.status_code == 200
    assert again.json()["id"] == incident["id"]
    listed = await svc.client.get("/api/incidents", headers=svc.headers("viewer_a"))
    assert [i["id"] for i in listed.json()] == [incident["id"]]


async def test_webhook_with_a_bad_signature_is_refused_and_audited(any_db_service: Service) -> None:
    svc = any_db_service
    body = _call(svc)
    cases = {
        "wrong secret": _signed(body, secret="guess" * 8),
        "stale": _signed(body, at=time.time() - 3600),
        "tampered": _signed(body.replace(b"fight", b"theft")),
        "missing": {"Content-Type": "application/json"},
    }
    for name, headers in cases.items():
        r = await svc.client.post("/api/webhooks/call-taking", content=body,
                                  headers=headers)
        assert r.status_code == 401, name
    listed = await svc.client.get("/api/incidents", headers=svc.headers("city_admin"))
    assert listed.json() == []
    audit = await svc.client.get("/api/audit", params={"action": "webhook.call_taking"},
                                 headers=svc.headers("city_admin"))
    assert len(audit.json()) == 4
    assert {row["result"] for row in audit.json()} == {"refused"}


async def test_signed_but_hostile_webhook_body_gets_422_and_stores_nothing(service: Service) -> None:
    for body in (b"not json", b"[]", json.dumps({"call_id": "x", "org_id": 1, "kind": "k",
                                                 "priority": 9, "lat_deg": 91,
                                                 "lon_deg": 0}).encode(), b"\xff\xfe"):
        r = await service.client.post("/api/webhooks/call-taking", content=body,
                                      headers=_signed(body))
        assert r.status_code == 422, body
    listed = await service.client.get("/api/incidents", headers=service.headers("city_admin"))
    assert listed.json() == []


async def test_incident_life_from_creation_to_report(any_db_service: Service) -> None:
    svc = any_db_service
    cmd = svc.headers("commander_a")
    r = await svc.client.post("/api/incidents", headers=cmd, json={
        "kind": "robbery <script>alert(1)</script>", "priority": 1, "lat_deg": 26.43,
        "lon_deg": 111.61, "description": "two suspects", "reporter_name": "Wang"})
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    ev = await svc.client.post(f"/api/incidents/{iid}/events", headers=cmd, json={
        "kind": "arrived", "text": "drone overhead", "data": {"lat_deg": 26.431, "lon_deg": 111.612}})
    assert ev.status_code == 201, ev.text
    st = await svc.client.post(f"/api/incidents/{iid}/status", headers=cmd,
                               json={"status": "dispatched"})
    assert st.json()["status"] == "dispatched"
    back = await svc.client.post(f"/api/incidents/{iid}/status", headers=cmd,
                                 json={"status": "open"})
    assert back.status_code == 409
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    up = await svc.client.post(f"/api/incidents/{iid}/attachments",
                               params={"kind": "snapshot", "filename": "../../etc/passwd.png"},
                               content=png, headers=cmd | {"Content-Type": "image/png"})
    assert up.status_code == 201, up.text
    att = up.json()
    assert att["filename"] == "passwd.png"
    got = await svc.client.get(f"/api/incidents/{iid}/attachments/{att['id']}/file", headers=cmd)
    assert got.content == png
    assert got.headers["content-disposition"].startswith("attachment")
    refused = await svc.client.post(f"/api/incidents/{iid}/close", headers=svc.headers("pilot_a"),
                                    json={"summary": "done"})
    assert refused.status_code == 403
    closed = await svc.client.post(f"/api/incidents/{iid}/close", headers=cmd,
                                   json={"summary": "suspects detained"})
    assert closed.json()["status"] == "closed"
    late = await svc.client.post(f"/api/incidents/{iid}/events", headers=cmd,
                                 json={"kind": "note", "text": "late"})
    assert late.status_code == 409
    detail = (await svc.client.get(f"/api/incidents/{iid}", headers=cmd)).json()
    assert [e["kind"] for e in detail["events"]] == ["created", "arrived", "status", "attachment",
                                                     "closed"]
    report = await svc.client.get(f"/api/incidents/{iid}/report", headers=svc.headers("viewer_a"))
    assert report.status_code == 200
    html = report.text
    assert "<svg" in html and "suspects detained" in html and "drone overhead" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "data:image/png;base64," in html
    other = await svc.client.get(f"/api/incidents/{iid}", headers=svc.headers("pilot_b"))
    assert other.status_code == 403
