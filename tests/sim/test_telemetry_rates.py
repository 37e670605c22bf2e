"""The simulator's telemetry streams: realistic default rates, and the station's control of them.

Rates are counted over sim time on a hand-driven clock, so they are exact, never timing-bound.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from groundstation.sim import DEFAULT_RATES_HZ, Personality
from tests.sim.bench import Bench

WINDOW_S = 20.0
STREAMS = [name for name in DEFAULT_RATES_HZ if name != "TRAFFIC"]  # traffic needs seen aircraft
ARDUPILOT_ONLY_ON_REQUEST = {"HOME_POSITION", "EXTENDED_SYS_STATE"}
# What autopilots send on a normal telemetry link (Hz): the MAVLink heartbeat is 1 Hz; ArduCopter's
# stream-rate groups and PX4's "normal" MAVLink mode put position, attitude and status in these bands.
REALISTIC_HZ = {
    "HEARTBEAT": (1.0, 1.0),
    "GLOBAL_POSITION_INT": (2.0, 10.0),
    "ATTITUDE": (4.0, 50.0),
    "VFR_HUD": (1.0, 10.0),
    "SYS_STATUS": (0.5, 5.0),
    "GPS_RAW_INT": (0.5, 5.0),
    "BATTERY_STATUS": (0.2, 5.0),
}


def counts(bench: Bench, seconds: float) -> Counter[str]:
    """How many of each message the vehicle sent in the next ``seconds`` of sim time."""
    before = len(bench.sent)
    bench.run(seconds)
    return Counter(m.get_type() for m in bench.sent[before:])


@pytest.mark.parametrize("personality", [Personality.ARDUPILOT, Personality.PX4])
def test_default_streams_run_at_their_rates(personality: Personality) -> None:
    bench = Bench(personality=personality)
    bench.run(2.0)  # past the first send of every stream
    seen = counts(bench, WINDOW_S)
    for name in STREAMS:
        expected = DEFAULT_RATES_HZ[name] * WINDOW_S
        if personality is Personality.ARDUPILOT and name in ARDUPILOT_ONLY_ON_REQUEST:
            expected = 0.0
        assert abs(seen[name] - expected) <= 1, (name, seen[name], expected)
    for name, (low, high) in REALISTIC_HZ.items():
        assert low * WINDOW_S - 1 <= seen[name] <= high * WINDOW_S + 1, (name, seen[name])


def test_set_message_interval_changes_stops_and_restores_a_stream() -> None:
    bench = Bench()
    attitude = mavlink.MAVLINK_MSG_ID_ATTITUDE
    interval = mavlink.MAV_CMD_SET_MESSAGE_INTERVAL
    assert bench.command(interval, attitude, 500_000) == mavlink.MAV_RESULT_ACCEPTED  # 2 Hz
    assert abs(counts(bench, WINDOW_S)["ATTITUDE"] - 2 * WINDOW_S) <= 1
    assert bench.command(interval, attitude, -1) == mavlink.MAV_RESULT_ACCEPTED
    bench.run(1.0)
    assert counts(bench, WINDOW_S)["ATTITUDE"] == 0
    assert bench.command(interval, attitude, 0) == mavlink.MAV_RESULT_ACCEPTED  # default again
    bench.run(1.0)
    assert abs(counts(bench, WINDOW_S)["ATTITUDE"] - DEFAULT_RATES_HZ["ATTITUDE"] * WINDOW_S) <= 1
    assert bench.command(interval, 999_999, 1000) == mavlink.MAV_RESULT_UNSUPPORTED


def test_request_message_sends_one_now_even_if_not_streamed() -> None:
    bench = Bench()  # ArduPilot: HOME_POSITION only on request
    bench.run(3.0)
    assert not [m for m in bench.sent if m.get_type() == "HOME_POSITION"]
    before = len(bench.sent)
    request = mavlink.MAV_CMD_REQUEST_MESSAGE
    assert bench.command(request, mavlink.MAVLINK_MSG_ID_HOME_POSITION) == mavlink.MAV_RESULT_ACCEPTED
    sent = [m.get_type() for m in bench.sent[before:]]
    assert sent.count("HOME_POSITION") == 1
    before = len(bench.sent)
    assert bench.command(request, mavlink.MAVLINK_MSG_ID_AUTOPILOT_VERSION) == mavlink.MAV_RESULT_ACCEPTED
    assert [m.get_type() for m in bench.sent[before:]].count("AUTOPILOT_VERSION") == 1
