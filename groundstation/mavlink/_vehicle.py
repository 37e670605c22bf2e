"""One vehicle: where its state, links, firmware plugin and protocol engines are assembled.

A :class:`Vehicle` is created by the fleet on the first autopilot HEARTBEAT from a system id,
whichever link it came on; later links carrying the same system id join it. Commands go out on
the primary link (the live link heard from most recently when the current one is lost).
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Callable, Coroutine, Hashable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic
from typing import TYPE_CHECKING, Any

from geofence import MissionItem, MissionType
from groundstation._exceptions import CommandTimeout, CommLost, LinkError, StationError
from groundstation._waiting import within
from groundstation.config import MavlinkSettings
from groundstation.events import (
    ArmedChanged,
    EventBus,
    LinkLost,
    LinkRegained,
    MissionProgress,
    ModeChanged,
    StatusText,
    SystemStatusChanged,
    VideoStreamAnnounced,
)
from groundstation.firmware import (
    Arm,
    Cmd,
    FirmwarePlugin,
    FlightIntent,
    ParamEncoding,
    SetMode,
    SetParam,
    Step,
    WaitUntil,
    cmd,
    family_of,
    plugin_for,
)
from groundstation.mavlink._commands import CommandAck, CommandEngine
from groundstation.mavlink._dialect import decode, enum_name, layout, mavlink
from groundstation.mavlink._params import Parameters
from groundstation.mavlink._plan import PlanTransfer
from groundstation.mavlink._signing import parse_key, signing_timestamp_now
from groundstation.mavlink._telemetry import StatusTextEntry, TelemetryDecoder, VehicleState
from groundstation.mavlink._traffic import TrafficDecoder

if TYPE_CHECKING:
    from groundstation.mavlink._session import LinkSession

__all__ = ["HEARTBEAT", "Vehicle"]

_log = logging.getLogger(__name__)

HEARTBEAT = layout(
    mavlink.MAVLink_heartbeat_message,
    "custom_mode",
    "type",
    "autopilot",
    "base_mode",
    "system_status",
)
_MISSION_CURRENT = layout(mavlink.MAVLink_mission_current_message, "seq", "total", "mission_state")
_ITEM_REACHED = layout(mavlink.MAVLink_mission_item_reached_message, "seq")
_STATUSTEXT = layout(mavlink.MAVLink_statustext_message, "severity", "text", "id", "chunk_seq")
_VERSION = layout(mavlink.MAVLink_autopilot_version_message, "capabilities")
_ARMED = mavlink.MAV_MODE_FLAG_SAFETY_ARMED
_TEXT_CHUNK = 50

Spawn = Callable[[Coroutine[Any, Any, None], str], None]


@dataclass(slots=True)
class _LinkEntry:
    session: LinkSession
    peer: Hashable
    last_heartbeat_s: float
    alive: bool = True


@dataclass(slots=True)
class _TextChunks:
    severity: int
    parts: dict[int, str]
    started_s: float


class Vehicle:
    """A vehicle the station talks to; see the package docstring for the API."""

    def __init__(
        self,
        *,
        system_id: int,
        component_id: int,
        autopilot: int,
        vehicle_type: int,
        settings: MavlinkSettings,
        bus: EventBus,
        spawn: Spawn,
    ) -> None:
        self.system_id = system_id
        self.component_id = component_id
        self._settings = settings
        self._bus = bus
        self._spawn = spawn
        self.firmware: FirmwarePlugin = plugin_for(autopilot)
        self.state = VehicleState(
            system_id=system_id,
            component_id=component_id,
            autopilot=enum_name("MAV_AUTOPILOT", autopilot),
            family=family_of(autopilot),
            vehicle_type=enum_name("MAV_TYPE", vehicle_type),
            status_texts=collections.deque(maxlen=settings.status_text_history),
        )
        self._links: dict[str, _LinkEntry] = {}
        self._primary: _LinkEntry | None = None
        self._mode_key: tuple[int, int] = (-1, -1)
        self._text_chunks: dict[int, _TextChunks] = {}
        self._waiters: list[tuple[Callable[[VehicleState], bool], asyncio.Future[None]]] = []
        self._encoding_override: ParamEncoding | None = None
        self._commands = CommandEngine(self, settings, bus)
        self.params = Parameters(self, settings, self.param_encoding)
        self._plans = PlanTransfer(self, self.state, self.firmware, settings, bus)
        telemetry = TelemetryDecoder(self.state)
        self.traffic = TrafficDecoder(system_id, bus)
        """Remote ID and ADS-B reports this vehicle relays (published as TrafficSeen)."""
        self.handlers: dict[int, Callable[[int, bytes], None]] = {
            **telemetry.handlers(),  # type: ignore[dict-item]
            **self.traffic.handlers(),  # type: ignore[dict-item]
            **self._plans.handlers(),
            mavlink.MAVLINK_MSG_ID_COMMAND_ACK: self._commands.on_command_ack,
            mavlink.MAVLINK_MSG_ID_PARAM_VALUE: self.params.on_param_value,
            mavlink.MAVLINK_MSG_ID_MISSION_CURRENT: self._on_mission_current,
            mavlink.MAVLINK_MSG_ID_MISSION_ITEM_REACHED: self._on_item_reached,
            mavlink.MAVLINK_MSG_ID_STATUSTEXT: self._on_statustext,
            mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION: self._on_autopilot_version,
            mavlink.MAVLINK_MSG_ID_VIDEO_STREAM_INFORMATION: self._on_video_stream_information,
        }

    def __repr__(self) -> str:
        return f"<Vehicle {self.system_id} {self.state.family} {self.state.mode}>"

    # -- channel (what the engines use) -------------------------------------------------------

    @property
    def gcs_system_id(self) -> int:
        """The station's system id."""
        return self._settings.gcs_system_id

    @property
    def gcs_component_id(self) -> int:
        """The station's component id."""
        return self._settings.gcs_component_id

    @property
    def comm_lost(self) -> bool:
        """True when no link has had a heartbeat within the link-lost timeout."""
        return self._primary is None or not self._primary.alive

    def addressed_to_us(self, target_system: int, target_component: int) -> bool:
        """Whether target fields name this station (0 is broadcast)."""
        return target_system in (0, self._settings.gcs_system_id) and target_component in (
            0,
            self._settings.gcs_component_id,
        )

    def send(self, msg: Any) -> None:
        """Send a pymavlink message on the primary link."""
        entry = self._primary
        if entry is None or not entry.alive:
            raise CommLost(f"vehicle {self.system_id}: no live link")
        entry.session.send(msg, entry.peer)

    def param_encoding(self) -> ParamEncoding:
        """How this vehicle encodes integer parameters."""
        return self._encoding_override or self.firmware.param_encoding

    # -- links and heartbeats -----------------------------------------------------------------

    @property
    def links(self) -> tuple[str, ...]:
        """Names of the links this vehicle has been heard on."""
        return tuple(self._links)

    @property
    def primary_link(self) -> str | None:
        """The link commands go out on."""
        return self._primary.session.name if self._primary is not None else None

    @property
    def flying(self) -> bool:
        """Whether the vehicle is in the air (the firmware's reading of its state)."""
        return self.firmware.is_flying(self.state)

    def on_heartbeat(
        self, session: LinkSession, peer: Hashable, compid: int, payload: bytes
    ) -> None:
        """HEARTBEAT from this system id on a link."""
        custom_mode, _type, _autopilot, base_mode, system_status = HEARTBEAT.unpack(payload)
        if compid != self.component_id:
            return
        now = monotonic()
        state = self.state
        state.last_heartbeat_s = now
        entry = self._links.get(session.name)
        if entry is None:
            entry = self._links[session.name] = _LinkEntry(session, peer, now)
            if self._primary is None or not self._primary.alive:
                self._primary = entry
            self._refresh_link_state()
        else:
            entry.last_heartbeat_s = now
            entry.peer = peer
            if not entry.alive:
                entry.alive = True
                if self._primary is None or not self._primary.alive:
                    self._primary = entry
                self._refresh_link_state()
                self._bus.publish(LinkRegained(system_id=self.system_id, link=session.name))
        armed = bool(base_mode & _ARMED)
        if armed != state.armed:
            state.armed = armed
            self._bus.publish(ArmedChanged(system_id=self.system_id, armed=armed))
        mode_key = (base_mode & ~_ARMED, custom_mode)
        if mode_key != self._mode_key:
            self._mode_key = mode_key
            mode = self.firmware.mode_name(base_mode, custom_mode)
            if mode != state.mode:
                previous, state.mode = state.mode, mode
                self._bus.publish(
                    ModeChanged(system_id=self.system_id, mode=mode, previous=previous)
                )
        status = enum_name("MAV_STATE", system_status)
        if status != state.system_status:
            previous, state.system_status = state.system_status, status
            self._bus.publish(
                SystemStatusChanged(system_id=self.system_id, status=status, previous=previous)
            )

    def check_links(self, now: float) -> None:
        """Mark links without a recent heartbeat as lost (called periodically by the fleet)."""
        timeout = self._settings.link_lost_timeout_s
        for name, entry in self._links.items():
            if entry.alive and now - entry.last_heartbeat_s > timeout:
                entry.alive = False
                if entry is self._primary:
                    live = [e for e in self._links.values() if e.alive]
                    if live:
                        self._primary = max(live, key=lambda e: e.last_heartbeat_s)
                self._refresh_link_state()
                self._bus.publish(
                    LinkLost(system_id=self.system_id, link=name, comm_lost=self.comm_lost)
                )
        self._refresh_link_state()
        self._flush_text_chunks(now, force=False)
        if self._waiters:
            self.check_waiters()

    def _refresh_link_state(self) -> None:
        link = self.state.link
        link.live_links = tuple(name for name, e in self._links.items() if e.alive)
        link.comm_lost = self.comm_lost
        if self._primary is not None:
            session = self._primary.session
            link.link = session.name
            link.received, link.lost = session.stream_counts(self.system_id, self.component_id)

    # -- other state messages -----------------------------------------------------------------

    def _on_mission_current(self, compid: int, payload: bytes) -> None:
        if compid != self.component_id:
            return
        seq, total, mission_state = _MISSION_CURRENT.unpack(payload)
        offset = self.firmware.plan_offset(MissionType.MISSION)
        mission = self.state.mission
        current = seq - offset
        total_items = max(total - offset, 0) if total not in (0, 0xFFFF) else mission.total
        state_name = enum_name("MISSION_STATE", mission_state) if mission_state else mission.state
        mission.updated_s = monotonic()
        if current != mission.current or total_items != mission.total:
            mission.current = current
            mission.total = total_items
            mission.state = state_name
            self._publish_progress()
        mission.state = state_name

    def _on_item_reached(self, compid: int, payload: bytes) -> None:
        if compid != self.component_id:
            return
        (seq,) = _ITEM_REACHED.unpack(payload)
        reached = seq - self.firmware.plan_offset(MissionType.MISSION)
        mission = self.state.mission
        if reached != mission.reached:
            mission.reached = reached
            mission.updated_s = monotonic()
            self._publish_progress()

    def _publish_progress(self) -> None:
        m = self.state.mission
        self._bus.publish(
            MissionProgress(
                system_id=self.system_id, current=m.current, total=m.total, reached=m.reached
            )
        )

    def _on_autopilot_version(self, compid: int, payload: bytes) -> None:
        if compid != self.component_id:
            return
        (capabilities,) = _VERSION.unpack(payload)
        self.state.capabilities = capabilities
        if capabilities & mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE:
            self._encoding_override = ParamEncoding.BYTEWISE
        elif capabilities & mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_C_CAST:
            self._encoding_override = ParamEncoding.C_CAST

    def _on_video_stream_information(self, compid: int, payload: bytes) -> None:
        msg = decode(mavlink.MAVLINK_MSG_ID_VIDEO_STREAM_INFORMATION, payload)
        uri = _text(msg.uri).strip()
        if not uri:
            _log.info("vehicle %d: VIDEO_STREAM_INFORMATION without a uri ignored", self.system_id)
            return
        self._bus.publish(VideoStreamAnnounced(
            system_id=self.system_id, component_id=compid, stream_number=msg.stream_id,
            stream_type=msg.type, encoding=msg.encoding, uri=uri,
            name=_text(msg.name),
            running=bool(msg.flags & mavlink.VIDEO_STREAM_STATUS_FLAGS_RUNNING)))

    def _on_statustext(self, compid: int, payload: bytes) -> None:
        if compid != self.component_id:
            return
        severity, raw, text_id, chunk_seq = _STATUSTEXT.unpack(payload)
        complete = b"\0" in raw
        text = raw.split(b"\0", 1)[0].decode("utf-8", errors="replace")
        if text_id == 0:
            self._emit_text(severity, text)
            return
        chunks = self._text_chunks.get(text_id)
        if chunks is None:
            chunks = self._text_chunks[text_id] = _TextChunks(severity, {}, monotonic())
        chunks.parts[chunk_seq] = text
        if complete:
            del self._text_chunks[text_id]
            self._emit_text(chunks.severity, "".join(chunks.parts[k] for k in sorted(chunks.parts)))

    def _flush_text_chunks(self, now: float, *, force: bool) -> None:
        timeout = self._settings.status_text_chunk_timeout_s
        for text_id, chunks in list(self._text_chunks.items()):
            if force or now - chunks.started_s > timeout:
                del self._text_chunks[text_id]
                joined = "".join(chunks.parts[k] for k in sorted(chunks.parts))
                self._emit_text(chunks.severity, joined + "…")

    def _emit_text(self, severity: int, text: str) -> None:
        at = datetime.now(UTC)
        self.state.status_texts.append(StatusTextEntry(at, severity, text))
        self._bus.publish(StatusText(at=at, system_id=self.system_id, severity=severity, text=text))

    # -- waiting on state ---------------------------------------------------------------------

    def check_waiters(self) -> None:
        """Resolve :meth:`wait_until` callers whose test now passes."""
        state = self.state
        keep = []
        for test, fut in self._waiters:
            if fut.done():
                continue
            try:
                passed = test(state)
            except Exception as exc:  # noqa: BLE001 - a caller's broken test must not stop ingest
                fut.set_exception(exc)
                continue
            if passed:
                fut.set_result(None)
            else:
                keep.append((test, fut))
        self._waiters = keep

    async def wait_until(self, test: Callable[[VehicleState], bool], timeout_s: float) -> None:
        """Wait until the vehicle's state passes a test (checked on every message); TimeoutError."""
        if test(self.state):
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((test, fut))
        try:
            await within(fut, timeout_s)
        finally:
            if not fut.done():
                fut.cancel()

    # -- commands -----------------------------------------------------------------------------

    async def command(
        self,
        command: int,
        *params: float,
        use_int: bool = False,
        frame: int = 0,
        target_component: int | None = None,
    ) -> CommandAck:
        """Send any MAV_CMD (up to seven params) and wait for it to be accepted."""
        return await self._commands.run(
            cmd(command, *params, use_int=use_int, frame=frame), target_component=target_component
        )

    async def _run_steps(self, steps: Sequence[Step]) -> None:
        for step in steps:
            if isinstance(step, Cmd):
                await self._commands.run(step)
            elif isinstance(step, SetMode):
                await self._commands.run(self.firmware.set_mode_cmd(self.firmware.mode(step.mode)))
            elif isinstance(step, Arm):
                if not self.state.armed:
                    await self._run_steps(self.firmware.arm(step.force))
            elif isinstance(step, SetParam):
                value = step.value
                if step.or_bits:
                    value = int(await self.params.get(step.name)) | int(step.value)
                await self.params.set(step.name, value)
            elif isinstance(step, WaitUntil):
                try:
                    await self.wait_until(step.test, self._settings.guided_arrival_timeout_s)
                except TimeoutError:
                    raise CommandTimeout(
                        f"vehicle {self.system_id}: did not {step.description}"
                    ) from None

    async def arm(self, force: bool = False) -> None:
        """Arm the motors (``force`` skips pre-arm checks)."""
        await self._run_steps(self.firmware.arm(force))

    async def disarm(self, force: bool = False) -> None:
        """Disarm the motors (``force`` even in flight)."""
        await self._run_steps(self.firmware.disarm(force))

    async def set_mode(self, mode: FlightIntent | str) -> None:
        """Change flight mode by intent (GUIDED, AUTO, RTL, LAND, LOITER…) or firmware mode name."""
        await self._run_steps([SetMode(mode)])

    async def takeoff(self, alt_m: float) -> None:
        """Arm if needed and climb to ``alt_m`` above home."""
        await self._run_steps(self.firmware.takeoff(alt_m, self.state))

    async def land(self) -> None:
        """Land where the vehicle is."""
        await self._run_steps(self.firmware.land(self.state))

    async def return_to_launch(self) -> None:
        """Return home and land."""
        await self._run_steps(self.firmware.return_to_launch(self.state))

    async def goto(self, lat_deg: float, lon_deg: float, alt_m: float) -> None:
        """Fly to a point ``alt_m`` above home and hold there."""
        await self._run_steps(self.firmware.goto(lat_deg, lon_deg, alt_m, self.state))

    async def set_speed(self, speed_mps: float) -> None:
        """Change the horizontal ground speed."""
        await self._run_steps(self.firmware.set_speed(speed_mps))

    async def orbit(
        self,
        lat_deg: float,
        lon_deg: float,
        radius_m: float,
        *,
        speed_mps: float = 5.0,
        clockwise: bool = True,
        alt_m: float | None = None,
    ) -> None:
        """Circle a point at ``radius_m`` (at ``alt_m`` above home, or the current altitude)."""
        if radius_m <= 0:
            raise ValueError("radius_m must be positive")
        await self._run_steps(
            self.firmware.orbit(
                lat_deg, lon_deg, radius_m, speed_mps, clockwise, alt_m,
                self._settings.guided_arrival_radius_m, self.state,
            )
        )  # fmt: skip

    async def start_mission(self) -> None:
        """Start the uploaded mission (from the ground or the air)."""
        await self._run_steps(self.firmware.start_mission(self.state))

    async def pause(self) -> None:
        """Stop and hold position."""
        await self._run_steps(self.firmware.pause(self.state))

    async def resume(self) -> None:
        """Continue the mission after a pause."""
        await self._run_steps(self.firmware.resume(self.state))

    # -- plans --------------------------------------------------------------------------------

    async def upload_plan(self, mission_type: MissionType, items: Sequence[MissionItem]) -> int:
        """Replace the vehicle's mission, fence or rally plan; return the items sent."""
        count = await self._plans.upload(mission_type, items)
        if mission_type == MissionType.MISSION:
            self.state.mission.total = len(items)
        return count

    async def download_plan(self, mission_type: MissionType) -> list[MissionItem]:
        """Read the vehicle's mission, fence or rally plan."""
        return await self._plans.download(mission_type)

    async def clear_plan(self, mission_type: MissionType) -> None:
        """Remove the vehicle's mission, fence or rally plan."""
        await self._plans.clear(mission_type)

    # -- signing ------------------------------------------------------------------------------

    async def setup_signing(self, key: bytes | str) -> None:
        """Give the vehicle a signing key (SETUP_SIGNING) and require signing on its link.

        SETUP_SIGNING has no acknowledgement: the key counts as accepted when a HEARTBEAT
        arrives after the link started rejecting unsigned frames. On failure the link's
        previous signing configuration is restored and LinkError is raised. Send this only
        over a link you trust: the key travels in clear (or signed with the previous key).
        """
        secret = parse_key(key)
        entry = self._primary
        if entry is None or not entry.alive:
            raise CommLost(f"vehicle {self.system_id}: no live link for signing set-up")
        session = entry.session
        previous = session.signing_key
        settings = self._settings
        for _ in range(settings.signing_setup_retries + 1):
            session.set_signing(previous)
            session.send(
                mavlink.MAVLink_setup_signing_message(
                    self.system_id, self.component_id, list(secret), signing_timestamp_now()
                ),
                entry.peer,
            )
            seen = self.state.last_heartbeat_s
            session.set_signing(secret)
            try:
                await self.wait_until(_heard_after(seen), settings.signing_setup_timeout_s)
                return
            except TimeoutError:
                _log.info("vehicle %d: no signed heartbeat yet", self.system_id)
        session.set_signing(previous)
        raise LinkError(f"vehicle {self.system_id} did not start signing")

    # -- background ---------------------------------------------------------------------------

    def start_initial_requests(self) -> None:
        """Ask a new vehicle for AUTOPILOT_VERSION and HOME_POSITION (best effort)."""
        if self._settings.initial_requests:
            self._spawn(self._initial_requests(), f"vehicle {self.system_id} initial requests")

    async def _initial_requests(self) -> None:
        for c in self.firmware.initial_requests(self._settings.home_position_interval_s):
            try:
                await self._commands.run(c, retries=1)
            except CommLost:
                raise
            except StationError as exc:  # best effort: an old vehicle may not know the command
                _log.info("vehicle %d: %s not accepted: %s", self.system_id, c.name, exc)


def _text(value: bytes | str) -> str:
    """A MAVLink char[] field as text (pymavlink gives str or bytes)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return value.rstrip("\0")


def _heard_after(t_s: float) -> Callable[[VehicleState], bool]:
    """A state test: a HEARTBEAT arrived after monotonic time ``t_s``."""

    def test(state: VehicleState) -> bool:
        return state.last_heartbeat_s > t_s

    return test
