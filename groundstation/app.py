"""The app factory: ``create_app(settings)`` builds the FastAPI app whose lifespan runs a Station.

    app = create_app(Settings(), extensions=[dispatch_extension], routers=[dispatch.router])
    uvicorn.run(app, host=settings.host, port=settings.port)

Inside a request, the station is ``request.app.state.station`` (use ``deps.StationDep``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from groundstation.api._errors import install_error_handlers
from groundstation.api.main import api_router
from groundstation.config import Settings
from groundstation.console import console_router
from groundstation.station import Station, StationExtension

__all__ = ["create_app"]


def create_app(
    settings: Settings | None = None,
    *,
    extensions: Sequence[StationExtension] = (),
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    """A FastAPI app for one station (settings default to the environment's)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Station.running(settings, extensions) as station:
            app.state.station = station
            try:
                yield
            finally:
                del app.state.station

    app = FastAPI(
        title="groundstation",
        summary="Ground-control station for police air rapid-response teams",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(api_router(tuple(routers)))
    app.include_router(console_router(settings))
    return app
