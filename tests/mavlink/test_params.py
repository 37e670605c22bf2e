"""Parameter protocol: read, fetch-all with gaps, set with verification, both int encodings."""

from __future__ import annotations

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation._exceptions import ParameterError
from groundstation.firmware import ParamEncoding
from groundstation.mavlink import Fleet
from groundstation.mavlink._params import decode_param_value, encode_param_value
from tests.mavlink.vehicle_side import ParamStore

REAL32, INT32, UINT8, INT16 = (mavlink.MAV_PARAM_TYPE_REAL32, mavlink.MAV_PARAM_TYPE_INT32,
                               mavlink.MAV_PARAM_TYPE_UINT8, mavlink.MAV_PARAM_TYPE_INT16)  # fmt: skip


def sample(n: int = 30) -> dict[str, tuple[float, int]]:
    values: dict[str, tuple[float, int]] = {}
    for i in range(n):
        values[f"P_{i:03d}"] = (float(i) + 0.5, REAL32) if i % 2 else (float(-i), INT32)
    return values


async def vehicle_with(fleet: Fleet, make_peer, store_kw: dict, **peer_kw: object):
    peer = await make_peer(1, **peer_kw)
    v = await fleet.wait_for_vehicle(1, timeout_s=2)
    return v, ParamStore(peer, **store_kw)


async def test_read_one(fleet: Fleet, make_peer) -> None:
    v, _store = await vehicle_with(
        fleet,
        make_peer,
        {"values": {"WPNAV_SPEED": (500.0, REAL32), "FS_GCS_ENABLE": (1.0, UINT8)}},
    )
    assert await v.params.get("WPNAV_SPEED") == 500.0
    pv = await v.params.read("FS_GCS_ENABLE")
    assert (pv.value, pv.param_type, pv.index, pv.count) == (1, UINT8, 1, 2)
    assert isinstance(pv.value, int)


async def test_unknown_parameter_is_an_error(fleet: Fleet, make_peer) -> None:
    v, _store = await vehicle_with(fleet, make_peer, {"values": {"A": (1.0, REAL32)}})
    with pytest.raises(ParameterError, match="NOPE"):
        await v.params.get("NOPE")


async def test_fetch_all_re_requests_gaps(fleet: Fleet, make_peer) -> None:
    values = sample(30)
    v, store = await vehicle_with(
        fleet, make_peer, {"values": values, "skip_in_list": {0, 7, 8, 29}}
    )
    got = await v.params.fetch_all()
    assert list(got) == list(values)
    assert got["P_001"] == 1.5 and got["P_008"] == -8
    assert sorted(store.reads_by_index) == [0, 7, 8, 29]
    assert v.params.count == 30


async def test_fetch_all_gives_up_when_the_vehicle_is_silent(fleet: Fleet, make_peer) -> None:
    v, store = await vehicle_with(fleet, make_peer, {"values": sample(5)})
    del store.peer.handlers["PARAM_REQUEST_LIST"]
    with pytest.raises(ParameterError, match="incomplete"):
        await v.params.fetch_all()


@pytest.mark.parametrize(
    "autopilot", [mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA, mavlink.MAV_AUTOPILOT_PX4]
)
async def test_set_verified_with_each_family_encoding(
    fleet: Fleet, make_peer, autopilot: int
) -> None:
    bytewise = autopilot == mavlink.MAV_AUTOPILOT_PX4
    v, store = await vehicle_with(
        fleet, make_peer,
        {"values": {"COM_RC_LOSS_T": (0.5, REAL32), "NAV_DLL_ACT": (-1.0, INT32), "FENCE_ACTION": (1.0, UINT8)},
         "bytewise_ints": bytewise},
        autopilot=autopilot,
    )  # fmt: skip
    assert await v.params.get("NAV_DLL_ACT") == -1
    assert await v.params.set("NAV_DLL_ACT", -70000) == -70000
    assert store.values["NAV_DLL_ACT"][0] == -70000
    assert await v.params.set("COM_RC_LOSS_T", 0.1) == pytest.approx(0.1)
    assert await v.params.set("FENCE_ACTION", 4) == 4


async def test_refused_set_is_an_error(fleet: Fleet, make_peer) -> None:
    v, _store = await vehicle_with(
        fleet,
        make_peer,
        {"values": {"FENCE_ALT_MAX": (100.0, REAL32)}, "refuse": {"FENCE_ALT_MAX"}},
    )
    with pytest.raises(ParameterError, match="kept FENCE_ALT_MAX = 100.0"):
        await v.params.set("FENCE_ALT_MAX", 120)


async def test_autopilot_version_capabilities_choose_the_encoding(fleet: Fleet, make_peer) -> None:
    v, store = await vehicle_with(
        fleet, make_peer, {"values": {"X": (7.0, INT32)}, "bytewise_ints": True}
    )
    assert v.param_encoding() is ParamEncoding.C_CAST  # ArduPilot's default
    store.peer.send(mavlink.MAVLink_autopilot_version_message(
        mavlink.MAV_PROTOCOL_CAPABILITY_PARAM_ENCODE_BYTEWISE, 0, 0, 0, 0, [0] * 8, [0] * 8, [0] * 8, 0, 0, 0))  # fmt: skip
    await v.wait_until(lambda s: s.capabilities != 0, 2)
    assert v.param_encoding() is ParamEncoding.BYTEWISE
    assert await v.params.get("X") == 7


def test_bad_names_and_values() -> None:
    with pytest.raises(ParameterError):
        encode_param_value(1.5, INT32, ParamEncoding.C_CAST)
    with pytest.raises(ParameterError):
        encode_param_value(300, UINT8, ParamEncoding.BYTEWISE)


_TYPES = {mavlink.MAV_PARAM_TYPE_UINT8: (0, 255), mavlink.MAV_PARAM_TYPE_INT8: (-128, 127),
          mavlink.MAV_PARAM_TYPE_UINT16: (0, 65535), INT16: (-32768, 32767),
          mavlink.MAV_PARAM_TYPE_UINT32: (0, 2**32 - 1), INT32: (-(2**31), 2**31 - 1)}  # fmt: skip


@st.composite
def int_param(draw: st.DrawFn) -> tuple[int, int]:
    ptype = draw(st.sampled_from(sorted(_TYPES)))
    low, high = _TYPES[ptype]
    return ptype, draw(st.integers(low, high))


@given(int_param())
def test_bytewise_integers_round_trip_exactly(p: tuple[int, int]) -> None:
    ptype, value = p
    raw = encode_param_value(value, ptype, ParamEncoding.BYTEWISE)
    assert len(raw) == 4 and decode_param_value(raw, ptype, ParamEncoding.BYTEWISE) == value


@given(int_param().filter(lambda p: abs(p[1]) < 2**24))
def test_c_cast_integers_round_trip(p: tuple[int, int]) -> None:
    ptype, value = p
    raw = encode_param_value(value, ptype, ParamEncoding.C_CAST)
    assert decode_param_value(raw, ptype, ParamEncoding.C_CAST) == value


@given(st.floats(width=32))
def test_real32_round_trip(value: float) -> None:
    raw = encode_param_value(value, REAL32, ParamEncoding.BYTEWISE)
    back = decode_param_value(raw, REAL32, ParamEncoding.BYTEWISE)
    assert (math.isnan(value) and math.isnan(back)) or back == value
    assert raw == struct.pack("<f", value)
