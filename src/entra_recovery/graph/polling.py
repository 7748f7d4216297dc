"""
Waiting for a job: poll until its status is terminal, with backoff, Retry-After and a timeout.

Used by `job wait`, `--wait` on the parity commands and the plan runner. Waits start at the
configured poll interval (`ENTRA_RECOVERY_POLL_INTERVAL`) and grow with the time the job has
been running, `LATENESS` of it, up to a cap: a job that finishes is noticed within a twentieth
of its running time (or one poll interval), and an hour-long job costs about fifty polls.
When Graph throttles a poll beyond the SDK's own retries (`ThrottledError`), we wait at least
as long as its Retry-After and poll again. Clock and sleep are injected, so tests need no real time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from collections.abc import Callable

from entra_recovery.constants import MAX_POLL_INTERVAL
from entra_recovery.errors import PollTimeoutError
from entra_recovery.errors import ThrottledError
from entra_recovery.graph.models import Job

# The wait between polls is at most this share of the time waited so far (and at least the
# poll interval): how late, relative to its duration, we may notice that a job finished.
LATENESS = 0.05
# How many throttled polls in a row we sit out before giving up.
MAX_THROTTLED_POLLS = 10


def max_interval_for(first: float) -> float:
    """Cap the backoff at ten times the first interval, and at MAX_POLL_INTERVAL."""
    return max(first, min(MAX_POLL_INTERVAL, first * 10))


async def wait_for_job(
    fetch: Callable[[], Awaitable[Job]],
    *,
    interval: float,
    timeout: float | None = None,
    max_interval: float | None = None,
    on_poll: Callable[[Job, float], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Fetch the job until it is terminal (successful, failed, abandoned); return it.

    Args:
        fetch: coroutine function returning the job's current state.
        interval: first wait between polls, in seconds.
        timeout: give up after this many seconds (None: as long as it takes).
        max_interval: cap of the wait (default: ten times `interval`, at most 300 s).
        on_poll: progress callback with the job and the elapsed seconds, after every poll.

    Raises:
        PollTimeoutError: the job was not terminal when the timeout passed.
        ThrottledError: Graph throttled more than `MAX_THROTTLED_POLLS` polls in a row.
    """
    start = clock()
    wait = interval
    cap = max_interval if max_interval is not None else max_interval_for(interval)
    throttled = 0
    last: Job | None = None
    while True:
        try:
            job = await fetch()
            throttled = 0
        except ThrottledError as exc:
            throttled += 1
            if throttled > MAX_THROTTLED_POLLS:
                raise
            pause = max(wait, exc.retry_after or 0.0)
            _check_timeout(start, clock, pause, timeout, last)
            await sleep(pause)
            continue
        last = job
        elapsed = clock() - start
        if on_poll is not None:
            on_poll(job, elapsed)
        if job.status.is_terminal:
            return job
        wait = min(cap, max(interval, elapsed * LATENESS))
        _check_timeout(start, clock, wait, timeout, job)
        await sleep(wait)


def _check_timeout(
    start: float,
    clock: Callable[[], float],
    pause: float,
    timeout: float | None,
    job: Job | None,
) -> None:
    elapsed = clock() - start
    if timeout is None or elapsed + pause <= timeout:
        return
    if job is None:
        raise PollTimeoutError(
            f"no answer about the job within {timeout:g} s (Graph kept throttling)", job_id=""
        )
    raise PollTimeoutError(
        f"job {job.id} is still {job.status_text or 'pending'} after {elapsed:.0f} s "
        f"(timeout {timeout:g} s)",
        job_id=job.id,
        last_status=job.status_text,
    )
