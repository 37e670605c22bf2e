"""Framing: pymavlink frames in, checked frames out; bad input counted, never a crash."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.mavlink._codec import Encoder, FrameParser
from groundstation.mavlink._dialect import decode, layout
from tests.mavlink.frames import encoder, pack, sample_messages

Frame = tuple[int, int, int, int, bytes, object]


def collecting_parser() -> tuple[FrameParser, list[Frame]]:
    frames: list[Frame] = []

    def sink(sysid: int, compid: int, msgid: int, seq: int, payload: bytes, peer: object) -> None:
        frames.append((sysid, compid, msgid, seq, payload, peer))

    return FrameParser(sink), frames


def assert_counters_add_up(parser: FrameParser) -> None:
    c = parser.counters
    assert (
        c.bytes_received == c.bytes_accepted + c.bytes_rejected + c.bytes_dropped + parser.buffered
    )


def fields_equal(a: Any, b: Any) -> bool:
    for name in a.fieldnames:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, float) and math.isnan(x):
            if not (isinstance(y, float) and math.isnan(y)):
                return False
        elif x != y:
            return False
    return True


def test_pymavlink_frames_decode_to_the_same_messages() -> None:
    mav = encoder(42, 1)
    parser, frames = collecting_parser()
    msgs = sample_messages()
    data = b"".join(pack(mav, m) for m in msgs)
    parser.feed(data, "peer")
    reference = mavlink.MAVLink(None).parse_buffer(data)
    assert reference is not None
    assert [f[2] for f in frames] == [m.get_msgId() for m in msgs]
    for (sysid, compid, msgid, _seq, payload, peer), ref in zip(frames, reference, strict=True):
        assert (sysid, compid, peer) == (42, 1, "peer")
        assert fields_equal(decode(msgid, payload), ref)
    assert [f[3] for f in frames] == list(range(len(msgs)))
    assert_counters_add_up(parser)


def test_mavlink1_frames_are_accepted() -> None:
    mav = encoder(9, 1)
    parser, frames = collecting_parser()
    msg = mavlink.MAVLink_heartbeat_message(2, 3, 0, 0, 3, 3)
    parser.feed(pack(mav, msg, v1=True))
    assert len(frames) == 1 and frames[0][:3] == (9, 1, 0)
    assert decode(0, frames[0][4]).system_status == 3


def test_layout_reads_truncated_payloads() -> None:
    # MAVLink 2 drops trailing zero bytes: hdg 0 and vz 0 vanish from the wire.
    mav = encoder()
    data = pack(mav, mavlink.MAVLink_global_position_int_message(5, 1, 2, 3, 4, 6, 7, 0, 0))
    assert data[1] < 28
    parser, frames = collecting_parser()
    parser.feed(data)
    gpi = layout(mavlink.MAVLink_global_position_int_message, "lat", "vy", "vz", "hdg")
    assert gpi.unpack(frames[0][4]) == (1, 7, 0, 0)


def test_stream_split_anywhere_gives_the_same_frames() -> None:
    mav = encoder()
    data = b"".join(pack(mav, m) for m in sample_messages() * 3)
    whole, expected = collecting_parser()
    whole.feed(data)
    rng = random.Random(7)
    for _ in range(20):
        parser, frames = collecting_parser()
        i = 0
        while i < len(data):
            step = rng.randint(1, 40)
            parser.feed(data[i : i + step])
            i += step
        assert frames == expected
        assert parser.buffered == 0
        assert_counters_add_up(parser)


def test_bad_crc_is_counted_and_the_next_frame_still_found() -> None:
    mav = encoder()
    good = pack(mav, sample_messages()[1])
    broken = bytearray(pack(mav, sample_messages()[2]))
    broken[12] ^= 0xFF
    parser, frames = collecting_parser()
    parser.feed(bytes(broken) + good)
    assert parser.counters.bad_crc == 1
    assert [f[2] for f in frames] == [33]
    assert_counters_add_up(parser)


def test_unknown_message_id_is_counted_and_skipped() -> None:
    mav = encoder()
    good = pack(mav, sample_messages()[0])
    unknown = bytearray(good)
    unknown[7:10] = (0x12, 0x34, 0x56)  # msgid 0x563412 is in no dialect
    parser, frames = collecting_parser()
    parser.feed(bytes(unknown) + good)
    assert parser.counters.unknown_msgid == 1
    assert len(frames) == 1
    assert_counters_add_up(parser)


def test_truncated_datagram_is_counted_as_dropped() -> None:
    mav = encoder()
    data = pack(mav, sample_messages()[1]) + pack(mav, sample_messages()[2])[:-5]
    parser, frames = collecting_parser()
    parser.feed_datagram(data, ("127.0.0.1", 1))
    assert len(frames) == 1
    assert parser.counters.truncated == 1
    assert parser.buffered == 0
    assert_counters_add_up(parser)


@pytest.mark.parametrize("junk", [b"\xfe\xff", b"\x00\xfe\xc8", b"\xfd\x40\x00"])
def test_a_false_start_in_front_of_a_frame_does_not_take_it_along(junk: bytes) -> None:
    # a stray start byte whose length byte runs past the datagram's end is not a frame
    good = pack(encoder(), sample_messages()[1])
    parser, frames = collecting_parser()
    parser.feed_datagram(junk + good, ("127.0.0.1", 1))
    assert [f[2] for f in frames] == [sample_messages()[1].get_msgId()]
    assert parser.counters.bytes_dropped == len(junk)
    assert parser.buffered == 0
    assert_counters_add_up(parser)


def test_encoder_frames_parse_in_pymavlink() -> None:
    enc = Encoder(255, 190)
    rx = mavlink.MAVLink(None)
    msgs = sample_messages()
    got = rx.parse_buffer(b"".join(enc.encode(m) for m in msgs))
    assert got is not None and [m.get_type() for m in got] == [m.get_type() for m in msgs]
    assert [m.get_seq() for m in got] == list(range(len(msgs)))
    assert all(m.get_srcSystem() == 255 and m.get_srcComponent() == 190 for m in got)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600), st.lists(st.integers(1, 64), max_size=20))
def test_random_bytes_never_crash_and_counters_add_up(data: bytes, cuts: list[int]) -> None:
    parser, _ = collecting_parser()
    i = 0
    for cut in cuts:
        parser.feed(data[i : i + cut])
        i += cut
    parser.feed(data[i:])
    assert_counters_add_up(parser)
    datagram_parser, _ = collecting_parser()
    datagram_parser.feed_datagram(data)
    assert_counters_add_up(datagram_parser)
    assert datagram_parser.buffered == 0


_GARBAGE = st.binary(max_size=80).map(lambda b: bytes(x for x in b if x not in (0xFD, 0xFE)))


@settings(max_examples=200)
@given(st.lists(st.tuples(_GARBAGE, st.integers(0, 7)), min_size=1, max_size=12), st.data())
def test_frames_among_garbage_are_all_recovered(pieces: list[tuple[bytes, int]], data: Any) -> None:
    mav = encoder()
    msgs = sample_messages()
    stream = b""
    expected = []
    for garbage, which in pieces:
        stream += garbage + pack(mav, msgs[which])
        expected.append(msgs[which].get_msgId())
    truncate = data.draw(st.integers(0, 40))
    stream += pack(mav, msgs[0])[: truncate % 10]
    parser, frames = collecting_parser()
    parser.feed(stream)
    assert [f[2] for f in frames] == expected
    assert_counters_add_up(parser)


_MESSAGE_CLASSES = sorted(mavlink.mavlink_map.values(), key=lambda c: c.id)


@st.composite
def random_message(draw: st.DrawFn) -> Any:
    cls = draw(st.sampled_from(_MESSAGE_CLASSES))
    values = []
    for i, ftype in enumerate(cls.fieldtypes):
        array_len = cls.array_lengths[cls.orders[i]]  # array_lengths is in wire order
        values.append(draw(_field_value(ftype, array_len)))
    return cls(*values)


_INT_RANGES = {
    "uint8_t": (0, 255), "int8_t": (-128, 127), "uint16_t": (0, 65535), "int16_t": (-32768, 32767),
    "uint32_t": (0, 2**32 - 1), "int32_t": (-(2**31), 2**31 - 1), "uint64_t": (0, 2**64 - 1),
    "int64_t": (-(2**63), 2**63 - 1),
}  # fmt: skip


def _field_value(ftype: str, array_len: int) -> st.SearchStrategy[Any]:
    if ftype == "char":
        return st.binary(max_size=array_len or 1).map(lambda b: b.replace(b"\0", b"a"))
    if ftype in ("float", "double"):
        scalar: st.SearchStrategy[Any] = st.floats(
            width=32 if ftype == "float" else 64, allow_nan=False
        )
    else:
        low, high = _INT_RANGES[ftype]
        scalar = st.integers(low, high)
    if array_len:
        return st.lists(scalar, min_size=array_len, max_size=array_len)
    return scalar


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(random_message())
def test_every_message_round_trips_like_pymavlink(msg: Any) -> None:
    mav = encoder(3, 4)
    data = pack(mav, msg)
    parser, frames = collecting_parser()
    parser.feed(data)
    assert len(frames) == 1
    ours = decode(frames[0][2], frames[0][4])
    ref = mavlink.MAVLink(None).parse_buffer(data)
    assert ref is not None
    assert fields_equal(ours, ref[0])
