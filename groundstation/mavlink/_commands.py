"""The MAVLink command protocol (mavlink.io/en/services/command.html) for one vehicle.

    send COMMAND_LONG (confirmation 0) ──ack timeout──▶ resend, confirmation + 1 (up to retries)
        │                                                   └── retries used up ─▶ CommandTimeout
        ▼
    COMMAND_ACK ── IN_PROGRESS ──▶ keep waiting (in-progress timeout, no resend)
        │── ACCEPTED ──▶ done
        │── COMMAND_INT_ONLY / COMMAND_LONG_ONLY ──▶ resend once in the other message
        └── TEMPORARILY_REJECTED / DENIED / UNSUPPORTED / FAILED / ... ──▶ CommandRejected

Commands with positions go as COMMAND_INT (no confirmation field there: a resend is the same
message). One command of a given MAV_CMD is in flight per vehicle at a time; a second caller
waits its turn. Acks are matched by command id, source component and target fields.
Every command publishes :class:`~groundstation.events.CommandSent` once and
:class:`~groundstation.events.CommandCompleted` with its result, for the audit trail.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import math
from dataclasses import dataclass

from groundstation._exceptions import CommandRejected, CommandTimeout, CommLost
from groundstation._waiting import within
from groundstation.config import MavlinkSettings
from groundstation.events import CommandCompleted, CommandSent, EventBus
from groundstation.firmware import Cmd
from groundstation.mavlink._channel import VehicleChannel
from groundstation.mavlink._dialect import enum_name, layout, mavlink

__all__ = ["CommandAck", "CommandEngine"]

_log = logging.getLogger(__name__)

_ACK = layout(
    mavlink.MAVLink_command_ack_message,
    "command", "result", "progress", "result_param2", "target_system", "target_component",
)  # fmt: skip
_INT32_MAX = 0x7FFFFFFF


@dataclass(frozen=True, slots=True)
class CommandAck:
    """A COMMAND_ACK: MAV_RESULT, progress (0-100, 255 unknown) and result_param2."""

    command: int
    result: int
    progress: int
    result_param2: int

    @property
    def result_name(self) -> str:
        """MAV_RESULT name without prefix."""
        return enum_name("MAV_RESULT", self.result)


class _Pending:
    __slots__ = ("acks", "attempts", "target_component")

    def __init__(self, target_component: int) -> None:
        self.target_component = target_component
        self.acks: asyncio.Queue[CommandAck] = asyncio.Queue()
        self.attempts = 0


def _int_coordinate(value: float) -> int:
    """Degrees to COMMAND_INT x/y (degE7); NaN means "not set" (INT32_MAX)."""
    return _INT32_MAX if math.isnan(value) else round(value * 1e7)


class CommandEngine:
    """Send MAV_CMDs to one vehicle and wait for their COMMAND_ACK."""

    def __init__(self, channel: VehicleChannel, settings: MavlinkSettings, bus: EventBus) -> None:
        self._channel = channel
        self._settings = settings
        self._bus = bus
        self._pending: dict[int, _Pending] = {}
        self._locks: collections.defaultdict[int, asyncio.Lock] = collections.defaultdict(
            asyncio.Lock
        )
        self.unsolicited_acks = 0

    def on_command_ack(self, compid: int, payload: bytes) -> None:
        """COMMAND_ACK handler: hand the ack to the command waiting for it."""
        command, result, progress, result_param2, target_system, target_component = _ACK.unpack(
            payload
        )
        if not self._channel.addressed_to_us(target_system, target_component):
            return
        pending = self._pending.get(command)
        if pending is None or (pending.target_component not in (0, compid)):
            self.unsolicited_acks += 1
            return
        pending.acks.put_nowait(CommandAck(command, result, progress, result_param2))

    def _message(self, c: Cmd, as_int: bool, target_component: int, confirmation: int) -> object:
        ch = self._channel
        p = c.params
        if as_int:
            return mavlink.MAVLink_command_int_message(
                ch.system_id, target_component, c.frame, c.command, 0, 0,
                p[0], p[1], p[2], p[3], _int_coordinate(p[4]), _int_coordinate(p[5]), p[6],
            )  # fmt: skip
        return mavlink.MAVLink_command_long_message(
            ch.system_id, target_component, c.command, confirmation, *p
        )

    async def run(
        self,
        c: Cmd,
        *,
        target_component: int | None = None,
        retries: int | None = None,
        ack_timeout_s: float | None = None,
    ) -> CommandAck:
        """Send a command and return its ACCEPTED ack, or raise a CommandError."""
        settings = self._settings
        retries = settings.command_retries if retries is None else retries
        ack_timeout_s = settings.command_ack_timeout_s if ack_timeout_s is None else ack_timeout_s
        target = self._channel.component_id if target_component is None else target_component
        system_id = self._channel.system_id
        async with self._locks[c.command]:
            pending = _Pending(target)
            self._pending[c.command] = pending
            self._bus.publish(
                CommandSent(
                    system_id=system_id, command=c.command, command_name=c.name, params=c.params
                )
            )
            outcome = "TIMEOUT"
            result_param2 = 0
            try:
                ack = await self._exchange(c, pending, target, retries, ack_timeout_s)
                outcome = ack.result_name
                result_param2 = ack.result_param2
                if ack.result != mavlink.MAV_RESULT_ACCEPTED:
                    raise CommandRejected(
                        f"vehicle {system_id} refused {c.name}: {outcome}"
                        + (f" (result_param2={ack.result_param2})" if ack.result_param2 else ""),
                        command=c.command,
                        result=ack.result,
                        result_param2=ack.result_param2,
                    )
                return ack
            except CommLost:
                outcome = "COMM_LOST"
                raise
            except asyncio.CancelledError:
                outcome = "CANCELLED"
                raise
            finally:
                del self._pending[c.command]
                self._bus.publish(
                    CommandCompleted(
                        system_id=system_id,
                        command=c.command,
                        command_name=c.name,
                        params=c.params,
                        result=outcome,
                        result_param2=result_param2,
                        attempts=pending.attempts,
                    )
                )

    async def _exchange(
        self, c: Cmd, pending: _Pending, target: int, retries: int, ack_timeout_s: float
    ) -> CommandAck:
        as_int = c.use_int
        switched = False
        attempt = 0
        while True:
            if self._channel.comm_lost:
                raise CommLost(f"vehicle {self._channel.system_id}: no link for {c.name}")
            self._channel.send(self._message(c, as_int, target, attempt))
            pending.attempts += 1
            try:
                ack = await within(pending.acks.get(), ack_timeout_s)
            except TimeoutError:
                attempt += 1
                if attempt > retries:
                    raise CommandTimeout(
                        f"vehicle {self._channel.system_id}: no COMMAND_ACK for {c.name} "
                        f"after {attempt} attempts"
                    ) from None
                _log.debug("retrying %s (attempt %d)", c.name, attempt + 1)
                continue
            while ack.result == mavlink.MAV_RESULT_IN_PROGRESS:
                try:
                    ack = await within(
                        pending.acks.get(), self._settings.command_in_progress_timeout_s
                    )
                except TimeoutError:
                    raise CommandTimeout(
                        f"vehicle {self._channel.system_id}: {c.name} stayed in progress"
                    ) from None
            swap = (ack.result == mavlink.MAV_RESULT_COMMAND_INT_ONLY and not as_int) or (
                ack.result == mavlink.MAV_RESULT_COMMAND_LONG_ONLY and as_int
            )
            if swap and not switched:
                switched = True
                as_int = not as_int
                continue
            return ack
