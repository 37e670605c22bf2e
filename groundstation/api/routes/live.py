"""The live WebSocket ``/api/ws?token=...`` (see groundstation.live for the messages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status
from sqlalchemy.orm import Session

from groundstation.api.deps import authenticate, ws_credentials
from groundstation.auth import NotAuthenticated, Principal
from groundstation.live import LiveSession
from groundstation.station import Station

router = APIRouter(tags=["live"])


@router.websocket("/ws")
async def live(
    websocket: WebSocket,
    interval_s: Annotated[float, Query(gt=0, le=3600)] = 0.0,
) -> None:
    """Fleet telemetry (throttled per client), alerts and incident changes; token auth."""
    station: Station = websocket.app.state.station
    token, api_key = ws_credentials(websocket)

    def login(session: Session) -> Principal:
        return authenticate(station, session, token, api_key)

    try:
        user = await station.db.run(login)
    except NotAuthenticated:
        await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="not authenticated")
        return
    await websocket.accept()
    session = LiveSession(station, user, interval_s or station.settings.service.ws_default_interval_s)
    try:
        await session.run(websocket.send_text, websocket.receive_text)
    except* (WebSocketDisconnect, RuntimeError):  # the client went away mid-send
        pass
