"""MAVLink 2 signing against pymavlink's implementation of the same spec."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.mavlink._codec import Encoder, FrameParser
from groundstation.mavlink._signing import SigningState, parse_key, signing_timestamp_now
from tests.mavlink.frames import encoder, pack, sample_messages

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))


def signed_parser(**kwargs: object) -> tuple[FrameParser, list[int], SigningState]:
    got: list[int] = []
    state = SigningState(KEY, **kwargs)  # type: ignore[arg-type]
    parser = FrameParser(lambda s, c, msgid, q, p, peer: got.append(msgid), state)
    return parser, got, state


def test_frames_signed_by_pymavlink_are_accepted() -> None:
    mav = encoder(1, 1, key=KEY, link_id=3)
    parser, got, state = signed_parser()
    parser.feed(b"".join(pack(mav, m) for m in sample_messages()))
    assert len(got) == len(sample_messages())
    assert state.good == len(got) and state.rejected == 0


def test_unsigned_frames_are_rejected_and_counted() -> None:
    parser, got, state = signed_parser()
    parser.feed(pack(encoder(), sample_messages()[0]))
    assert got == []
    assert state.unsigned_rejected == 1
    assert parser.counters.signature_rejected == 1


def test_wrong_key_is_rejected() -> None:
    parser, got, state = signed_parser()
    parser.feed(pack(encoder(key=OTHER_KEY), sample_messages()[1]))
    assert got == [] and state.bad_signature == 1


def test_tampered_payload_with_fixed_crc_is_rejected() -> None:
    from fastcrc.crc16 import mcrf4xx

    frame = bytearray(pack(encoder(key=KEY), sample_messages()[1]))
    frame[12] ^= 0x01  # change the payload, then make the CRC right again
    plen = frame[1]
    crc = mcrf4xx(
        bytes([mavlink.MAVLink_global_position_int_message.crc_extra]),
        mcrf4xx(bytes(frame[1 : 10 + plen])),
    )
    frame[10 + plen : 12 + plen] = crc.to_bytes(2, "little")
    parser, got, state = signed_parser()
    parser.feed(bytes(frame))
    assert got == [] and state.bad_signature == 1 and parser.counters.bad_crc == 0


def test_replayed_frame_is_rejected() -> None:
    frame = pack(encoder(key=KEY), sample_messages()[0])
    parser, got, state = signed_parser()
    parser.feed(frame)
    parser.feed(frame)
    assert got == [0] and state.replayed == 1


def test_new_stream_more_than_a_minute_old_is_rejected() -> None:
    old = signing_timestamp_now() - 2 * 6_000_000
    parser, got, state = signed_parser()
    parser.feed(pack(encoder(key=KEY, timestamp=old), sample_messages()[0]))
    assert got == [] and state.replayed == 1


def test_allowed_unsigned_ids_pass() -> None:
    parser, got, state = signed_parser(accept_unsigned_ids=frozenset({109}))
    radio = mavlink.MAVLink_radio_status_message(200, 190, 0, 60, 50, 0, 0)
    parser.feed(pack(encoder(), radio) + pack(encoder(), sample_messages()[0]))
    assert got == [109] and state.unsigned_accepted == 1 and state.unsigned_rejected == 1


def test_our_signed_frames_verify_in_pymavlink() -> None:
    state = SigningState(KEY, link_id=7)
    enc = Encoder(255, 190)
    enc.set_signing(state)
    rx = mavlink.MAVLink(None)
    rx.signing.secret_key = KEY
    rx.signing.allow_unsigned_callback = lambda mav, msgid: False
    data = b"".join(enc.encode(m) for m in sample_messages())
    got = rx.parse_buffer(data)
    assert got is not None and len(got) == len(sample_messages())
    assert rx.signing.goodsig_count == len(got) and rx.signing.badsig_count == 0
    assert all(m._link_id == 7 for m in got)


def test_outgoing_timestamps_increase_and_follow_the_clock() -> None:
    state = SigningState(KEY)
    first = state.next_timestamp()
    second = state.next_timestamp()
    assert second > first >= signing_timestamp_now() - 100_000


@pytest.mark.parametrize("bad", ["zz" * 32, "ab" * 31, b"short"])
def test_bad_keys_are_refused(bad: str | bytes) -> None:
    with pytest.raises(ValueError):
        parse_key(bad)


def test_hex_key_accepted() -> None:
    assert parse_key(KEY.hex()) == KEY
