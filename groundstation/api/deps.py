"""FastAPI dependencies every router uses: the station, a DB session, the current user, roles.

    @router.post("/things", dependencies=[Depends(require_role(Role.ADMIN))])
    def create(user: CurrentUser, session: SessionDep, station: StationDep): ...

    PilotOrAdmin = Annotated[Principal, Depends(require_role(Role.PILOT, Role.ADMIN))]

Deny by default: a route without ``CurrentUser`` or ``require_role`` is public, so every
router except login and the signed webhook declares one. ``scoped_row`` loads a row that
belongs to an organisation and refuses it (403) outside the user's subtree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, WebSocket, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from groundstation.auth import (
    NotAuthenticated,
    Principal,
    Role,
    authenticate_api_key,
    org_path,
    principal_for_token,
    principal_of,
)
from groundstation.station import Station

__all__ = [
    "AdminUser",
    "CurrentUser",
    "SessionDep",
    "StationDep",
    "authenticate",
    "get_session",
    "get_station",
    "require_role",
    "scoped_row",
    "ws_credentials",
]

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="Token from POST /api/auth/token")
_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="Service-account key (role automation)"
)


def get_station(request: Request) -> Station:
    """The running station (set by the app's lifespan)."""
    station: Station = request.app.state.station
    return station


StationDep = Annotated[Station, Depends(get_station)]


def get_session(station: StationDep) -> Iterator[Session]:
    """One database transaction per request, committed when the handler returns."""
    with station.db.session() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, detail=message, headers={"WWW-Authenticate": "Bearer"}
    )


def authenticate(
    station: Station, session: Session, token: str | None, api_key: str | None
) -> Principal:
    """The principal behind a bearer token or an API key; NotAuthenticated otherwise."""
    if token:
        claims = station.tokens.verify(token)
        return principal_for_token(session, claims)
    if api_key:
        return principal_of(session, authenticate_api_key(session, api_key))
    raise NotAuthenticated("not authenticated")


def get_current_user(
    station: StationDep,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """The authenticated user of this request (401 without valid credentials)."""
    try:
        return authenticate(station, session, bearer.credentials if bearer else None, api_key)
    except NotAuthenticated as exc:
        raise _unauthorised(str(exc)) from None


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that passes the current user only when they hold one of ``roles`` (403)."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"role {user.role.value} may not do this (needs one of: {names})",
            )
        return user

    return check


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]


def scoped_row(session: Session, model: type[T], row_id: Any, user: Principal, what: str) -> T:
    """A row by id that the user's organisation subtree covers (404 missing, 403 elsewhere)."""
    row = session.get(model, row_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{what} {row_id} not found")
    if not user.covers(org_path(session, row.org_id)):  # type: ignore[attr-defined]
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"{what} {row_id} belongs to another organisation"
        )
    return row


def ws_credentials(websocket: WebSocket) -> tuple[str | None, str | None]:
    """Token (``?token=`` or bearer header) and API key (header) offered by a WebSocket client."""
    token = websocket.query_params.get("token")
    header = websocket.headers.get("authorization", "")
    if not token and header.lower().startswith("bearer "):
        token = header[7:].strip()
    return token, websocket.headers.get("x-api-key")
