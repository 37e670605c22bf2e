"""Every router of the API, included in one place under ``/api``.

Another part of the station adds its router here (one line in ROUTERS), or passes it to
``create_app(..., routers=[...])``.
"""

from __future__ import annotations

from fastapi import APIRouter

from groundstation.api.routes import (
    audit,
    auth,
    coverage,
    detections,
    dispatch,
    docks,
    flights,
    incidents,
    live,
    records,
    schedules,
    users,
    vehicles,
    webhooks,
)
from groundstation.console import routeplan_router

__all__ = ["ROUTERS", "api_router"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    vehicles.router,
    incidents.router,
    detections.router,
    webhooks.router,
    audit.router,
    flights.router,
    records.router,
    live.router,
    dispatch.router,
    coverage.router,
    docks.router,
    schedules.router,
    routeplan_router(),
)


def api_router(extra: tuple[APIRouter, ...] = ()) -> APIRouter:
    """The ``/api`` router with every resource router (and any extra ones)."""
    router = APIRouter(prefix="/api")
    for sub in ROUTERS + extra:
        router.include_router(sub)
    return router
