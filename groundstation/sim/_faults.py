"""Scripted faults, in the spirit of QGroundControl's MockLink failure modes.

Tests parametrise over :class:`CommandFault` and :class:`PlanFault`; a rule applies a number of
times (``times=None``: until cleared). Link faults stop the vehicle sending and/or receiving.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pymavlink.dialects.v20 import ardupilotmega as mavlink

__all__ = ["CommandFault", "FaultInjector", "PlanFault"]


class CommandFault(Enum):
    """How the vehicle answers a scripted MAV_CMD."""

    DENY = "deny"  # COMMAND_ACK DENIED
    FAIL = "fail"  # COMMAND_ACK FAILED
    UNSUPPORTED = "unsupported"  # COMMAND_ACK UNSUPPORTED
    TEMPORARILY_REJECTED = "temporarily_rejected"
    NO_ANSWER = "no_answer"  # never answers
    SECOND_ATTEMPT = "second_attempt"  # first attempt unanswered, a retry is handled normally
    IN_PROGRESS = "in_progress"  # IN_PROGRESS now, the real result a little later (sim time)

    @property
    def result(self) -> int | None:
        """The MAV_RESULT this fault answers with at once (None: none / the real one)."""
        return {
            CommandFault.DENY: mavlink.MAV_RESULT_DENIED,
            CommandFault.FAIL: mavlink.MAV_RESULT_FAILED,
            CommandFault.UNSUPPORTED: mavlink.MAV_RESULT_UNSUPPORTED,
            CommandFault.TEMPORARILY_REJECTED: mavlink.MAV_RESULT_TEMPORARILY_REJECTED,
        }.get(self)


class PlanFault(Enum):
    """Mission-protocol faults (apply to MISSION, FENCE and RALLY transfers)."""

    NO_RESPONSE = "no_response"  # MISSION_COUNT / REQUEST_LIST / CLEAR_ALL ignored
    DROP_REQUEST = "drop_request"  # upload: the request for an item is not sent
    WRONG_SEQUENCE = "wrong_sequence"  # upload: asks for the wrong item; download: sends it
    ERROR_ACK = "error_ack"  # an error MISSION_ACK instead of the request / item
    NO_FINAL_ACK = "no_final_ack"  # upload: the closing MISSION_ACK is not sent
    DROP_ITEM = "drop_item"  # download: a requested item is not sent


@dataclass(slots=True)
class _CommandRule:
    fault: CommandFault
    remaining: int | None
    attempts: int = 0


@dataclass(slots=True)
class _PlanRule:
    fault: PlanFault
    mission_type: int | None
    seq: int | None
    remaining: int | None


class FaultInjector:
    """The faults currently scripted on one simulated vehicle."""

    def __init__(self) -> None:
        self._commands: dict[int, _CommandRule] = {}
        self._plans: list[_PlanRule] = []
        self.in_progress_s = 1.0  # sim seconds between IN_PROGRESS and the final answer
        self.sending = True
        self.receiving = True

    # -- commands -----------------------------------------------------------------------------

    def script_command(
        self, command: int, fault: CommandFault, *, times: int | None = None
    ) -> None:
        """Answer ``command`` with ``fault`` (``times`` uses, or until cleared)."""
        self._commands[int(command)] = _CommandRule(fault, times)

    def clear_command(self, command: int) -> None:
        """Handle ``command`` normally again."""
        self._commands.pop(int(command), None)

    def command_fault(self, command: int) -> CommandFault | None:
        """Consume and return the fault scripted for one arriving command (None: normal)."""
        rule = self._commands.get(command)
        if rule is None:
            return None
        rule.attempts += 1
        if rule.fault is CommandFault.SECOND_ATTEMPT:
            if rule.attempts >= 2:
                self._commands.pop(command, None)
                return None
            return rule.fault
        if rule.remaining is not None:
            rule.remaining -= 1
            if rule.remaining <= 0:
                self._commands.pop(command, None)
        return rule.fault

    # -- plans --------------------------------------------------------------------------------

    def script_plan(
        self,
        fault: PlanFault,
        *,
        seq: int | None = None,
        mission_type: int | None = None,
        times: int | None = 1,
    ) -> None:
        """Inject a mission-protocol fault at item ``seq`` (None: any) of a plan type (None: any)."""
        self._plans.append(_PlanRule(fault, mission_type, seq, times))

    def plan_fault(self, fault: PlanFault, mission_type: int, seq: int | None = None) -> bool:
        """Whether a fault applies now (consumes one use when it does)."""
        for rule in self._plans:
            if rule.fault is not fault:
                continue
            if rule.mission_type is not None and rule.mission_type != mission_type:
                continue
            if rule.seq is not None and seq is not None and rule.seq != seq:
                continue
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._plans.remove(rule)
            return True
        return False

    # -- link ---------------------------------------------------------------------------------

    def set_link(self, *, sending: bool | None = None, receiving: bool | None = None) -> None:
        """Stop or restart sending and/or receiving on every link."""
        if sending is not None:
            self.sending = sending
        if receiving is not None:
            self.receiving = receiving

    def clear(self) -> None:
        """Remove every scripted fault and bring the link back."""
        self._commands.clear()
        self._plans.clear()
        self.sending = self.receiving = True
