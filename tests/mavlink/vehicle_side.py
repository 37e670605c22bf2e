"""Vehicle-side protocol handlers for a ScriptedPeer: commands, parameters, mission server.

Small, explicit implementations of the vehicle end of each protocol, written from
mavlink.io, with switches for the faults the station must survive.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from tests.mavlink.peer import ScriptedPeer

GCS = (255, 190)


class MiniAutopilot:
    """Accepts commands like a tolerant autopilot and records them; tests override results."""

    def __init__(self, peer: ScriptedPeer, *, px4: bool = False) -> None:
        self.peer = peer
        self.px4 = px4
        self.log: list[tuple[str, Any]] = []  # ("long"|"int", message)
        self.results: dict[int, Callable[[Any], int | None]] = {}
        peer.handlers["COMMAND_LONG"] = self._on_long
        peer.handlers["COMMAND_INT"] = self._on_int

    def commands(self) -> list[int]:
        """MAV_CMD ids in the order they arrived (each attempt counted)."""
        return [m.command for _, m in self.log]

    def _on_long(self, peer: ScriptedPeer, msg: Any) -> None:
        self.log.append(("long", msg))
        self._handle(msg)

    def _on_int(self, peer: ScriptedPeer, msg: Any) -> None:
        self.log.append(("int", msg))
        self._handle(msg)

    def _handle(self, msg: Any) -> None:
        rule = self.results.get(msg.command)
        result = rule(msg) if rule is not None else mavlink.MAV_RESULT_ACCEPTED
        if result is None:
            return  # stay silent
        if result == mavlink.MAV_RESULT_ACCEPTED:
            self._apply(msg)
        self.peer.ack(msg.command, result)

    def _apply(self, msg: Any) -> None:
        peer = self.peer
        if msg.command == mavlink.MAV_CMD_DO_SET_MODE:
            if self.px4:
                peer.custom_mode = (int(msg.param2) << 16) | (int(msg.param3) << 24)
            else:
                peer.custom_mode = int(msg.param2)
            peer.send(peer.heartbeat())
        elif msg.command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
            if msg.param1 == 1:
                peer.base_mode |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
            else:
                peer.base_mode &= ~mavlink.MAV_MODE_FLAG_SAFETY_ARMED
            peer.send(peer.heartbeat())


def bytewise(value: float, param_type: int) -> float:
    """Reinterpret an integer's bytes as the float PARAM_VALUE carries (bytewise encoding)."""
    fmt = {1: "<B", 2: "<b", 3: "<H", 4: "<h", 5: "<I", 6: "<i"}.get(param_type)
    if fmt is None:
        return float(value)
    return float(struct.unpack("<f", struct.pack(fmt, int(value)).ljust(4, b"\0"))[0])


@dataclass
class ParamStore:
    """A parameter server: answers read, list and set; optional faults."""

    peer: ScriptedPeer
    values: dict[str, tuple[float, int]]  # name -> (value, MAV_PARAM_TYPE)
    bytewise_ints: bool = False
    skip_in_list: set[int] = field(default_factory=set)  # indices missing from the first stream
    refuse: set[str] = field(default_factory=set)  # PARAM_SET ignored: answers the old value
    reads_by_index: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.peer.handlers["PARAM_REQUEST_READ"] = self._on_read
        self.peer.handlers["PARAM_REQUEST_LIST"] = self._on_list
        self.peer.handlers["PARAM_SET"] = self._on_set

    @property
    def names(self) -> list[str]:
        return list(self.values)

    def _send(self, name: str) -> None:
        value, ptype = self.values[name]
        wire = bytewise(value, ptype) if self.bytewise_ints else float(value)
        index = self.names.index(name)
        self.peer.send(
            mavlink.MAVLink_param_value_message(name.encode(), wire, ptype, len(self.values), index)
        )

    def _on_read(self, peer: ScriptedPeer, msg: Any) -> None:
        if msg.param_index >= 0:
            self.reads_by_index.append(msg.param_index)
            if msg.param_index < len(self.values):
                self._send(self.names[msg.param_index])
            return
        name = msg.param_id
        if name in self.values:
            self._send(name)

    def _on_list(self, peer: ScriptedPeer, msg: Any) -> None:
        for i, name in enumerate(self.names):
            if i not in self.skip_in_list:
                self._send(name)

    def _on_set(self, peer: ScriptedPeer, msg: Any) -> None:
        name = msg.param_id
        if name not in self.values:
            return
        if name not in self.refuse:
            _, ptype = self.values[name]
            raw = struct.pack("<f", msg.param_value)
            if self.bytewise_ints and ptype != mavlink.MAV_PARAM_TYPE_REAL32:
                fmt = {1: "<B", 2: "<b", 3: "<H", 4: "<h", 5: "<I", 6: "<i"}[ptype]
                value: float = struct.unpack(fmt, raw[: struct.calcsize(fmt)])[0]
            else:
                value = msg.param_value
            self.values[name] = (value, ptype)
        self._send(name)


@dataclass
class MissionServer:
    """The vehicle end of the mission protocol, with switches for faults.

    ``drop_requests``: item requests not sent the first time (the vehicle then waits for the
    station to resend the previous item). ``legacy_first_request``: ask for item 0 with
    MISSION_REQUEST like PX4 on a fresh link. ``error_at``: answer that item with an error ack.
    ``lose_items``: items (download) whose first answer is lost.
    """

    peer: ScriptedPeer
    plans: dict[int, list[Any]] = field(default_factory=lambda: {0: [], 1: [], 2: []})
    drop_requests: set[int] = field(default_factory=set)
    legacy_first_request: bool = False
    duplicate_requests: bool = False
    error_at: int | None = None
    error_result: int = mavlink.MAV_MISSION_NO_SPACE
    lose_items: set[int] = field(default_factory=set)
    reply_with_float_items: bool = False
    silent: bool = False
    acks_from_station: list[Any] = field(default_factory=list)
    requests_sent: list[int] = field(default_factory=list)
    _incoming: list[Any] = field(default_factory=list)
    _expected_count: int = 0
    _type: int = 0

    def __post_init__(self) -> None:
        h = self.peer.handlers
        h["MISSION_COUNT"] = self._on_count
        h["MISSION_ITEM_INT"] = self._on_item
        h["MISSION_REQUEST_LIST"] = self._on_request_list
        h["MISSION_REQUEST_INT"] = self._on_request
        h["MISSION_REQUEST"] = self._on_request
        h["MISSION_CLEAR_ALL"] = self._on_clear
        h["MISSION_ACK"] = lambda peer, msg: self.acks_from_station.append(msg)

    def _request(self, seq: int) -> None:
        if seq in self.drop_requests:
            self.drop_requests.discard(seq)
            return
        self.requests_sent.append(seq)
        if seq == 0 and self.legacy_first_request:
            self.peer.send(mavlink.MAVLink_mission_request_message(*GCS, seq, self._type))
        else:
            self.peer.send(mavlink.MAVLink_mission_request_int_message(*GCS, seq, self._type))
        if self.duplicate_requests:
            self.peer.send(mavlink.MAVLink_mission_request_int_message(*GCS, seq, self._type))

    def _ack(self, result: int, mission_type: int) -> None:
        self.peer.send(mavlink.MAVLink_mission_ack_message(*GCS, result, mission_type))

    def _on_count(self, peer: ScriptedPeer, msg: Any) -> None:
        if self.silent:
            return
        self._type = msg.mission_type
        self._expected_count = msg.count
        self._incoming = []
        if msg.count == 0:
            self.plans[self._type] = []
            self._ack(mavlink.MAV_MISSION_ACCEPTED, self._type)
            return
        self._request(0)

    def _on_item(self, peer: ScriptedPeer, msg: Any) -> None:
        expected = len(self._incoming)
        if msg.seq < expected:
            self._request(expected)  # a resent item: ask again for the one we need
            return
        if msg.seq != expected:
            return
        if self.error_at == msg.seq:
            self._ack(self.error_result, self._type)
            return
        self._incoming.append(msg)
        if len(self._incoming) == self._expected_count:
            self.plans[self._type] = list(self._incoming)
            self._ack(mavlink.MAV_MISSION_ACCEPTED, self._type)
        else:
            self._request(len(self._incoming))

    def _on_request_list(self, peer: ScriptedPeer, msg: Any) -> None:
        if self.silent:
            return
        self.peer.send(
            mavlink.MAVLink_mission_count_message(
                *GCS, len(self.plans[msg.mission_type]), msg.mission_type
            )
        )

    def _on_request(self, peer: ScriptedPeer, msg: Any) -> None:
        if msg.seq in self.lose_items:
            self.lose_items.discard(msg.seq)
            return
        item = self.plans[msg.mission_type][msg.seq]
        if self.reply_with_float_items:
            scale = 1e7 if item.frame in (0, 3, 5, 6, 10, 11) else 1.0
            self.peer.send(
                mavlink.MAVLink_mission_item_message(
                    *GCS, item.seq, item.frame, item.command, item.current, item.autocontinue,
                    item.param1, item.param2, item.param3, item.param4,
                    item.x / scale, item.y / scale, item.z, item.mission_type,
                )
            )  # fmt: skip
            return
        self.peer.send(
            mavlink.MAVLink_mission_item_int_message(
                *GCS, item.seq, item.frame, item.command, item.current, item.autocontinue,
                item.param1, item.param2, item.param3, item.param4,
                item.x, item.y, item.z, item.mission_type,
            )
        )  # fmt: skip

    def _on_clear(self, peer: ScriptedPeer, msg: Any) -> None:
        self.plans[msg.mission_type] = []
        self._ack(mavlink.MAV_MISSION_ACCEPTED, msg.mission_type)
