"""The HTTP API (FastAPI): routers per resource, dependencies in ``deps``, errors mapped once.

    from groundstation.api.deps import CurrentUser, SessionDep, StationDep, require_role
"""

from groundstation.api.deps import (
    AdminUser,
    CurrentUser,
    SessionDep,
    StationDep,
    require_role,
    scoped_row,
)
from groundstation.api.main import ROUTERS, api_router

__all__ = [
    "ROUTERS",
    "AdminUser",
    "CurrentUser",
    "SessionDep",
    "StationDep",
    "api_router",
    "require_role",
    "scoped_row",
]
