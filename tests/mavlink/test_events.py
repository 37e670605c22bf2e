"""The event bus: typed fan-out, bounded queues, a slow subscriber never blocks publishing."""

from __future__ import annotations

import asyncio

import pytest

from groundstation.events import ArmedChanged, EventBus, ModeChanged, StatusText


def armed(i: int) -> ArmedChanged:
    return ArmedChanged(system_id=i, armed=True)


async def test_subscribers_get_only_their_types() -> None:
    bus = EventBus()
    with bus.subscribe(ArmedChanged) as arm_sub, bus.subscribe() as all_sub:
        bus.publish(armed(1))
        bus.publish(ModeChanged(system_id=1, mode="AUTO", previous="GUIDED"))
        assert (await arm_sub.get()).system_id == 1  # type: ignore[attr-defined]
        assert arm_sub.get_nowait() is None
        assert [type(e) for e in (await all_sub.get(), await all_sub.get())] == [
            ArmedChanged,
            ModeChanged,
        ]
    assert bus.subscriber_count == 0


async def test_full_queue_drops_oldest_and_counts() -> None:
    bus = EventBus()
    slow = bus.subscribe(maxsize=3)
    for i in range(10):
        bus.publish(armed(i))  # never blocks although nobody reads
    assert slow.dropped == 7 and bus.dropped == 7 and bus.published == 10
    assert [(await slow.get()).system_id for _ in range(3)] == [7, 8, 9]  # type: ignore[attr-defined]
    slow.close()


async def test_iteration_ends_when_closed() -> None:
    bus = EventBus()
    sub = bus.subscribe(StatusText)
    got: list[str] = []

    async def reader() -> None:
        async for event in sub:
            got.append(event.text)  # type: ignore[attr-defined]

    task = asyncio.create_task(reader())
    bus.publish(StatusText(system_id=1, severity=6, text="hello"))
    await asyncio.sleep(0)
    sub.close()
    await asyncio.wait_for(task, 1)
    assert got == ["hello"]
    bus.publish(StatusText(system_id=1, severity=6, text="after"))
    assert got == ["hello"]


async def test_wait_for_times_out() -> None:
    bus = EventBus()
    with bus.subscribe() as sub, pytest.raises(TimeoutError):
        await sub.wait_for(ArmedChanged, timeout_s=0.01)


def test_events_carry_aware_utc_times() -> None:
    event = armed(1)
    assert event.at.tzinfo is not None and event.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_bad_queue_size() -> None:
    with pytest.raises(ValueError):
        EventBus().subscribe(maxsize=0)
