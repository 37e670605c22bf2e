"""The wire protocol: topics, envelopes and payloads validated at the edge; garbage counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docks import (
    ChargeState,
    DockBus,
    DockReadings,
    DoorState,
    MqttSettings,
    ProtocolViolation,
    RainLevel,
    ScaledClock,
    Topics,
)
from docks._protocol import (
    MAX_PAYLOAD_BYTES,
    DockProperties,
    ResultData,
    TopicKind,
    decode,
    encode,
    parse_data,
)
from docks._services import ServiceStatus

SN = st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True)
AT = datetime(2025, 6, 1, 8, 0, tzinfo=UTC)


@given(prefix=st.sampled_from(["", "city1/", "test-abc/"]), sn=SN, kind=st.sampled_from(list(TopicKind)))
def test_topics_round_trip(prefix: str, sn: str, kind: TopicKind) -> None:
    topics = Topics(prefix)
    assert topics.parse(topics.topic(kind, sn)) == (kind, sn)


def test_topic_layout_follows_the_cloud_api() -> None:
    topics = Topics("p/")
    assert topics.topic(TopicKind.OSD, "D1") == "p/thing/product/D1/osd"
    assert topics.topic(TopicKind.SERVICES_REPLY, "D1") == "p/thing/product/D1/services_reply"
    assert topics.topic(TopicKind.STATUS, "D1") == "p/sys/product/D1/status"
    assert "p/thing/product/+/events" in topics.station_subscriptions()
    assert topics.parse("p/thing/product/D1/unknown") is None
    assert topics.parse("other/thing/product/D1/osd") is None


def test_envelope_round_trip() -> None:
    payload = encode(method="cover_open", data={"a": 1}, at=AT, tid="t1", bid="b1", need_reply=1)
    env = decode(payload)
    assert (env.tid, env.bid, env.method, env.data, env.need_reply) == ("t1", "b1", "cover_open", {"a": 1}, 1)
    assert env.timestamp == int(AT.timestamp() * 1000)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\x00\xff\xfe garbage",
        b"[]",
        b'{"tid": "x"}',
        b'{"tid": "bad tid with spaces", "bid": "b", "timestamp": 1, "method": "m"}',
        b'{"tid": "t", "bid": "b", "timestamp": -5, "method": "m"}',
        b'{"tid": "t", "bid": "b", "timestamp": 1, "method": ""}',
        b'{"tid": "t", "bid": "b", "timestamp": 1, "method": "m", "data": [1, 2]}',
        b"{" * 5000,
        b'{"tid": "t", "bid": "b", "timestamp": 1, "method": "m", "data": {"x": "'
        + b"a" * MAX_PAYLOAD_BYTES + b'"}}',
    ],
)
def test_bad_envelopes_are_refused(payload: bytes) -> None:
    with pytest.raises(ProtocolViolation):
        decode(payload)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_escape_as_other_errors(payload: bytes) -> None:
    try:
        decode(payload)
    except ProtocolViolation:
        pass


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=20), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=10,
), max_size=6))
def test_random_json_data_is_validated_or_refused(data: dict[str, object]) -> None:
    env = decode(encode(method="osd", data=data, at=AT))
    for model in (DockProperties, ResultData):
        try:
            parse_data(model, env)
        except ProtocolViolation:
            pass


def test_properties_merge_only_what_is_present() -> None:
    base = DockReadings(at=AT, door=DoorState.CLOSED, drone_present=True, drone_battery_pct=80.0)
    props = parse_data(DockProperties, decode(encode(method="state", data={"cover_state": 1}, at=AT)))
    merged = props.merged_into(base, AT)
    assert merged.door is DoorState.OPEN
    assert merged.drone_present and merged.drone_battery_pct == 80.0


def test_full_readings_round_trip_through_properties() -> None:
    readings = DockReadings(
        at=AT, door=DoorState.HALF_OPEN, drone_present=True, drone_powered=True,
        drone_battery_pct=55.5, charge_state=ChargeState.CHARGING, wind_speed_mps=7.5,
        rain=RainLevel.MODERATE, temperature_c=31.0, humidity_pct=80.0, emergency_stop=True,
        lat_deg=26.42, lon_deg=111.61,
    )
    data = DockProperties.from_readings(readings).model_dump(mode="json", exclude_none=True)
    wire = json.loads(encode(method="osd", data=data, at=AT))
    back = parse_data(DockProperties, decode(json.dumps(wire).encode())).merged_into(None, AT)
    assert back == readings


def test_result_data_statuses() -> None:
    for status in ServiceStatus:
        data = parse_data(ResultData, decode(encode(method="x", data={"result": 0, "output": {"status": status.value}}, at=AT)))
        assert data.output is not None and data.output.status is status
    assert ServiceStatus.OK.terminal and not ServiceStatus.IN_PROGRESS.terminal


async def test_bus_counts_garbage_without_crashing() -> None:
    bus = DockBus(MqttSettings(hostname="127.0.0.1", topic_prefix="p/"), clock=ScaledClock())
    driver = bus.driver("D1")
    good = encode(method="osd", data={"cover_state": 0, "drone_in_dock": 1}, at=AT)
    messages = [
        ("p/thing/product/D1/osd", b"\xff\x00"),
        ("p/thing/product/D1/osd", b'{"tid": 1}'),
        ("p/thing/product/D1/osd", encode(method="osd", data={"cover_state": 9}, at=AT)),
        ("p/thing/product/D1/events", encode(method="no_such_service", data={"result": 0}, at=AT)),
        ("p/thing/product/D1/services_reply", b"null"),
        ("p/thing/product/D1/osd", None),
        ("p/thing/product/D1/osd", 42),
        ("p/elsewhere", good),
        ("p/thing/product/D1/osd", good),
    ]
    for topic, payload in messages:
        bus.handle(topic, payload)
    assert bus.stats.invalid == 8
    assert driver.readings is not None and driver.readings.drone_present
    assert driver.online
    await driver.aclose()
