"""Station errors → HTTP answers with a clear body: ``{"detail": text, "code": name, ...}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError

from geofence import GeofenceError
from groundstation._exceptions import (
    CommandRejected,
    CommandTimeout,
    CommLost,
    SafetyRefusal,
    StationError,
)
from groundstation.auth import Forbidden, NotAuthenticated
from groundstation.firmware import UnsupportedAction

__all__ = ["error_body", "install_error_handlers"]

_log = logging.getLogger(__name__)


def error_body(status_code: int, detail: str, code: str, **extra: object) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"detail": detail, "code": code, **extra}, status_code=status_code)


async def _station_error(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, NotAuthenticated):
        response = error_body(401, str(exc), "not_authenticated")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if isinstance(exc, Forbidden):
        return error_body(403, str(exc), "forbidden")
    if isinstance(exc, SafetyRefusal):
        return error_body(409, str(exc), "safety_refusal", reasons=exc.reasons)
    if isinstance(exc, CommandRejected):
        return error_body(409, str(exc), "command_rejected", result=exc.result,
                          result_param2=exc.result_param2)
    if isinstance(exc, CommLost):
        return error_body(409, str(exc), "vehicle_offline")
    if isinstance(exc, CommandTimeout):
        return error_body(504, str(exc), "command_timeout")
    if isinstance(exc, UnsupportedAction):
        return error_body(409, str(exc), "unsupported")
    if isinstance(exc, GeofenceError):
        return error_body(422, str(exc), "bad_zone")
    _log.error("unmapped station error: %s", exc)
    return error_body(409, str(exc), type(exc).__name__)


async def _integrity_error(_request: Request, exc: Exception) -> JSONResponse:
    _log.info("refused a write that conflicts with stored records: %s", exc)
    return error_body(409, "conflicts with a stored record (duplicate or missing reference)",
                      "conflict")


def install_error_handlers(app: FastAPI) -> None:
    """Register the mappings on an app."""
    for exc_type in (StationError, GeofenceError):
        app.add_exception_handler(exc_type, _station_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
