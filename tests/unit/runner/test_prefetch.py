"""prefetch: one request ahead, errors where they belong, nothing left running."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncGenerator
from contextlib import aclosing

import pytest

from entra_recovery import aio
from entra_recovery.runner.prefetch import prefetch


class Source:
    """An async generator of pages that records when each fetch starts and ends."""

    def __init__(self, count: int, fail_at: int | None = None) -> None:
        self.count = count
        self.fail_at = fail_at
        self.log: list[str] = []
        self.closed = False

    async def pages(self) -> AsyncGenerator[int, None]:
        try:
            for n in range(self.count):
                self.log.append(f"fetch {n}")
                await asyncio.sleep(0.001)
                if n == self.fail_at:
                    raise LookupError(f"page {n} failed")
                self.log.append(f"got {n}")
                yield n
        finally:
            self.closed = True


def test_items_arrive_in_order_and_the_next_fetch_starts_before_processing() -> None:
    source = Source(3)

    async def consume() -> list[int]:
        seen = []
        async with aclosing(source.pages()) as pages, aclosing(prefetch(pages)) as ahead:
            async for item in ahead:
                await asyncio.sleep(0)  # the processing yields now and then
                source.log.append(f"process {item}")
                seen.append(item)
        return seen

    assert aio.run(consume()) == [0, 1, 2]
    # page 1 is requested before page 0 is processed
    assert source.log.index("fetch 1") < source.log.index("process 0")
    assert source.closed


def test_a_fetch_error_surfaces_at_its_item() -> None:
    source = Source(5, fail_at=2)

    async def consume() -> list[int]:
        seen: list[int] = []
        async with aclosing(source.pages()) as pages, aclosing(prefetch(pages)) as ahead:
            async for item in ahead:
                seen.append(item)
        return seen

    seen: list[int] = []
    with pytest.raises(LookupError, match="page 2 failed"):
        seen = aio.run(consume())
    assert seen == []
    assert "process" not in " ".join(source.log)
    assert source.closed


def test_stopping_early_cancels_the_pending_fetch_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Source(10)

    async def consume() -> None:
        async with aclosing(source.pages()) as pages, aclosing(prefetch(pages)) as ahead:
            async for item in ahead:
                if item == 1:
                    raise ValueError("stop")

    with pytest.raises(ValueError, match="stop"):
        aio.run(consume())
    gc.collect()
    assert source.closed
    assert "got 3" not in source.log  # nothing fetched beyond the one pending request
    assert "never retrieved" not in caplog.text


def test_a_failed_read_ahead_nobody_asked_for_is_not_reported_as_lost(
    caplog: pytest.LogCaptureFixture,
) -> None:
    source = Source(5, fail_at=1)

    async def consume() -> None:
        async with aclosing(source.pages()) as pages, aclosing(prefetch(pages)) as ahead:
            async for _item in ahead:
                await asyncio.sleep(0.01)  # page 1 fails meanwhile
                raise ValueError("consumer gave up")

    with pytest.raises(ValueError, match="consumer gave up"):
        aio.run(consume())
    gc.collect()
    assert "never retrieved" not in caplog.text
