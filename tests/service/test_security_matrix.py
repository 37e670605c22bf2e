"""Security matrix: every role against every endpoint that changes anything or commands a drone,
an organisation-scoped admin against another county's records, and injection attempts.

The table below must list exactly the state-changing operations of the OpenAPI schema, so a new
endpoint cannot slip in without a decision about who may call it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from groundstation.db import Base, Flight
from groundstation.incidents import attachment_dir
from tests.service.harness import Service

ALL = frozenset({"admin", "pilot", "commander", "automation", "viewer"})
# each role's user in county A (the organisation every target below belongs to)
USER_OF = {"admin": "admin_a", "pilot": "pilot_a", "commander": "commander_a",
           "automation": "automation_a", "viewer": "viewer_a"}

Body = Callable[["Targets"], Any]


@dataclass(frozen=True)
class Op:
    """A state-changing operation, who may call it, and a valid body for it."""

    method: str
    path: str
    roles: frozenset[str]
    body: Body | None = None


def _p(*roles: str) -> frozenset[str]:
    return frozenset(roles)


def _zone(t: Targets) -> dict[str, Any]:
    return {"name": "Z", "org_id": t.org, "feature": {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [111.7, 26.5]},
        "properties": {"name": "Z", "kind": "no_fly", "radius_m": 100}}}


def _route(t: Targets) -> dict[str, Any]:
    return {"name": "R", "org_id": t.org, "waypoints": [[26.42, 111.6, 50], [26.43, 111.61, 50]]}


def _schedule(t: Targets) -> dict[str, Any]:
    return {"name": "S", "org_id": t.org, "route_id": t.ids["routes"], "cron": "0 2 * * *"}


def _dock(t: Targets) -> dict[str, Any]:
    return {"dock_key": f"D-{t.next()}", "name": "D", "org_id": t.org, "lat_deg": 26.42,
            "lon_deg": 111.6}


def _unit(t: Targets) -> dict[str, Any]:
    return {"name": "Car", "kind": "patrol_car", "org_id": t.org, "lat_deg": 26.42,
            "lon_deg": 111.6}


def _permit(t: Targets) -> dict[str, Any]:
    return {"name": "P", "org_id": t.org, "ident": "UAS-7", "lat_deg": 26.42, "lon_deg": 111.6,
            "radius_m": 300, "valid_from": "2026-01-01T00:00:00Z",
            "valid_to": "2026-01-02T00:00:00Z"}


def _draft(_t: Targets) -> dict[str, Any]:
    return {"shape": "waypoints", "alt_m": 40, "points": [[26.421, 111.601]]}


def _ops_schedule(_t: Targets) -> dict[str, Any]:
    return {"dock_id": "YZ-D01", "route_id": "loop", "cron": "0 2 * * *"}


PILOTS = _p("admin", "pilot")
COMMAND = {"arm": {}, "disarm": {"force": False}, "takeoff": {"alt_m": 30},
           "goto": {"lat_deg": 26.425, "lon_deg": 111.605, "alt_m": 40},
           "orbit": {"lat_deg": 26.425, "lon_deg": 111.605, "radius_m": 50}, "hold": None,
           "resume": None, "start_mission": None, "set_speed": {"speed_mps": 8}, "rtl": None,
           "land": None}
RECORDS = {"zones": (_p("admin"), _zone), "routes": (_p("admin", "pilot", "commander"), _route),
           "schedules": (_p("admin", "pilot", "automation"), _schedule),
           "docks": (_p("admin"), _dock),
           "ground-units": (_p("admin", "commander", "automation"), _unit),
           "permits": (_p("admin", "commander"), _permit)}
REPORTERS = _p("commander", "admin", "pilot", "automation")

OPS: list[Op] = [
    Op("POST", "/api/orgs", _p("admin"),
       lambda t: {"name": f"Sub {t.next()}", "kind": "police_station", "parent_id": t.org}),
    Op("POST", "/api/users", _p("admin"),
       lambda t: {"username": f"u{t.next()}", "role": "viewer", "org_id": t.org,
                  "password": "a long enough password"}),
    Op("PATCH", "/api/users/{user}", _p("admin"), lambda t: {"display_name": "renamed"}),
    Op("POST", "/api/users/{automation}/api-key", _p("admin")),
    Op("POST", "/api/vehicles", _p("admin"),
       lambda t: {"name": f"v{t.next()}", "system_id": 100 + t.counter, "org_id": t.org}),
    *[Op("POST", f"/api/vehicles/{{vehicle}}/commands/{name}", PILOTS,
         (lambda b: lambda t: b)(body)) for name, body in COMMAND.items()],
    Op("POST", "/api/vehicles/{vehicle}/route/validate", _p("admin", "pilot", "commander"), _draft),
    Op("POST", "/api/vehicles/{vehicle}/route/upload", PILOTS, _draft),
    Op("POST", "/api/incidents", REPORTERS,
       lambda t: {"kind": "theft", "priority": 2, "lat_deg": 26.43, "lon_deg": 111.61}),
    Op("POST", "/api/incidents/{incident}/events", REPORTERS, lambda t: {"kind": "note", "text": "x"}),
    Op("POST", "/api/incidents/{incident}/status", REPORTERS, lambda t: {"status": "dispatched"}),
    Op("POST", "/api/incidents/{incident}/attachments?kind=snapshot&filename=a.png", REPORTERS),
    Op("POST", "/api/incidents/{incident}/dispatch", _p("commander", "admin", "pilot"), lambda t: {}),
    Op("POST", "/api/incidents/{incident}/handoff", _p("commander", "admin"), lambda t: {}),
    Op("POST", "/api/incidents/{incident}/close", _p("commander", "admin"),
       lambda t: {"summary": "done"}),
    Op("POST", "/api/coverage", ALL,
       lambda t: {"outline": [[26.40, 111.58], [26.40, 111.64], [26.45, 111.64]], "cell_m": 300}),
    Op("POST", "/api/flights/{flight}/replay", PILOTS, lambda t: {"speed": 0}),
    *[Op(method, f"/api/{name}" + ("" if method == "POST" else f"/{{{name}}}"), roles,
         body if method != "DELETE" else None)
      for name, (roles, body) in RECORDS.items() for method in ("POST", "PUT", "DELETE")],
    Op("POST", "/api/operations/docks/YZ-D01/maintenance", PILOTS, lambda t: {"on": True}),
    Op("POST", "/api/operations/docks/YZ-D01/cover", PILOTS, lambda t: {"action": "open"}),
    Op("POST", "/api/operations/schedules", _p("admin", "commander", "automation"),
       lambda t: _ops_schedule(t) | {"schedule_id": f"s{t.next()}"}),
    Op("PUT", "/api/operations/schedules/s1", _p("admin", "commander", "automation"), _ops_schedule),
    Op("DELETE", "/api/operations/schedules/s1", _p("admin", "commander", "automation")),
]


class Targets:
    """County A records every operation acts on (made by its admin through the API)."""

    def __init__(self, org: int) -> None:
        self.org = org
        self.ids: dict[str, int] = {}
        self.counter = 0

    def next(self) -> int:
        """A fresh number for unique names."""
        self.counter += 1
        return self.counter

    def url(self, op: Op) -> str:
        """The operation's path with real ids filled in."""
        path = op.path
        for key, value in self.ids.items():
            path = path.replace("{" + key + "}", str(value))
        return path


async def _targets(svc: Service, org_key: str = "county_a") -> Targets:
    t = Targets(svc.world.orgs[org_key])
    admin = svc.headers("city_admin")
    t.ids |= {"vehicle": svc.world.vehicles["va" if org_key == "county_a" else "vb"],
              "user": svc.world.users["viewer_a" if org_key == "county_a" else "pilot_b"],
              "automation": svc.world.users["automation_a"]}
    for name, (_roles, body) in RECORDS.items():
        r = await svc.client.post(f"/api/{name}", json=body(t), headers=admin)
        assert r.status_code == 201, (name, r.text)
        t.ids[name] = r.json()["id"]
    r = await svc.client.post("/api/incidents", headers=admin, json={
        "kind": "theft", "priority": 2, "lat_deg": 26.43, "lon_deg": 111.61, "org_id": t.org})
    t.ids["incident"] = r.json()["id"]

    def add_flight(session: Any) -> int:
        row = Flight(system_id=11, vehicle_id=t.ids["vehicle"], started_at=datetime.now(UTC),
                     tlog_path="11/none.tlog")
        session.add(row)
        session.flush()
        return row.id
    t.ids["flight"] = await svc.station.db.run(add_flight)
    return t


def _fingerprint(svc: Service) -> str:
    """A digest of every stored row except the audit log (which records refusals)."""
    digest = hashlib.sha256()
    with svc.station.db.session() as s:
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_records":
                continue
            for row in s.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _needs_docks(op: Op) -> bool:
    return "/operations/" in op.path or op.path.endswith(("/dispatch", "/handoff", "/coverage"))


def _ordered(ops: list[Op]) -> list[Op]:
    """Replacements before deletions, closing the incident last."""
    return sorted(ops, key=lambda o: (o.method == "DELETE", o.path.endswith("/close")))


async def _call(svc: Service, op: Op, t: Targets, user: str) -> int:
    kwargs: dict[str, Any] = {"headers": svc.headers(user)}
    if "attachments" in op.path:
        kwargs["content"] = b"\x89PNG\r\n\x1a\n" + b"\0" * 16
        kwargs["headers"] |= {"Content-Type": "image/png"}
    elif op.body is not None:
        kwargs["json"] = op.body(t)
    r = await svc.client.request(op.method, t.url(op), **kwargs)
    return r.status_code


def test_the_matrix_lists_every_state_changing_operation(service_app_schema: dict[str, Any]) -> None:
    in_schema = {(m.upper(), p) for p, ops in service_app_schema["paths"].items() for m in ops
                 if m != "get"} - {("POST", "/api/auth/token"), ("POST", "/api/webhooks/call-taking")}
    listed = set()
    for op in OPS:
        path = op.path.split("?")[0]
        for placeholder, real in (("{vehicle}", "{vehicle_id}"), ("{incident}", "{incident_id}"),
                                  ("{flight}", "{flight_id}"), ("{user}", "{user_id}"),
                                  ("{automation}", "{user_id}"), ("YZ-D01", "{dock_id}"),
                                  ("/s1", "/{schedule_id}")):
            path = path.replace(placeholder, real)
        for name in RECORDS:
            path = path.replace("{" + name + "}", "{row_id}")
        listed.add((op.method, path))
    assert listed == in_schema


@pytest.fixture(scope="module")
def service_app_schema() -> dict[str, Any]:
    from groundstation.app import create_app
    return create_app().openapi()


async def test_each_role_against_each_command(service: Service) -> None:
    svc = service
    t = await _targets(svc)
    for op in _ordered(OPS):
        before = _fingerprint(svc)
        for role in sorted(ALL - op.roles):
            status = await _call(svc, op, t, USER_OF[role])
            assert status == 403, f"{role} {op.method} {op.path}: {status}"
        assert _fingerprint(svc) == before, f"a refused {op.method} {op.path} changed something"
        for role in sorted(op.roles):
            status = await _call(svc, op, t, USER_OF[role])
            # a station without docks answers dispatch and dock operations with 503 (the role
            # check passed); tests/service/test_dispatch_e2e.py runs them with docks composed
            unavailable = status == 503 and _needs_docks(op)
            assert status not in (401, 403) and (status < 500 or unavailable), \
                f"{role} {op.method} {op.path}: {status}"
    refused = await svc.client.get("/api/audit", params={"result": "REFUSED_ACCESS", "limit": 1000},
                                   headers=svc.headers("city_admin"))
    # every refused drone command is on record, by whom
    per_actor = {}
    for row in refused.json():
        per_actor[row["actor"]] = per_actor.get(row["actor"], 0) + 1
    assert per_actor == {USER_OF[r]: len(COMMAND) for r in ALL - PILOTS}


async def test_another_countys_admin_reaches_nothing_of_county_a(service: Service) -> None:
    """admin_b holds every permission but only over county B: county A's rows are out of reach."""
    svc = service
    t = await _targets(svc)
    before = _fingerprint(svc)
    for op in _ordered(OPS):
        if "{" not in op.path and op.method == "POST" and op.body is not None:
            body = op.body(t)
            if "org_id" not in body and "parent_id" not in body:
                continue  # creates in the caller's own organisation
        elif "{" not in op.path:
            continue  # operations docks/schedules: not on this station
        status = await _call(svc, op, t, "admin_b")
        assert status in (403, 404), f"admin_b {op.method} {op.path}: {status}"
    assert _fingerprint(svc) == before


HOSTILE = ["' OR '1'='1", "1; DROP TABLE incidents; --", "%", "_", "../../../../etc/passwd",
           "..%2F..%2Fetc%2Fpasswd", "\\x00", "<script>alert(1)</script>", "${jndi:ldap://x}",
           "a" * 5000]


async def test_sql_injection_in_filters_finds_nothing_and_breaks_nothing(service: Service) -> None:
    svc = service
    h = svc.headers("city_admin")
    await _targets(svc)
    real = (await svc.client.get("/api/audit", params={"limit": 1000}, headers=h)).json()
    assert real
    for text in HOSTILE:
        for param in ("actor", "action", "action_prefix", "target_type", "target_id", "result"):
            r = await svc.client.get("/api/audit", params={param: text}, headers=h)
            assert r.status_code in (200, 422), (param, text, r.status_code)
            if r.status_code == 200:
                # LIKE wildcards are escaped: "%" or "_" as a prefix match nothing
                assert r.json() == [], (param, text)
        r = await svc.client.get("/api/flights", params={"system_id": text}, headers=h)
        assert r.status_code == 422
    for table in ("incidents", "users", "audit_records"):
        with svc.station.db.session() as s:
            assert s.execute(select(Base.metadata.tables[table])).first() is not None


async def test_path_injection_in_urls_and_names_is_refused(service: Service) -> None:
    svc = service
    h = svc.headers("city_admin")
    t = await _targets(svc)
    iid = t.ids["incident"]
    for text in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2fetc",
                 "1 OR 1=1", "1;DROP TABLE incidents"):
        for url in (f"/api/incidents/{text}", f"/api/flights/{text}/tlog",
                    f"/api/incidents/{iid}/attachments/{text}/file",
                    f"/api/operations/docks/{text}", f"/api/users/{text}"):
            r = await svc.client.get(url, headers=h)
            assert r.status_code in (404, 422, 503), (url, r.status_code)
            assert b"root:" not in r.content
    # a stored flight whose log path was tampered with is never served from outside the logs
    def tamper(session: Any) -> None:
        session.get(Flight, t.ids["flight"]).tlog_path = "../../../../etc/passwd"
    await svc.station.db.run(tamper)
    r = await svc.client.get(f"/api/flights/{t.ids['flight']}/tlog", headers=h)
    assert r.status_code == 404 and b"root:" not in r.content
    # uploaded evidence keeps only a safe base name and lands in the incident's folder
    for name in ("../../../evil.png", "..\\..\\evil.png", "/etc/evil.png", "a/../../evil.png"):
        r = await svc.client.post(f"/api/incidents/{iid}/attachments",
                                  params={"kind": "snapshot", "filename": name},
                                  content=b"\x89PNG\r\n\x1a\n", headers=h | {"Content-Type": "image/png"})
        assert r.status_code == 201, r.text
        assert not {"/", "\\"} & set(r.json()["filename"])
    data = svc.station.settings.data_dir.resolve()
    outside = [p for p in data.parent.rglob("*evil*")
               if not p.resolve().is_relative_to(attachment_dir(data))]
    assert outside == []
