"""One simulated vehicle: real MAVLink 2 (pymavlink) on its own sockets, its own asyncio tasks.

    async with SimVehicle(SimConfig(system_id=3, endpoints=("udpout:127.0.0.1:14550",))) as v:
        v.faults.script_command(MAV_CMD_COMPONENT_ARM_DISARM, CommandFault.DENY)
        await v.wait_until(lambda t: t.alt_rel_m > 10, timeout_s=5)
        v.truth()                                  # where it really is

The vehicle is assembled here from the autopilot (modes, flight, failsafes), the command,
mission and parameter servers, telemetry and the traffic it sees. One tick task advances
physics in sim time (in steps of at most ``max_step_s``), runs due sim-time timers and sends
the telemetry that is due; incoming bytes are handled as they arrive.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from geofence import MavCmd, MavFrame, MissionItem, MissionType
from groundstation._waiting import within
from groundstation.sim._autopilot import Autopilot
from groundstation.sim._clock import SimClock, SimTimers
from groundstation.sim._commands import CommandServer
from groundstation.sim._config import SimConfig
from groundstation.sim._faults import FaultInjector
from groundstation.sim._geo import LocalFrame
from groundstation.sim._params import ParamStore
from groundstation.sim._personality import rules_for
from groundstation.sim._plans import PlanServer, PlanStore
from groundstation.sim._telemetry import Telemetry
from groundstation.sim._traffic import SeenAircraft, SeenAircraftState, Traffic
from groundstation.sim._transport import Transport, open_transport
from groundstation.sim._truth import TruthState, truth_of
from groundstation.sim._video import SimVideoStream

__all__ = ["SimVehicle"]

_log = logging.getLogger(__name__)

_TEXT_CHUNK = 50
_MAX_CATCH_UP_S = 60.0  # sim seconds simulated at most per tick after a stall
_EPOCH_2015_S = 1420070400


class _Sink:
    """pymavlink wants a file for its MAVLink object; we send frames ourselves."""

    def write(self, data: bytes) -> None:  # pragma: no cover - never called
        raise AssertionError("SimVehicle sends explicitly")


def _signing_now() -> int:
    return int((time.time() - _EPOCH_2015_S) * 100_000)


class SimVehicle:
    """A simulated ArduCopter or PX4 multicopter speaking MAVLink 2 over UDP/TCP."""

    def __init__(
        self, config: SimConfig, *, clock: SimClock | None = None, frame: LocalFrame | None = None
    ) -> None:
        self.config = config
        self.clock = clock or SimClock(config.time_factor)
        self.rules = rules_for(config.personality)
        self.faults = FaultInjector()
        self.timers = SimTimers()
        self._encoder = mavlink.MAVLink(_Sink(), srcSystem=config.system_id,
                                        srcComponent=config.component_id)  # fmt: skip
        self._parsers: dict[int, Any] = {}
        self._transports: list[Transport] = []
        self._task: asyncio.Task[None] | None = None
        self._waiters: list[tuple[Callable[[TruthState], bool], asyncio.Future[None]]] = []
        self._text_id = 0
        self._signing_key: bytes | None = None
        self.frames_sent = 0
        self.taps: list[Callable[[Any], None]] = []  # called with every message sent
        self.frames_received = 0
        self.bad_frames = 0
        self.plans = PlanStore()
        self.params = ParamStore(self.rules.param_specs(config),
                                 bytewise=self.rules.bytewise_params, send=self.send)  # fmt: skip
        self.autopilot = Autopilot(config, self.rules, self.clock, self.params, self.plans,
                                   self.send_text, frame)  # fmt: skip
        ap = self.autopilot
        self.traffic = Traffic(ap.frame, self.clock.now_s)
        self.telemetry = Telemetry(ap, self.traffic, self.send, config.telemetry_hz)
        self.commands = CommandServer(
            ap, send=self.send, faults=self.faults, timers=self.timers,
            request_message=self.telemetry.request, set_interval=self.telemetry.set_interval,
        )  # fmt: skip
        self.plan_server = PlanServer(
            self.plans, send=self.send, now_s=self.clock.now_s, timers=self.timers,
            faults=self.faults, check_plan=ap.check_plan, home_item=self._home_item,
            on_stored=ap.on_plan_stored, mission_offset=self.rules.mission_offset,
            legacy_first_request=self.rules.legacy_first_request,
            item_timeout_s=config.mission_item_timeout_s,
            retries=config.mission_transfer_retries,
        )  # fmt: skip
        ap.on_state_change.append(self._state_changed)
        ap.on_mission_current = lambda seq: self.send(self.telemetry.mission_current())
        ap.on_item_reached = lambda seq: self.send(
            mavlink.MAVLink_mission_item_reached_message(seq)
        )
        self._handlers: dict[str, Callable[[Any], None]] = {
            "HEARTBEAT": self._on_heartbeat,
            "COMMAND_LONG": self.commands.on_command,
            "COMMAND_INT": self.commands.on_command,
            "SET_MODE": self.commands.set_mode_message,
            "PARAM_REQUEST_LIST": self.params.on_request_list,
            "PARAM_REQUEST_READ": self.params.on_request_read,
            "PARAM_SET": self.params.on_set,
            "SET_POSITION_TARGET_GLOBAL_INT": self._on_position_target,
            "MISSION_SET_CURRENT": lambda msg: ap.set_mission_current(msg.seq),
            "SETUP_SIGNING": self._on_setup_signing,
            **self.plan_server.handlers(),
        }
        if config.signing_key is not None:
            self.set_signing_key(config.signing_key)

    def __repr__(self) -> str:
        return f"<SimVehicle {self.system_id} {self.config.personality} {self.autopilot.mode.name}>"

    @property
    def system_id(self) -> int:
        """MAVLink system id."""
        return self.config.system_id

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        try:
            for endpoint in self.config.endpoints:
                self._transports.append(await open_transport(endpoint, self._on_bytes))
        except BaseException:
            await self._close_transports()
            raise
        self._task = asyncio.create_task(self._run(), name=f"sim vehicle {self.system_id}")
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop the vehicle's task and close its sockets."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close_transports()
        for _, fut in self._waiters:
            if not fut.done():
                fut.cancel()
        self._waiters.clear()

    async def _close_transports(self) -> None:
        for transport in self._transports:
            await transport.close()
        self._transports.clear()

    @property
    def local_ports(self) -> list[int]:
        """Local port of each transport, in endpoint order."""
        return [t.local_port for t in self._transports]

    # -- the tick -----------------------------------------------------------------------------

    async def _run(self) -> None:
        clock = self.clock
        last = clock.now_s()
        while True:
            now = clock.now_s()
            self.step(min(now - last, _MAX_CATCH_UP_S))
            last = now
            await asyncio.sleep(self.config.tick_interval_s)

    def step(self, dt_s: float) -> None:
        """Advance physics by ``dt_s`` sim seconds in small steps, then send what is due."""
        ap = self.autopilot
        if dt_s > 0:
            n = max(1, math.ceil(dt_s / self.config.max_step_s))
            for _ in range(n):
                ap.update(dt_s / n)
        now = self.clock.now_s()
        self.timers.run_due(now)
        self.telemetry.tick(now)
        if self._waiters:
            self._check_waiters()

    # -- sending ------------------------------------------------------------------------------

    def send(self, msg: Any) -> None:
        """Encode a message as this vehicle and send it on every link (unless the link is cut)."""
        if not self.faults.sending:
            return
        for tap in self.taps:
            tap(msg)
        if not self._transports:
            return
        mav = self._encoder
        data: bytes = msg.pack(mav)
        mav.seq = (mav.seq + 1) & 0xFF
        self.frames_sent += 1
        for transport in self._transports:
            transport.send(data)

    def send_text(self, severity: int, text: str) -> None:
        """STATUSTEXT, in chunks with an id when longer than one message holds."""
        raw = text.encode("utf-8")[:_TEXT_CHUNK * 20]
        if len(raw) <= _TEXT_CHUNK:
            self.send(mavlink.MAVLink_statustext_message(severity, raw, 0, 0))
            return
        self._text_id = self._text_id % 0xFFFF + 1
        chunks = [raw[i : i + _TEXT_CHUNK] for i in range(0, len(raw), _TEXT_CHUNK)]
        if len(chunks[-1]) == _TEXT_CHUNK:
            chunks.append(b"")
        for seq, chunk in enumerate(chunks):
            self.send(mavlink.MAVLink_statustext_message(severity, chunk, self._text_id, seq))

    def _state_changed(self) -> None:
        self.send(self.telemetry.heartbeat())

    def _home_item(self) -> MissionItem:
        home = self.telemetry.home_position()
        return MissionItem(command=MavCmd.NAV_WAYPOINT, frame=MavFrame.GLOBAL, x=home.latitude,
                           y=home.longitude, z=home.altitude / 1000)  # fmt: skip

    # -- receiving ----------------------------------------------------------------------------

    def _parser(self, transport: Transport) -> Any:
        parser = self._parsers.get(id(transport))
        if parser is None:
            parser = mavlink.MAVLink(_Sink())
            parser.robust_parsing = True
            self._apply_signing(parser, incoming=True)
            self._parsers[id(transport)] = parser
        return parser

    def _on_bytes(self, data: bytes, transport: Transport, peer: Any) -> None:
        if not self.faults.receiving:
            return
        try:
            msgs = self._parser(transport).parse_buffer(data) or []
        except Exception as exc:  # noqa: BLE001 - garbage on the link must never stop the vehicle
            self.bad_frames += 1
            _log.debug("vehicle %d: undecodable bytes: %s", self.system_id, exc)
            return
        for msg in msgs:
            if msg.get_type() == "BAD_DATA":
                self.bad_frames += 1
                continue
            self.frames_received += 1
            self._dispatch(msg)

    def _dispatch(self, msg: Any) -> None:
        target = getattr(msg, "target_system", 0)
        if target not in (0, self.system_id):
            return
        component = getattr(msg, "target_component", 0)
        if component not in (0, self.config.component_id, mavlink.MAV_COMP_ID_ALL):
            return
        handler = self._handlers.get(msg.get_type())
        if handler is None:
            return
        try:
            handler(msg)
        except Exception:  # noqa: BLE001 - a malformed but well-framed message must not stop it
            self.bad_frames += 1
            _log.exception("vehicle %d: handling %s failed", self.system_id, msg.get_type())

    def _on_heartbeat(self, msg: Any) -> None:
        if msg.type == mavlink.MAV_TYPE_GCS:
            self.autopilot.gcs_heartbeat()

    def _on_position_target(self, msg: Any) -> None:
        mask = msg.type_mask
        if mask & 0b111 == 0b111:
            return  # no position in it (velocity or acceleration targets are not simulated)
        ap = self.autopilot
        east, north = ap.local_of(msg.lat_int / 1e7, msg.lon_int / 1e7)
        ap.guided_target(east, north, ap.up_of(msg.alt, msg.coordinate_frame))

    # -- signing ------------------------------------------------------------------------------

    def set_signing_key(self, key: bytes | None) -> None:
        """Sign everything sent and require signed frames (None or all zeros: stop signing)."""
        if key is not None and (len(key) != 32 or not any(key)):
            key = None
        self._signing_key = key
        self._apply_signing(self._encoder, incoming=False)
        for parser in self._parsers.values():
            self._apply_signing(parser, incoming=True)

    @property
    def signing(self) -> bool:
        """Whether the vehicle signs and requires signatures."""
        return self._signing_key is not None

    def _apply_signing(self, mav: Any, *, incoming: bool) -> None:
        key = self._signing_key
        signing = mav.signing
        signing.secret_key = key
        signing.sign_outgoing = key is not None and not incoming
        signing.link_id = 0
        if key is not None:
            signing.timestamp = max(signing.timestamp, _signing_now())
        signing.allow_unsigned_callback = None if key is None else (lambda mav, msgid: False)

    def _on_setup_signing(self, msg: Any) -> None:
        self.set_signing_key(bytes(msg.secret_key))

    # -- public helpers -----------------------------------------------------------------------

    def truth(self) -> TruthState:
        """Where the vehicle really is now."""
        return truth_of(self.system_id, self.autopilot)

    async def wait_until(self, test: Callable[[TruthState], bool], timeout_s: float) -> TruthState:
        """Wait (real seconds) until the vehicle's truth passes a test; TimeoutError otherwise."""
        state = self.truth()
        if test(state):
            return state
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((test, fut))
        try:
            await within(fut, timeout_s)
        finally:
            if not fut.done():
                fut.cancel()
        return self.truth()

    def _check_waiters(self) -> None:
        state = self.truth()
        keep = []
        for test, fut in self._waiters:
            if fut.done():
                continue
            try:
                ok = test(state)
            except Exception as exc:  # noqa: BLE001 - hand a broken test back to its caller
                fut.set_exception(exc)
                continue
            if ok:
                fut.set_result(None)
            else:
                keep.append((test, fut))
        self._waiters = keep

    def see_aircraft(self, aircraft: SeenAircraft) -> None:
        """Report another aircraft (Remote ID or ADS-B) from now on."""
        self.traffic.see(aircraft)

    def forget_aircraft(self, ident: str) -> None:
        """Stop reporting an aircraft."""
        self.traffic.forget(ident)

    def seen_aircraft(self) -> tuple[SeenAircraftState, ...]:
        """Where every reported aircraft is now."""
        return self.traffic.states()

    def set_video_stream(self, stream: SimVideoStream | None) -> None:
        """Announce a camera stream now and on request (None: the drone has no video)."""
        self.telemetry.video = stream
        if stream is not None:
            self.send(stream.message())

    def set_battery(self, remaining_pct: float) -> None:
        """Set the battery's remaining charge (percent)."""
        self.autopilot.set_battery(remaining_pct)

    def set_link(self, *, sending: bool = True, receiving: bool = True) -> None:
        """Cut or restore the link: ``set_link(sending=False, receiving=False)`` loses it."""
        self.faults.set_link(sending=sending, receiving=receiving)

    def plan(self, mission_type: MissionType) -> list[MissionItem]:
        """A stored plan as uploaded (ArduPilot's mission keeps home at item 0)."""
        return list(self.plans.get(mission_type))
