"""The one plan-transfer engine: mission, fence and rally upload, download and clear.

Implements mavlink.io/en/services/mission.html with MISSION_ITEM_INT, timings from
QGroundControl's PlanManager (response timeout, item retry interval, retry count, all settings).

    IDLE ─upload─▶ SEND_COUNT ─first request─▶ SEND_ITEMS ─MISSION_ACK─▶ DONE
      │                 └──────(count 0)──────────────────────┘
      ├─download─▶ REQUEST_LIST ─MISSION_COUNT─▶ REQUEST_ITEMS ─last item─▶ (send ACK) DONE
      └─clear─▶ CLEAR_ALL ─MISSION_ACK─▶ DONE
    any state ─error ack / timeout after retries / bad sequence─▶ FAILED (PlanTransferError)

Upload answers every MISSION_REQUEST_INT *and* legacy MISSION_REQUEST (PX4 asks for item 0
with the old message on a fresh link) with MISSION_ITEM_INT, in whatever order and as often as
the vehicle asks; a silent vehicle gets the count or the last item again. Download re-requests
a missing item; duplicates and stale items are ignored. A failed or cancelled transfer tells
the vehicle with MISSION_ACK(OPERATION_CANCELLED). Items the firmware keeps in front of the
station's plan (ArduPilot's home at mission item 0) are added on upload and removed on download.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar, cast

from geofence import MavFrame, MissionItem, MissionType
from groundstation._exceptions import PlanTransferError
from groundstation._waiting import within
from groundstation.config import MavlinkSettings
from groundstation.events import EventBus, PlanTransferDone, PlanTransferFailed
from groundstation.firmware import FirmwarePlugin
from groundstation.mavlink._channel import VehicleChannel
from groundstation.mavlink._dialect import decode, enum_name, mavlink

if TYPE_CHECKING:
    from groundstation.mavlink._telemetry import VehicleState

__all__ = ["PlanTransfer", "TransferState"]

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

_PROTOCOL_IDS = frozenset(
    {
        mavlink.MAVLINK_MSG_ID_MISSION_REQUEST,
        mavlink.MAVLINK_MSG_ID_MISSION_REQUEST_INT,
        mavlink.MAVLINK_MSG_ID_MISSION_ITEM,
        mavlink.MAVLINK_MSG_ID_MISSION_ITEM_INT,
        mavlink.MAVLINK_MSG_ID_MISSION_COUNT,
        mavlink.MAVLINK_MSG_ID_MISSION_ACK,
    }
)
_REQUEST_IDS = (mavlink.MAVLINK_MSG_ID_MISSION_REQUEST, mavlink.MAVLINK_MSG_ID_MISSION_REQUEST_INT)
_ITEM_IDS = (mavlink.MAVLINK_MSG_ID_MISSION_ITEM, mavlink.MAVLINK_MSG_ID_MISSION_ITEM_INT)
_GLOBAL_FRAMES = frozenset(
    {
        MavFrame.GLOBAL,
        MavFrame.GLOBAL_RELATIVE_ALT,
        MavFrame.GLOBAL_INT,
        MavFrame.GLOBAL_RELATIVE_ALT_INT,
        MavFrame.GLOBAL_TERRAIN_ALT,
        MavFrame.GLOBAL_TERRAIN_ALT_INT,
    }
)


class TransferState(Enum):
    """Where a plan transfer is (see the module diagram)."""

    IDLE = "idle"
    SEND_COUNT = "send_count"
    SEND_ITEMS = "send_items"
    REQUEST_LIST = "request_list"
    REQUEST_ITEMS = "request_items"
    CLEAR_ALL = "clear_all"
    DONE = "done"
    FAILED = "failed"


def _result_name(result: int) -> str:
    return enum_name("MAV_MISSION_RESULT", result)


class _Refused(PlanTransferError):
    """The vehicle itself ended the transfer with an error MISSION_ACK (nothing to cancel)."""


class PlanTransfer:
    """Mission/fence/rally transfers with one vehicle, one at a time."""

    def __init__(
        self,
        channel: VehicleChannel,
        state: VehicleState,
        firmware: FirmwarePlugin,
        settings: MavlinkSettings,
        bus: EventBus,
    ) -> None:
        self._channel = channel
        self._state = state
        self.firmware = firmware
        self._settings = settings
        self._bus = bus
        self._lock = asyncio.Lock()
        self._inbox: asyncio.Queue[tuple[int, Any]] | None = None
        self._mission_type = MissionType.MISSION
        self.state = TransferState.IDLE
        self.ignored = 0

    # -- incoming ---------------------------------------------------------------------------

    def handlers(self) -> dict[int, Callable[[int, bytes], None]]:
        """Message id → handler for the mission protocol messages."""
        return {msgid: self._make_handler(msgid) for msgid in _PROTOCOL_IDS}

    def _make_handler(self, msgid: int) -> Callable[[int, bytes], None]:
        def handler(compid: int, payload: bytes) -> None:
            self._on_message(msgid, compid, payload)

        return handler

    def _on_message(self, msgid: int, compid: int, payload: bytes) -> None:
        inbox = self._inbox
        if inbox is None or compid != self._channel.component_id:
            self.ignored += 1
            return
        msg = decode(msgid, payload)
        if not self._channel.addressed_to_us(msg.target_system, msg.target_component):
            return
        if msg.mission_type != self._mission_type:
            self.ignored += 1
            return
        inbox.put_nowait((msgid, msg))

    # -- state ------------------------------------------------------------------------------

    def _set_state(self, state: TransferState) -> None:
        if state is not self.state:
            _log.debug(
                "vehicle %d plan transfer %s -> %s",
                self._channel.system_id,
                self.state.value,
                state.value,
            )
            self.state = state

    async def _receive(self, timeout_s: float) -> tuple[int, Any] | None:
        assert self._inbox is not None
        try:
            return await within(self._inbox.get(), timeout_s)
        except TimeoutError:
            return None

    async def _reply(self, resend: Any, timeout_s: float, what: str) -> tuple[int, Any]:
        """The next protocol message; on silence resend ``resend`` (bounded by the retry count)."""
        retries = 0
        while True:
            received = await self._receive(timeout_s)
            if received is not None:
                return received
            retries += 1
            if retries > self._settings.mission_max_retries:
                raise self._fail(f"no answer while waiting for {what}")
            self._send(resend)

    def _send(self, msg: Any) -> None:
        self._channel.send(msg)

    def _cancel_on_vehicle(self) -> None:
        ch = self._channel
        with contextlib.suppress(Exception):
            self._send(
                mavlink.MAVLink_mission_ack_message(
                    ch.system_id,
                    ch.component_id,
                    mavlink.MAV_MISSION_OPERATION_CANCELLED,
                    self._mission_type,
                )
            )

    async def _run(
        self, operation: str, mission_type: MissionType, factory: Callable[[], Awaitable[_T]]
    ) -> _T:
        async with self._lock:
            self._mission_type = mission_type
            self._inbox = asyncio.Queue()
            try:
                result = await factory()
            except PlanTransferError as exc:
                self._set_state(TransferState.FAILED)
                if not isinstance(exc, _Refused):
                    self._cancel_on_vehicle()
                self._publish_failure(operation, mission_type, exc)
                raise
            except BaseException as exc:
                self._set_state(TransferState.FAILED)
                self._cancel_on_vehicle()
                self._publish_failure(
                    operation, mission_type, PlanTransferError(f"{type(exc).__name__}: {exc}")
                )
                raise
            finally:
                self._inbox = None
            self._set_state(TransferState.DONE)
            count = len(result) if isinstance(result, list) else int(cast(int, result))
            self._bus.publish(
                PlanTransferDone(
                    system_id=self._channel.system_id,
                    mission_type=mission_type.name,
                    operation=operation,
                    count=count,
                )
            )
            return result

    def _publish_failure(
        self, operation: str, mission_type: MissionType, exc: PlanTransferError
    ) -> None:
        self._bus.publish(
            PlanTransferFailed(
                system_id=self._channel.system_id,
                mission_type=mission_type.name,
                operation=operation,
                result=_result_name(exc.result) if exc.result is not None else "TIMEOUT",
                message=str(exc),
            )
        )

    def _fail(self, message: str, result: int | None = None) -> PlanTransferError:
        return PlanTransferError(self._describe(message), result=result)

    def _refused(self, message: str, result: int) -> PlanTransferError:
        return _Refused(self._describe(message), result=result)

    def _describe(self, message: str) -> str:
        return f"vehicle {self._channel.system_id} {self._mission_type.name.lower()}: {message}"

    # -- upload -----------------------------------------------------------------------------

    async def upload(self, mission_type: MissionType, items: Sequence[MissionItem]) -> int:
        """Upload a plan (replacing the vehicle's); return the number of items sent."""
        return await self._run(
            "upload", mission_type, lambda: self._upload(mission_type, list(items))
        )

    def _wire_items(self, mission_type: MissionType, items: list[MissionItem]) -> list[MissionItem]:
        if self.firmware.plan_offset(mission_type):
            home = self.firmware.home_item(self._state)
            if home is not None:
                items = [home, *items]
        return [replace(item, mission_type=mission_type) for item in items]

    def _item_message(self, seq: int, item: MissionItem) -> Any:
        ch = self._channel
        return mavlink.MAVLink_mission_item_int_message(
            ch.system_id, ch.component_id, seq, item.frame, item.command,
            int(item.current), int(item.autocontinue),
            item.param1, item.param2, item.param3, item.param4,
            item.x, item.y, item.z, item.mission_type,
        )  # fmt: skip

    async def _upload(self, mission_type: MissionType, plan: list[MissionItem]) -> int:
        ch = self._channel
        settings = self._settings
        wire = self._wire_items(mission_type, plan)
        count = len(wire)
        requested: set[int] = set()
        last_sent: Any = mavlink.MAVLink_mission_count_message(
            ch.system_id, ch.component_id, count, mission_type
        )
        self._set_state(TransferState.SEND_COUNT)
        self._send(last_sent)
        while True:
            waiting_for = "item requests" if requested else "the first item request"
            msgid, msg = await self._reply(last_sent, settings.mission_ack_timeout_s, waiting_for)
            if msgid in _REQUEST_IDS:
                seq: int = msg.seq
                if not 0 <= seq < count:
                    raise self._fail(
                        f"vehicle asked for item {seq} of {count}",
                        mavlink.MAV_MISSION_INVALID_SEQUENCE,
                    )
                self._set_state(TransferState.SEND_ITEMS)
                last_sent = self._item_message(seq, wire[seq])
                self._send(last_sent)
                requested.add(seq)
            elif msgid == mavlink.MAVLINK_MSG_ID_MISSION_ACK:
                result: int = msg.type
                if result != mavlink.MAV_MISSION_ACCEPTED:
                    raise self._refused(f"vehicle refused the plan: {_result_name(result)}", result)
                if len(requested) < count:
                    raise self._fail(
                        f"vehicle accepted after requesting only {len(requested)} of {count} items",
                        mavlink.MAV_MISSION_ERROR,
                    )
                return count
            else:
                self.ignored += 1

    # -- download ---------------------------------------------------------------------------

    async def download(self, mission_type: MissionType) -> list[MissionItem]:
        """Read the vehicle's plan of a type."""
        return await self._run("download", mission_type, lambda: self._download(mission_type))

    async def _download(self, mission_type: MissionType) -> list[MissionItem]:
        ch = self._channel
        settings = self._settings
        request_list = mavlink.MAVLink_mission_request_list_message(
            ch.system_id, ch.component_id, mission_type
        )
        self._set_state(TransferState.REQUEST_LIST)
        self._send(request_list)
        count: int | None = None
        while count is None:
            msgid, msg = await self._reply(
                request_list, settings.mission_ack_timeout_s, "MISSION_COUNT"
            )
            if msgid == mavlink.MAVLINK_MSG_ID_MISSION_COUNT:
                count = int(msg.count)
            elif msgid == mavlink.MAVLINK_MSG_ID_MISSION_ACK:
                result = int(msg.type)
                raise self._refused(f"vehicle refused the download: {_result_name(result)}", result)
            else:
                self.ignored += 1
        items: list[MissionItem] = []
        self._set_state(TransferState.REQUEST_ITEMS)
        retries = 0
        while len(items) < count:
            seq = len(items)
            self._send(
                mavlink.MAVLink_mission_request_int_message(
                    ch.system_id, ch.component_id, seq, mission_type
                )
            )
            item = await self._await_item(seq, count)
            if item is None:
                retries += 1
                if retries > settings.mission_max_retries:
                    raise self._fail(f"item {seq} of {count} never arrived")
                continue
            retries = 0
            items.append(item)
        self._send(
            mavlink.MAVLink_mission_ack_message(
                ch.system_id, ch.component_id, mavlink.MAV_MISSION_ACCEPTED, mission_type
            )
        )
        return items[self.firmware.plan_offset(mission_type) :]

    async def _await_item(self, seq: int, count: int) -> MissionItem | None:
        """Wait one retry interval for item ``seq``; None means re-request it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._settings.mission_retry_interval_s
        while True:
            received = await self._receive(max(deadline - loop.time(), 0.0))
            if received is None:
                return None
            msgid, msg = received
            if msgid in _ITEM_IDS:
                if msg.seq == seq:
                    return self._to_item(msgid, msg)
                self.ignored += 1  # duplicate or stale item
            elif msgid == mavlink.MAVLINK_MSG_ID_MISSION_COUNT:
                return None  # the vehicle resent its count: our request got lost
            elif msgid == mavlink.MAVLINK_MSG_ID_MISSION_ACK:
                result = int(msg.type)
                raise self._refused(f"vehicle aborted the download: {_result_name(result)}", result)
            else:
                self.ignored += 1

    def _to_item(self, msgid: int, msg: Any) -> MissionItem:
        m = msg
        x, y = m.x, m.y
        if msgid == mavlink.MAVLINK_MSG_ID_MISSION_ITEM:
            scale = 1e7 if m.frame in _GLOBAL_FRAMES else 1.0
            x, y = round(x * scale), round(y * scale)
        return MissionItem(
            command=m.command,
            frame=m.frame,
            param1=m.param1,
            param2=m.param2,
            param3=m.param3,
            param4=m.param4,
            x=int(x),
            y=int(y),
            z=m.z,
            autocontinue=bool(m.autocontinue),
            current=bool(m.current),
            mission_type=MissionType(m.mission_type),
        )

    # -- clear ------------------------------------------------------------------------------

    async def clear(self, mission_type: MissionType) -> None:
        """Remove the vehicle's plan of a type."""
        await self._run("clear", mission_type, lambda: self._clear(mission_type))

    async def _clear(self, mission_type: MissionType) -> int:
        ch = self._channel
        settings = self._settings
        clear_all = mavlink.MAVLink_mission_clear_all_message(
            ch.system_id, ch.component_id, mission_type
        )
        self._set_state(TransferState.CLEAR_ALL)
        self._send(clear_all)
        while True:
            msgid, msg = await self._reply(
                clear_all, settings.mission_ack_timeout_s, "the MISSION_ACK to clear"
            )
            if msgid != mavlink.MAVLINK_MSG_ID_MISSION_ACK:
                self.ignored += 1
                continue
            result = int(msg.type)
            if result != mavlink.MAV_MISSION_ACCEPTED:
                raise self._refused(f"vehicle refused to clear: {_result_name(result)}", result)
            return 0
