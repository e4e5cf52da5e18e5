"""The memory bus with ``keep_acknowledged=False``: what the consumers committed is dropped,
redelivery of what they did not commit still works."""

from __future__ import annotations

import asyncio

from adapters.core.bus import MemoryBus


async def _read(bus: MemoryBus, group: str, count: int, *, commit: bool) -> list[bytes]:
    got: list[bytes] = []
    async for message in bus.subscribe("t", group):
        got.append(message.value)
        if commit:
            await message.commit()
        if len(got) == count:
            break
    return got


def test_committed_messages_are_dropped_but_offsets_and_lag_stay_absolute() -> None:
    async def scenario() -> None:
        bus = MemoryBus(keep_acknowledged=False)
        total = 3 * MemoryBus.TRIM_CHUNK
        for i in range(total):
            bus.publish_nowait("t", b"k", str(i).encode())
        assert await _read(bus, "g", total - 10, commit=True) == [
            str(i).encode() for i in range(total - 10)
        ]
        assert len(bus.messages("t")) <= MemoryBus.TRIM_CHUNK  # the committed head is gone
        assert bus.published("t") == total
        assert bus.lag("t", "g") == 10
        # A restarted consumer gets exactly the uncommitted rest, at its real offsets.
        offsets = []
        async for message in bus.subscribe("t", "g"):
            offsets.append(message.offset)
            if len(offsets) == 10:
                break
        assert offsets == list(range(total - 10, total))

    asyncio.run(scenario())


def test_uncommitted_messages_are_redelivered_and_a_slow_group_keeps_the_log() -> None:
    async def scenario() -> None:
        bus = MemoryBus(keep_acknowledged=False)
        total = 2 * MemoryBus.TRIM_CHUNK
        for i in range(total):
            bus.publish_nowait("t", None, str(i).encode())
        await _read(bus, "slow", 1, commit=False)  # subscribed, committed nothing
        await _read(bus, "fast", total, commit=True)
        assert len(bus.messages("t")) == total  # "slow" still needs every one
        again = await _read(bus, "slow", total, commit=True)
        assert again[0] == b"0" and len(again) == total
        assert len(bus.messages("t")) == 0

    asyncio.run(scenario())


def test_nothing_is_dropped_before_anyone_subscribed_or_by_default() -> None:
    async def scenario() -> None:
        keeping = MemoryBus()
        trimming = MemoryBus(keep_acknowledged=False)
        total = 2 * MemoryBus.TRIM_CHUNK
        for bus in (keeping, trimming):
            for i in range(total):
                bus.publish_nowait("t", None, str(i).encode())
        assert len(trimming.messages("t")) == total  # no group yet: a late consumer gets all
        for bus in (keeping, trimming):
            assert len(await _read(bus, "g", total, commit=True)) == total
        assert len(keeping.messages("t")) == total
        assert trimming.messages("t") == []

    asyncio.run(scenario())
