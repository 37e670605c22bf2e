"""Frames built with pymavlink (the independent reference codec) for codec tests."""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink


class _NoFile:
    def write(self, data: bytes) -> None:  # pragma: no cover - never called
        raise AssertionError


def encoder(sysid: int = 1, compid: int = 1, *, key: bytes | None = None, link_id: int = 0,
            timestamp: int | None = None) -> Any:  # fmt: skip
    """A pymavlink MAVLink object that packs as (sysid, compid), signing when a key is given."""
    mav = mavlink.MAVLink(_NoFile(), srcSystem=sysid, srcComponent=compid)
    if key is not None:
        mav.signing.secret_key = key
        mav.signing.sign_outgoing = True
        mav.signing.link_id = link_id
        mav.signing.timestamp = timestamp if timestamp is not None else _now_ts()
    return mav


def _now_ts() -> int:
    from groundstation.mavlink._signing import signing_timestamp_now

    return signing_timestamp_now()


def pack(mav: Any, msg: Any, *, v1: bool = False) -> bytes:
    """Pack one message and advance the sequence number."""
    data: bytes = msg.pack(mav, force_mavlink1=v1)
    mav.seq = (mav.seq + 1) % 256
    return data


def sample_messages() -> list[Any]:
    """A few telemetry and protocol messages with non-trivial field values."""
    return [
        mavlink.MAVLink_heartbeat_message(2, 3, 217, 4, 4, 3),
        mavlink.MAVLink_global_position_int_message(
            123456, 262500000, 1116000000, 150000, 30000, 120, -340, 5, 27000
        ),
        mavlink.MAVLink_attitude_message(99, 0.1, -0.2, 1.5, 0.01, 0.02, 0.03),
        mavlink.MAVLink_sys_status_message(
            1, 2, 3, 500, 15800, 1230, 88, 77, 0, 0, 0, 0, 0, 0, 0, 0
        ),
        mavlink.MAVLink_gps_raw_int_message(
            1, 3, 262500000, 1116000000, 150000, 120, 200, 0, 0, 14
        ),
        mavlink.MAVLink_statustext_message(4, b"PreArm: hello", 0, 0),
        mavlink.MAVLink_param_value_message(b"WPNAV_SPEED", 500.0, 9, 812, 17),
        mavlink.MAVLink_mission_item_int_message(
            1, 1, 3, 6, 16, 0, 1, 0.0, 2.0, 0.0, float("nan"), 262500000, 1116000000, 50.0, 0
        ),
    ]
