"""Login: a token for a username and password; who am I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, StringConstraints

from groundstation.api.deps import CurrentUser, SessionDep, StationDep
from groundstation.audit import STATION, record_audit
from groundstation.auth import NotAuthenticated, authenticate_password

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginRequest(BaseModel):
    """Credentials of a person."""

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class TokenResponse(BaseModel):
    """A bearer token for the ``Authorization`` header and the WebSocket ``?token=``."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    """The authenticated user."""

    user_id: int
    username: str
    role: str
    org_id: int
    org_path: str


@router.post("/token", responses={401: {"description": "wrong username or password"}})
def login(body: LoginRequest, session: SessionDep, station: StationDep) -> TokenResponse:
    """Exchange a username and password for a bearer token."""
    try:
        user = authenticate_password(session, station.passwords, body.username, body.password)
    except NotAuthenticated as exc:
        with station.db.session() as audit_session:
            record_audit(audit_session, actor=STATION, action="auth.login", result="refused",
                         target_type="user", target_id=body.username[:64])
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(exc),
                            headers={"WWW-Authenticate": "Bearer"}) from None
    token = station.tokens.issue(user.id, user.token_version)
    return TokenResponse(access_token=token, expires_in=int(station.tokens.ttl_s))


@router.get("/me")
def me(user: CurrentUser) -> Me:
    """Who the presented credentials belong to."""
    return Me(user_id=user.user_id, username=user.username, role=user.role.value,
              org_id=user.org_id, org_path=user.org_path)
