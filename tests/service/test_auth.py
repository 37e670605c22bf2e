"""Login, tokens (expired, forged, revoked), API keys, deny by default."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest

from groundstation.app import create_app
from tests.service.harness import PASSWORD, Service


async def test_login_returns_a_token_that_identifies_the_user(any_db_service: Service) -> None:
    svc = any_db_service
    r = await svc.client.post("/api/auth/token",
                              json={"username": "pilot_a", "password": PASSWORD})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    me = await svc.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "pilot_a"
    assert me.json()["role"] == "pilot"


@pytest.mark.parametrize("username,password", [("pilot_a", "wrong"), ("nobody", PASSWORD),
                                               ("' OR 1=1 --", "' OR '1'='1")])
async def test_bad_credentials_are_refused_and_audited(service: Service, username: str,
                                                       password: str) -> None:
    r = await service.client.post("/api/auth/token",
                                  json={"username": username, "password": password})
    assert r.status_code == 401
    audit = await service.client.get("/api/audit", params={"action": "auth.login"},
                                     headers=service.headers("city_admin"))
    assert [row["result"] for row in audit.json()] == ["refused"]


def _forge(claims: dict[str, object], key: str) -> str:
    return jwt.encode(claims, key, algorithm="HS256")


async def test_expired_forged_and_malformed_tokens_are_refused(service: Service) -> None:
    uid = service.world.users["admin_a"]
    now = datetime.now(UTC)
    expired = service.station.tokens.issue(uid, 0, now=now - timedelta(days=2))
    forged = _forge({"sub": str(uid), "ver": 0, "iat": now, "exp": now + timedelta(hours=1),
                     "iss": "groundstation"}, "not-the-station-secret-" + "y" * 32)
    none_alg = jwt.encode({"sub": str(uid), "ver": 0, "iss": "groundstation",
                           "iat": now, "exp": now + timedelta(hours=1)}, None, algorithm="none")
    for token in (expired, forged, none_alg, "garbage", "a.b.c", ""):
        r = await service.client.get("/api/vehicles", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token
    r = await service.client.get("/api/vehicles", headers={"Authorization": f"Bearer {expired}"})
    assert r.json()["detail"] == "token expired"


async def test_changing_a_users_role_ends_their_tokens(service: Service) -> None:
    old = service.headers("pilot_a")
    uid = service.world.users["pilot_a"]
    r = await service.client.patch(f"/api/users/{uid}", json={"role": "viewer"},
                                   headers=service.headers("admin_a"))
    assert r.status_code == 200, r.text
    assert (await service.client.get("/api/vehicles", headers=old)).status_code == 401


async def test_api_key_authenticates_a_service_account_only(service: Service) -> None:
    uid = service.world.users["automation_a"]
    r = await service.client.post(f"/api/users/{uid}/api-key", headers=service.headers("admin_a"))
    assert r.status_code == 201, r.text
    key = r.json()["api_key"]
    me = await service.client.get("/api/auth/me", headers={"X-API-Key": key})
    assert me.json()["role"] == "automation"
    bad = await service.client.get("/api/auth/me", headers={"X-API-Key": key[:-2] + "zz"})
    assert bad.status_code == 401
    pilot = service.world.users["pilot_a"]
    refused = await service.client.post(f"/api/users/{pilot}/api-key",
                                        headers=service.headers("admin_a"))
    assert refused.status_code == 409


def test_every_route_but_login_and_webhook_requires_credentials() -> None:
    """Deny by default: each operation declares a security scheme or is one of the two doors."""
    schema = create_app().openapi()
    open_doors = {("/api/auth/token", "post"), ("/api/webhooks/call-taking", "post")}
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if (path, method) in open_doors:
                continue
            assert op.get("security"), f"{method.upper()} {path} has no security requirement"


async def test_requests_without_credentials_get_401_everywhere(service: Service) -> None:
    schema = service.app.openapi()
    for path, ops in schema["paths"].items():
        for method in ops:
            if path in ("/api/auth/token", "/api/webhooks/call-taking"):
                continue
            url = path.replace("{", "").replace("}", "").replace("_id", "")
            url = "/".join("1" if part in {"vehicle", "incident", "user", "row", "flight",
                                           "attachment"} else part for part in url.split("/"))
            r = await service.client.request(method.upper(), url)
            assert r.status_code == 401, f"{method} {url}: {r.status_code}"
