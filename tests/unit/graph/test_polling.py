"""wait_for_job: backoff, Retry-After, timeout, progress; with a fake clock and sleep."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from entra_recovery.errors import PollTimeoutError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.models import Job
from entra_recovery.graph.polling import wait_for_job


class FakeTime:
    """A clock that only moves when the poll loop sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def job(status: str) -> Job:
    return Job.from_json({"id": "j", "status": status})


def script(*steps: Any) -> Any:
    """A fetch coroutine returning jobs (or raising errors) in order."""
    queue = list(steps)

    async def fetch() -> Job:
        step = queue.pop(0)
        if isinstance(step, Exception):
            raise step
        return job(step)

    return fetch


def test_short_jobs_are_polled_at_the_first_interval() -> None:
    """Until the job has run twenty intervals, every wait is the first interval."""
    fake = FakeTime()
    fetch = script("initialized", "loadingData", "calculating", "successful")
    result = asyncio.run(wait_for_job(fetch, interval=2.0, sleep=fake.sleep, clock=fake.clock))
    assert result.status.is_succeeded
    assert fake.sleeps == [2.0, 2.0, 2.0]


def test_waits_grow_with_the_running_time_so_a_finished_job_is_noticed_soon() -> None:
    """Each wait is a twentieth of the time waited so far (at least the interval, at most the
    cap): the job is seen finished within 5% of its running time, with few polls."""
    fake = FakeTime()
    finished_at = 3600.0  # the job ends after an hour

    async def fetch() -> Job:
        return job("successful" if fake.now >= finished_at else "running")

    asyncio.run(
        wait_for_job(fetch, interval=5.0, max_interval=600.0, sleep=fake.sleep, clock=fake.clock)
    )
    elapsed = 0.0
    for wait in fake.sleeps:
        assert wait == pytest.approx(max(5.0, elapsed * 0.05))
        elapsed += wait
    assert finished_at <= fake.now <= finished_at * 1.05
    assert len(fake.sleeps) < 100


def test_backoff_is_capped() -> None:
    """The wait never exceeds max_interval."""
    fake = FakeTime()
    fetch = script(*(["running"] * 60), "failed")
    asyncio.run(
        wait_for_job(fetch, interval=1.0, max_interval=2.0, sleep=fake.sleep, clock=fake.clock)
    )
    assert max(fake.sleeps) == 2.0
    assert fake.sleeps[:20] == [1.0] * 20


def test_throttled_poll_waits_retry_after() -> None:
    """A ThrottledError with Retry-After makes the loop wait that long, then poll again."""
    fake = FakeTime()
    fetch = script("running", ThrottledError("slow", retry_after=7.0), "successful")
    polled: list[str] = []
    asyncio.run(
        wait_for_job(
            fetch,
            interval=1.0,
            sleep=fake.sleep,
            clock=fake.clock,
            on_poll=lambda j, _: polled.append(j.status_text),
        )
    )
    assert fake.sleeps == [1.0, 7.0]
    assert polled == ["running", "successful"]


def test_timeout_raises_with_last_status() -> None:
    """The timeout ends the wait with the job id and last status."""
    fake = FakeTime()
    fetch = script(*(["calculating"] * 10))
    with pytest.raises(PollTimeoutError) as info:
        asyncio.run(
            wait_for_job(fetch, interval=1.0, timeout=3.0, sleep=fake.sleep, clock=fake.clock)
        )
    assert info.value.job_id == "j" and info.value.last_status == "calculating"
    assert fake.now <= 3.0


def test_unknown_status_is_not_terminal() -> None:
    """unknownFutureValue keeps the loop polling."""
    fake = FakeTime()
    fetch = script("unknownFutureValue", "abandoned")
    result = asyncio.run(wait_for_job(fetch, interval=0.5, sleep=fake.sleep, clock=fake.clock))
    assert result.status_text == "abandoned" and fake.sleeps == [0.5]
