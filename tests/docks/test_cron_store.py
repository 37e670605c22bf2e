"""Cron slots in a time zone, schedule validation, and the JSON store (atomic, never lossy)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from docks import CronSpec, JsonFileStore, PatrolRun, PatrolSchedule, RunStatus, StoreError

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 6, 2, 0, 0, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("cron", "after", "expected"),
    [
        ("*/15 8-18 * * MON-FRI", local(2025, 6, 6, 18, 50), local(2025, 6, 9, 8, 0)),
        ("0 22 * * *", local(2025, 6, 2, 22, 0), local(2025, 6, 3, 22, 0)),
        ("30 7 1 * *", local(2025, 6, 2), local(2025, 7, 1, 7, 30)),
        ("0 0 29 2 *", local(2025, 1, 1), local(2028, 2, 29)),
        ("0 12 13 * FRI", local(2025, 6, 1), local(2025, 6, 6, 12)),  # day OR weekday
        ("0 9 * * 0", local(2025, 6, 2), local(2025, 6, 8, 9)),
        ("0 9 * * 7", local(2025, 6, 2), local(2025, 6, 8, 9)),
        ("5,35 */6 * JAN,JUN *", local(2025, 6, 30, 18, 36), local(2026, 1, 1, 0, 5)),
    ],
)
def test_next_slot(cron: str, after: datetime, expected: datetime) -> None:
    slot = CronSpec.parse(cron).next_after(after, SHANGHAI)
    assert slot == expected and slot.tzinfo is UTC


@pytest.mark.parametrize(
    "bad", ["", "* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *", "*/0 * * * *",
            "5-1 * * * *", "a * * * *", "* * * * FUNDAY", "1,,2 * * * *"],
)
def test_bad_cron_is_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        CronSpec.parse(bad)


def test_dst_gap_and_overlap_in_a_zone_with_summer_time() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spec = CronSpec.parse("30 2 * * *")
    gap = spec.next_after(datetime(2025, 3, 29, 12, tzinfo=UTC), berlin)
    assert gap == datetime(2025, 3, 31, 0, 30, tzinfo=UTC)  # 02:30 did not exist on 30 March
    slots = list(zip(range(2), spec.slots_after(datetime(2025, 10, 25, 12, tzinfo=UTC), berlin), strict=False))
    assert slots[0][1] == datetime(2025, 10, 26, 0, 30, tzinfo=UTC)  # the first 02:30, once
    assert slots[1][1] == datetime(2025, 10, 27, 1, 30, tzinfo=UTC)


FIELD = st.one_of(
    st.just("*"),
    st.builds(lambda a, n: f"*/{n}", st.none(), st.integers(1, 20)),
)


@settings(max_examples=60, deadline=None)
@given(
    minute=st.one_of(FIELD, st.integers(0, 59).map(str)),
    hour=st.one_of(FIELD, st.integers(0, 23).map(str)),
    weekday=st.one_of(st.just("*"), st.integers(0, 6).map(str)),
    start_min=st.integers(0, 60 * 24 * 14),
)
def test_next_slot_is_the_first_matching_minute(minute: str, hour: str, weekday: str, start_min: int) -> None:
    spec = CronSpec.parse(f"{minute} {hour} * * {weekday}")
    after = T0 + timedelta(minutes=start_min, seconds=17)
    slot = spec.next_after(after, SHANGHAI)
    assert slot is not None and slot > after and spec.matches(slot, SHANGHAI)
    probe = after.replace(second=0) + timedelta(minutes=1)
    while probe < slot:
        assert not spec.matches(probe, SHANGHAI)
        probe += timedelta(minutes=1)


def schedule(**kw: object) -> PatrolSchedule:
    values: dict[str, object] = {"schedule_id": "s1", "dock_id": "D1", "route_id": "r1", "cron": "*/10 * * * *",
                                 "created_at": T0}
    values.update(kw)
    return PatrolSchedule.model_validate(values)


@pytest.mark.parametrize(
    "kw",
    [{"cron": "bad"}, {"timezone": "Mars/Olympus"}, {"at": T0}, {"cron": None},
     {"schedule_id": "has space"}, {"created_at": datetime(2025, 1, 1)}],
)
def test_bad_schedules_are_refused(kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        schedule(**kw)


def test_one_off_schedule_has_one_slot() -> None:
    once = schedule(cron=None, at=T0 + timedelta(hours=1))
    assert list(once.slots_after(T0)) == [T0 + timedelta(hours=1)]
    assert once.next_slot(T0 + timedelta(hours=1)) is None


def run(slot: datetime, status: RunStatus = RunStatus.CLAIMED) -> PatrolRun:
    return PatrolRun(schedule_id="s1", slot=slot, dock_id="D1", route_id="r1", status=status)


async def test_store_round_trip_and_one_run_per_slot(tmp_path: Path) -> None:
    path = tmp_path / "schedules.json"
    store = JsonFileStore(path)
    await store.put_schedule(schedule())
    assert await store.claim_slot(run(T0))
    assert not await store.claim_slot(run(T0, RunStatus.MISSED))
    done = run(T0, RunStatus.COMPLETED)
    await store.update_run(done)
    await store.set_cursor("s1", T0)
    await store.set_cursor("s1", T0 - timedelta(hours=1))  # never backwards
    again = JsonFileStore(path)
    assert [s.schedule_id for s in await again.list_schedules()] == ["s1"]
    assert [(r.slot, r.status) for r in await again.list_runs("s1")] == [(T0, RunStatus.COMPLETED)]
    assert await again.get_cursor("s1") == T0
    assert not list(tmp_path.glob(".*.tmp"))
    with pytest.raises(StoreError):
        await again.update_run(run(T0 + timedelta(days=1)))


@pytest.mark.parametrize(
    "content",
    [b"", b"{not json", b"\x00\xff" * 10, b"[]", b'{"version": 99}', b'{"version": 1, "runs": [{"slot": "x"}]}',
     json.dumps({"version": 1, "schedules": {"s": {"schedule_id": "s"}}}).encode()],
)
def test_a_broken_store_file_is_refused_and_left_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "schedules.json"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="unreadable, left untouched"):
        JsonFileStore(path)
    assert path.read_bytes() == content


async def test_history_is_pruned_but_never_of_runs_in_progress(tmp_path: Path) -> None:
    store = JsonFileStore(tmp_path / "s.json", history_per_schedule=3)
    await store.claim_slot(run(T0))  # stays CLAIMED
    for i in range(1, 6):
        await store.claim_slot(run(T0 + timedelta(minutes=i), RunStatus.COMPLETED))
    runs = await store.list_runs()
    assert runs[0].slot == T0 and len(runs) == 3
