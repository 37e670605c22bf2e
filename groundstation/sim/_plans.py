"""The vehicle end of the mission protocol for MISSION, FENCE and RALLY plans.

mavlink.io/en/services/mission.html, as ArduPilot and PX4 implement it::

    upload:   MISSION_COUNT ─▶ RECEIVING ─(request item n, re-request on silence)─▶ ACK ─▶ IDLE
    download: MISSION_REQUEST_LIST ─▶ MISSION_COUNT; each MISSION_REQUEST(_INT) ─▶ item
    clear:    MISSION_CLEAR_ALL ─▶ ACK

A resent item the vehicle already has makes it ask again for the one it needs; an upload the
station goes silent on is re-requested every ``mission_item_timeout_s`` (sim time) and given
up with MISSION_ACK(OPERATION_CANCELLED) after ``mission_transfer_retries``. Items are checked
as they arrive and the whole plan when complete; a bad plan is refused with the matching
MAV_MISSION_RESULT and leaves the stored plan untouched. Faults from the
:class:`~groundstation.sim._faults.FaultInjector` bend each step.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation.sim._clock import SimTimers
from groundstation.sim._faults import FaultInjector, PlanFault

__all__ = ["PlanServer", "PlanStore"]

_CAPACITY = {MissionType.MISSION: 700, MissionType.FENCE: 100, MissionType.RALLY: 20}
_GLOBAL = {MavFrame.GLOBAL, MavFrame.GLOBAL_RELATIVE_ALT, MavFrame.GLOBAL_INT,
           MavFrame.GLOBAL_RELATIVE_ALT_INT, MavFrame.GLOBAL_TERRAIN_ALT,
           MavFrame.GLOBAL_TERRAIN_ALT_INT}  # fmt: skip
_FRAMES = _GLOBAL | {MavFrame.MISSION}
_FENCE_CMDS = {
    MavCmd.NAV_FENCE_RETURN_POINT,
    MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
    MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION,
    MavCmd.NAV_FENCE_CIRCLE_INCLUSION,
    MavCmd.NAV_FENCE_CIRCLE_EXCLUSION,
}
_VERTEX_CMDS = {MavCmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION, MavCmd.NAV_FENCE_POLYGON_VERTEX_EXCLUSION}
_CIRCLE_CMDS = {MavCmd.NAV_FENCE_CIRCLE_INCLUSION, MavCmd.NAV_FENCE_CIRCLE_EXCLUSION}

PlanCheck = Callable[[MissionType, list[MissionItem]], tuple[int, str] | None]


@dataclass(slots=True)
class PlanStore:
    """The plans a vehicle holds, as uploaded (ArduPilot's mission keeps home at item 0)."""

    plans: dict[MissionType, list[MissionItem]] = field(
        default_factory=lambda: {t: [] for t in MissionType}
    )
    versions: dict[MissionType, int] = field(default_factory=lambda: {t: 0 for t in MissionType})

    def get(self, mission_type: MissionType) -> list[MissionItem]:
        """The stored items of one plan type."""
        return self.plans[mission_type]

    def put(self, mission_type: MissionType, items: list[MissionItem]) -> None:
        """Replace one plan."""
        self.plans[mission_type] = list(items)
        self.versions[mission_type] += 1


def item_from_message(msg: Any) -> MissionItem:
    """A MissionItem from MISSION_ITEM_INT or (float) MISSION_ITEM."""
    x, y = msg.x, msg.y
    if msg.get_type() == "MISSION_ITEM":
        scale = 1e7 if msg.frame in _GLOBAL else 1.0
        x = round(x * scale) if math.isfinite(x) else 0
        y = round(y * scale) if math.isfinite(y) else 0
    return MissionItem(
        command=msg.command, frame=msg.frame, param1=msg.param1, param2=msg.param2,
        param3=msg.param3, param4=msg.param4, x=int(x), y=int(y), z=msg.z,
        autocontinue=bool(msg.autocontinue), current=bool(msg.current),
        mission_type=MissionType(msg.mission_type),
    )  # fmt: skip


def check_item(item: MissionItem, mission_type: MissionType) -> int | None:
    """The MAV_MISSION_RESULT refusing one item, or None when it is acceptable."""
    if item.frame not in _FRAMES:
        return mavlink.MAV_MISSION_UNSUPPORTED_FRAME
    cmd = item.command
    if mission_type == MissionType.FENCE:
        if cmd not in _FENCE_CMDS:
            return mavlink.MAV_MISSION_UNSUPPORTED
        if cmd in _VERTEX_CMDS and not 3 <= item.param1 <= 255:
            return mavlink.MAV_MISSION_INVALID_PARAM1
        if cmd in _CIRCLE_CMDS and not item.param1 > 0:
            return mavlink.MAV_MISSION_INVALID_PARAM1
    elif mission_type == MissionType.RALLY:
        if cmd != MavCmd.NAV_RALLY_POINT:
            return mavlink.MAV_MISSION_UNSUPPORTED
    elif cmd in _FENCE_CMDS or cmd == MavCmd.NAV_RALLY_POINT:
        return mavlink.MAV_MISSION_UNSUPPORTED
    if item.frame in _GLOBAL and (item.x != 0 or item.y != 0):
        if not -900_000_000 <= item.x <= 900_000_000:
            return mavlink.MAV_MISSION_INVALID_PARAM5_X
        if not -1_800_000_000 <= item.y <= 1_800_000_000:
            return mavlink.MAV_MISSION_INVALID_PARAM6_Y
    if not math.isfinite(item.z):
        return mavlink.MAV_MISSION_INVALID_PARAM7
    return None


def check_fence_polygons(items: list[MissionItem]) -> bool:
    """Whether polygon vertices come in complete runs of the count their param1 gives."""
    i = 0
    while i < len(items):
        item = items[i]
        if item.command in _VERTEX_CMDS:
            n = int(item.param1)
            run = items[i : i + n]
            if len(run) < n or any(
                v.command != item.command or int(v.param1) != n for v in run
            ):
                return False
            i += n
        else:
            i += 1
    return True


@dataclass(slots=True)
class _Upload:
    mission_type: MissionType
    count: int
    target: tuple[int, int]
    items: list[MissionItem] = field(default_factory=list)
    retries: int = 0
    timer: int | None = None


class PlanServer:
    """Answers the station's mission, fence and rally transfers."""

    def __init__(
        self,
        store: PlanStore,
        *,
        send: Callable[[Any], None],
        now_s: Callable[[], float],
        timers: SimTimers,
        faults: FaultInjector,
        check_plan: PlanCheck,
        home_item: Callable[[], MissionItem],
        on_stored: Callable[[MissionType], None],
        mission_offset: int,
        legacy_first_request: bool,
        item_timeout_s: float,
        retries: int,
    ) -> None:
        self.store = store
        self._send = send
        self._now_s = now_s
        self._timers = timers
        self._faults = faults
        self._check_plan = check_plan
        self._home_item = home_item
        self._on_stored = on_stored
        self._offset = mission_offset
        self._legacy_first = legacy_first_request
        self._item_timeout_s = item_timeout_s
        self._retries = retries
        self._upload: _Upload | None = None
        self.seen_int = False
        self.acks_received: list[int] = []

    @property
    def receiving(self) -> bool:
        """Whether an upload is in progress."""
        return self._upload is not None

    def handlers(self) -> dict[str, Callable[[Any], None]]:
        """Message type → handler."""
        return {
            "MISSION_COUNT": self.on_count,
            "MISSION_ITEM_INT": self.on_item,
            "MISSION_ITEM": self.on_item,
            "MISSION_REQUEST_LIST": self.on_request_list,
            "MISSION_REQUEST_INT": self.on_request,
            "MISSION_REQUEST": self.on_request,
            "MISSION_CLEAR_ALL": self.on_clear_all,
            "MISSION_ACK": self.on_ack,
        }

    # -- upload -------------------------------------------------------------------------------

    def on_count(self, msg: Any) -> None:
        """Start receiving a plan (a new count restarts a transfer in progress)."""
        mission_type = _mission_type(msg)
        if mission_type is None or self._faults.plan_fault(PlanFault.NO_RESPONSE, mission_type):
            return
        self._end_upload()
        target = (msg.get_srcSystem(), msg.get_srcComponent())
        if msg.count > _CAPACITY[mission_type]:
            self._ack(target, mavlink.MAV_MISSION_NO_SPACE, mission_type)
            return
        if msg.count == 0:
            self._store(mission_type, [], target)
            return
        self._upload = _Upload(mission_type, msg.count, target)
        self._request_next()

    def on_item(self, msg: Any) -> None:
        """Take one uploaded item."""
        if msg.get_type() == "MISSION_ITEM_INT":
            self.seen_int = True
        up = self._upload
        if up is None or _mission_type(msg) != up.mission_type:
            return
        expected = len(up.items)
        if msg.seq != expected:
            self._request_next()  # a resent or skipped item: ask for the one needed
            return
        item = item_from_message(msg)
        refused = check_item(item, up.mission_type)
        if refused is None and self._faults.plan_fault(
            PlanFault.ERROR_ACK, up.mission_type, msg.seq
        ):
            refused = mavlink.MAV_MISSION_ERROR
        if refused is not None:
            self._end_upload()
            self._ack(up.target, refused, up.mission_type)
            return
        up.items.append(item)
        up.retries = 0
        if len(up.items) < up.count:
            self._request_next()
            return
        self._end_upload()
        problem = self._check_plan(up.mission_type, up.items)
        if problem is not None:
            self._ack(up.target, problem[0], up.mission_type)
            return
        self._store(up.mission_type, up.items, up.target)

    def _request_next(self) -> None:
        up = self._upload
        if up is None:
            return
        self._timers.cancel(up.timer)
        up.timer = self._timers.call_at(self._now_s() + self._item_timeout_s, self._on_silence)
        seq = len(up.items)
        if self._faults.plan_fault(PlanFault.DROP_REQUEST, up.mission_type, seq):
            return
        if self._faults.plan_fault(PlanFault.WRONG_SEQUENCE, up.mission_type, seq):
            seq = min(seq + 1, up.count - 1) if up.count > 1 else seq + 1
        cls: Any = mavlink.MAVLink_mission_request_int_message
        if seq == 0 and self._legacy_first and not self.seen_int:
            cls = mavlink.MAVLink_mission_request_message
        self._send(cls(up.target[0], up.target[1], seq, up.mission_type))

    def _on_silence(self) -> None:
        up = self._upload
        if up is None:
            return
        up.timer = None
        up.retries += 1
        if up.retries > self._retries:
            self._end_upload()
            self._ack(up.target, mavlink.MAV_MISSION_OPERATION_CANCELLED, up.mission_type)
            return
        self._request_next()

    def _end_upload(self) -> None:
        if self._upload is not None:
            self._timers.cancel(self._upload.timer)
            self._upload = None

    def _store(
        self, mission_type: MissionType, items: list[MissionItem], target: tuple[int, int]
    ) -> None:
        self.store.put(mission_type, items)
        self._on_stored(mission_type)
        if not self._faults.plan_fault(PlanFault.NO_FINAL_ACK, mission_type):
            self._ack(target, mavlink.MAV_MISSION_ACCEPTED, mission_type)

    # -- download -----------------------------------------------------------------------------

    def items_for_download(self, mission_type: MissionType) -> list[MissionItem]:
        """What a download returns (ArduPilot: current home at item 0 of the mission)."""
        items = self.store.get(mission_type)
        if mission_type == MissionType.MISSION and self._offset:
            home = self._home_item()
            return [home, *items[1:]]
        return items

    def on_request_list(self, msg: Any) -> None:
        """Answer with the plan's item count."""
        mission_type = _mission_type(msg)
        if mission_type is None or self._faults.plan_fault(PlanFault.NO_RESPONSE, mission_type):
            return
        count = len(self.items_for_download(mission_type))
        self._send(
            mavlink.MAVLink_mission_count_message(
                msg.get_srcSystem(), msg.get_srcComponent(), count, mission_type
            )
        )

    def on_request(self, msg: Any) -> None:
        """Send one item of a download (MISSION_ITEM for the legacy request)."""
        if msg.get_type() == "MISSION_REQUEST_INT":
            self.seen_int = True
        mission_type = _mission_type(msg)
        if mission_type is None or self._upload is not None:
            return  # no downloads while an upload is in progress
        target = (msg.get_srcSystem(), msg.get_srcComponent())
        items = self.items_for_download(mission_type)
        seq = msg.seq
        if not 0 <= seq < len(items):
            self._ack(target, mavlink.MAV_MISSION_INVALID_SEQUENCE, mission_type)
            return
        faults = self._faults
        if faults.plan_fault(PlanFault.DROP_ITEM, mission_type, seq):
            return
        if faults.plan_fault(PlanFault.ERROR_ACK, mission_type, seq):
            self._ack(target, mavlink.MAV_MISSION_ERROR, mission_type)
            return
        if faults.plan_fault(PlanFault.WRONG_SEQUENCE, mission_type, seq):
            seq = (seq + 1) % len(items)
        item = replace(items[seq], mission_type=mission_type)
        self._send(_item_message(item, seq, target, legacy=msg.get_type() == "MISSION_REQUEST"))

    def on_ack(self, msg: Any) -> None:
        """The station's closing ACK of a download, or its complaint during an upload.

        A peer that refuses the legacy MISSION_REQUEST during an upload makes the vehicle
        switch to MISSION_REQUEST_INT and ask again (PX4's behaviour).
        """
        self.acks_received.append(msg.type)
        up = self._upload
        if up is not None and msg.type != mavlink.MAV_MISSION_ACCEPTED and not self.seen_int:
            self.seen_int = True
            self._request_next()

    # -- clear --------------------------------------------------------------------------------

    def on_clear_all(self, msg: Any) -> None:
        """Remove a plan."""
        mission_type = _mission_type(msg)
        if mission_type is None or self._faults.plan_fault(PlanFault.NO_RESPONSE, mission_type):
            return
        self._end_upload()
        self._store(mission_type, [], (msg.get_srcSystem(), msg.get_srcComponent()))

    def _ack(self, target: tuple[int, int], result: int, mission_type: int) -> None:
        self._send(mavlink.MAVLink_mission_ack_message(target[0], target[1], result, mission_type))


def _mission_type(msg: Any) -> MissionType | None:
    try:
        return MissionType(getattr(msg, "mission_type", 0))
    except ValueError:
        return None


def _item_message(item: MissionItem, seq: int, target: tuple[int, int], *, legacy: bool) -> Any:
    if legacy:
        scale = 1e7 if item.frame in _GLOBAL else 1.0
        return mavlink.MAVLink_mission_item_message(
            target[0], target[1], seq, item.frame, item.command, int(item.current),
            int(item.autocontinue), item.param1, item.param2, item.param3, item.param4,
            item.x / scale, item.y / scale, item.z, item.mission_type,
        )  # fmt: skip
    return mavlink.MAVLink_mission_item_int_message(
        target[0], target[1], seq, item.frame, item.command, int(item.current),
        int(item.autocontinue), item.param1, item.param2, item.param3, item.param4,
        item.x, item.y, item.z, item.mission_type,
    )  # fmt: skip
