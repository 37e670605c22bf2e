"""The dock MQTT protocol on the wire: topics, the JSON envelope and its payloads (pydantic).

Modelled on DJI's Cloud API for Dock 2/3 (see docs/dock-protocol.md). Every payload from the
broker goes through ``decode`` before anything else looks at it: oversized, non-JSON or
ill-shaped messages raise ``ProtocolViolation``, which the receivers count and log.
"""

from __future__ import annotations

import json
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from docks._model import (
    ChargeState,
    DockMode,
    DockPower,
    DockReadings,
    DoorState,
    NetworkQuality,
    RainLevel,
)
from docks._services import ServiceStatus

MAX_PAYLOAD_BYTES = 64 * 1024
_ID = r"^[A-Za-z0-9_.:-]{1,64}$"


class ProtocolViolation(ValueError):
    """A message from the broker that is not a valid dock protocol message."""


class TopicKind(StrEnum):
    """The per-dock topics."""

    OSD = "osd"
    STATE = "state"
    SERVICES = "services"
    SERVICES_REPLY = "services_reply"
    EVENTS = "events"
    EVENTS_REPLY = "events_reply"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class Topics:
    """Topic names under an optional prefix (each test, or each city, gets its own)."""

    prefix: str = ""

    def topic(self, kind: TopicKind, sn: str) -> str:
        """The topic of ``kind`` for dock ``sn``."""
        if kind is TopicKind.STATUS:
            return f"{self.prefix}sys/product/{sn}/status"
        return f"{self.prefix}thing/product/{sn}/{kind.value}"

    def station_subscriptions(self) -> list[str]:
        """What the station subscribes to: every dock's reports, replies, events and status."""
        thing = f"{self.prefix}thing/product/+/"
        kinds = (TopicKind.OSD, TopicKind.STATE, TopicKind.SERVICES_REPLY, TopicKind.EVENTS)
        return [thing + k.value for k in kinds] + [f"{self.prefix}sys/product/+/status"]

    def dock_subscriptions(self, sn: str) -> list[str]:
        """What a dock subscribes to: its services and the replies to its events."""
        return [self.topic(TopicKind.SERVICES, sn), self.topic(TopicKind.EVENTS_REPLY, sn)]

    def parse(self, topic: str) -> tuple[TopicKind, str] | None:
        """(kind, dock sn) of a topic under this prefix, or None."""
        if not topic.startswith(self.prefix):
            return None
        parts = topic[len(self.prefix) :].split("/")
        if len(parts) != 4 or parts[1] != "product":
            return None
        root, _, sn, last = parts
        if root == "sys" and last == "status":
            return TopicKind.STATUS, sn
        if root == "thing":
            try:
                return TopicKind(last), sn
            except ValueError:
                return None
        return None


class Envelope(BaseModel):
    """Every message: transaction id, business id, sender's ms timestamp, method, data."""

    model_config = ConfigDict(extra="ignore")

    tid: str = Field(pattern=_ID)
    bid: str = Field(pattern=_ID)
    timestamp: int = Field(ge=0)
    method: str = Field(min_length=1, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict)
    gateway: str | None = None
    need_reply: int | None = Field(None, ge=0, le=1)


class Progress(BaseModel):
    """How far a long service has got."""

    model_config = ConfigDict(extra="ignore")

    percent: int | None = Field(None, ge=0, le=100)
    step_key: str | None = Field(None, max_length=64)


class Output(BaseModel):
    """``output`` of a reply or progress event: a status, progress, and service fields."""

    model_config = ConfigDict(extra="allow")

    status: ServiceStatus
    progress: Progress | None = None


class ResultData(BaseModel):
    """``data`` of ``services_reply`` and of progress events."""

    model_config = ConfigDict(extra="ignore")

    result: int
    output: Output | None = None


class Alarm(BaseModel):
    """One entry of an ``hms`` alarm event."""

    model_config = ConfigDict(extra="ignore")

    level: int = Field(ge=0, le=2)
    code: str = Field(min_length=1, max_length=128)
    message: str = Field("", max_length=1024)


class HmsData(BaseModel):
    """``data`` of an ``hms`` event."""

    model_config = ConfigDict(extra="ignore")

    alarms: list[Alarm] = Field(alias="list", max_length=64)


class ChargeInfo(BaseModel):
    """``drone_charge_state``."""

    model_config = ConfigDict(extra="ignore")

    state: ChargeState
    capacity_percent: float | None = Field(None, ge=0, le=100)


class NetworkInfo(BaseModel):
    """``network_state``."""

    model_config = ConfigDict(extra="ignore")

    type: int = Field(2, ge=1, le=2)
    quality: NetworkQuality
    rate: float = Field(0.0, ge=0)


class DockProperties(BaseModel):
    """Dock readings on ``osd`` (all of them, every 2 s) and ``state`` (what changed)."""

    model_config = ConfigDict(extra="ignore")

    mode_code: DockMode | None = None
    cover_state: DoorState | None = None
    drone_in_dock: int | None = Field(None, ge=0, le=1)
    drone_power_state: int | None = Field(None, ge=0, le=1)
    drone_charge_state: ChargeInfo | None = None
    emergency_stop_state: int | None = Field(None, ge=0, le=1)
    wind_speed: float | None = Field(None, ge=0, le=100)
    rainfall: RainLevel | None = None
    environment_temperature: float | None = Field(None, ge=-60, le=90)
    humidity: float | None = Field(None, ge=0, le=100)
    network_state: NetworkInfo | None = None
    power_source: DockPower | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)

    @classmethod
    def from_readings(cls, r: DockReadings) -> DockProperties:
        """All properties of a readings snapshot."""
        return cls(
            mode_code=r.mode,
            cover_state=r.door,
            drone_in_dock=int(r.drone_present),
            drone_power_state=int(r.drone_powered),
            drone_charge_state=ChargeInfo(state=r.charge_state, capacity_percent=r.drone_battery_pct),
            emergency_stop_state=int(r.emergency_stop),
            wind_speed=r.wind_speed_mps,
            rainfall=r.rain,
            environment_temperature=r.temperature_c,
            humidity=r.humidity_pct,
            network_state=NetworkInfo(quality=r.network),
            power_source=r.power,
            latitude=r.lat_deg,
            longitude=r.lon_deg,
        )

    def merged_into(self, base: DockReadings | None, at: datetime) -> DockReadings:
        """``base`` updated with the properties present in this message."""
        r = base or DockReadings(at=at)
        charge = self.drone_charge_state
        net = self.network_state
        return DockReadings(
            at=at,
            mode=_pick(self.mode_code, r.mode),
            door=_pick(self.cover_state, r.door),
            drone_present=bool(_pick(self.drone_in_dock, int(r.drone_present))),
            drone_powered=bool(_pick(self.drone_power_state, int(r.drone_powered))),
            drone_battery_pct=_pick(charge.capacity_percent if charge else None, r.drone_battery_pct),
            charge_state=charge.state if charge else r.charge_state,
            wind_speed_mps=_pick(self.wind_speed, r.wind_speed_mps),
            rain=_pick(self.rainfall, r.rain),
            temperature_c=_pick(self.environment_temperature, r.temperature_c),
            humidity_pct=_pick(self.humidity, r.humidity_pct),
            power=_pick(self.power_source, r.power),
            network=net.quality if net else r.network,
            emergency_stop=bool(_pick(self.emergency_stop_state, int(r.emergency_stop))),
            lat_deg=_pick(self.latitude, r.lat_deg),
            lon_deg=_pick(self.longitude, r.lon_deg),
        )


class StatusData(BaseModel):
    """``data`` of ``update_topo`` on the status topic (retained; the last-will says offline)."""

    model_config = ConfigDict(extra="ignore")

    online: bool
    sub_devices: list[dict[str, Any]] = Field(default_factory=list, max_length=16)


T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _pick(value: T | None, default: T) -> T:
    return default if value is None else value


def new_id() -> str:
    """A fresh transaction or business id."""
    return uuid.uuid4().hex


def timestamp_ms(at: datetime) -> int:
    """Milliseconds since the epoch of an aware datetime."""
    return int(at.timestamp() * 1000)


def from_timestamp_ms(ms: int) -> datetime:
    """Aware UTC datetime of a millisecond timestamp."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def encode(
    *,
    method: str,
    data: dict[str, Any],
    at: datetime,
    tid: str | None = None,
    bid: str | None = None,
    need_reply: int | None = None,
    gateway: str | None = None,
) -> bytes:
    """One envelope as compact JSON bytes."""
    body: dict[str, Any] = {
        "tid": tid or new_id(),
        "bid": bid or new_id(),
        "timestamp": timestamp_ms(at),
        "method": method,
        "data": data,
    }
    if need_reply is not None:
        body["need_reply"] = need_reply
    if gateway is not None:
        body["gateway"] = gateway
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def decode(payload: bytes | bytearray | str | None) -> Envelope:
    """Parse and validate an envelope, or raise ``ProtocolViolation``."""
    if payload is None:
        raise ProtocolViolation("empty payload")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ProtocolViolation(f"payload of {len(payload)} bytes is over {MAX_PAYLOAD_BYTES}")
    try:
        return Envelope.model_validate_json(payload)
    except (ValidationError, ValueError) as exc:
        raise ProtocolViolation(f"not a dock envelope: {_short(exc)}") from None


def parse_data(model: type[M], envelope: Envelope) -> M:
    """Validate an envelope's ``data`` as ``model``, or raise ``ProtocolViolation``."""
    try:
        return model.model_validate(envelope.data)
    except ValidationError as exc:
        raise ProtocolViolation(f"bad {envelope.method} data: {_short(exc)}") from None


def result_data(status: ServiceStatus, result: int = 0, **output: Any) -> dict[str, Any]:
    """``data`` of a reply or progress event."""
    return {"result": result, "output": {"status": status.value, **output}}


def _short(exc: Exception) -> str:
    text = str(exc).replace("\n", " ")
    return text[:200]


class RecentIds:
    """The last ``size`` ids seen (a bounded set for duplicate and late detection)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def add(self, key: str) -> bool:
        """Remember ``key``; True if it was new."""
        if key in self._ids:
            self._ids.move_to_end(key)
            return False
        self._ids[key] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True

    def __contains__(self, key: object) -> bool:
        return key in self._ids
