"""The tenant's one job slot, against the emulator over HTTP, with a fake clock (no real sleeps)."""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import Any

import pytest

from entra_recovery.errors import JobConflictError
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import Snapshot
from entra_recovery.runner.creation import JobRequest
from entra_recovery.runner.creation import create_once
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.slot import CreateJob
from entra_recovery.runner.slot import TenantSlot
from entra_recovery.testing import PINNED_NOW

# Jobs of the busy tenant stay in their first phase far longer than any test runs.
SLOW_JOBS = 3600
# What another client's job covers: not what our requests ask for.
BLOCKER_SCOPE = FilteringCriteria(entity_types=("user",))

WithGraph = Callable[..., Any]


class FakeClock:
    """`sleep` advances `monotonic` at once; `on_sleep(n)` runs after the n-th sleep."""

    def __init__(self, on_sleep: Callable[[int], Awaitable[None]] | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self._on_sleep = on_sleep

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self._on_sleep is not None:
            await self._on_sleep(len(self.sleeps))


class Waits(NoopEvents):
    """Records each `waiting_for_slot` event as (job id, elapsed seconds)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, float]] = []

    def waiting_for_slot(self, job: Job, elapsed: float) -> None:
        self.seen.append((job.id, elapsed))


def _slot(
    graph: Any, clock: FakeClock, events: Waits, *, poll: float, wait: float | None
) -> TenantSlot:
    return TenantSlot(
        graph,
        events,
        poll_interval=poll,
        wait_for_slot=wait,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
    )


async def _block(graph: Any, criteria: FilteringCriteria = BLOCKER_SCOPE) -> tuple[str, str]:
    """Start a (slow) preview job of users only; return the snapshot id and the job id."""
    snapshot = (await graph.list_snapshots())[-1]
    return snapshot.id, await graph.start_preview_job(snapshot.id, criteria)


async def _create(slot: TenantSlot, create: CreateJob, snapshot: Snapshot) -> str:
    """`create_once` for a preview of everything, sent (on the emulator's clock) at its now."""
    request = JobRequest(
        JobKind.PREVIEW,
        snapshot,
        FilteringCriteria(),
        on_send=lambda: PINNED_NOW,
        owned=frozenset,
        next_step="see `entra-recovery job list`",
    )
    return await create_once(slot, request, create, sleep=slot.sleep, recheck_delay=1)


def test_a_free_tenant_creates_at_once(emulator: Any, with_graph: WithGraph) -> None:
    """No job runs: the job is created with one look and no sleep."""
    clock, events = FakeClock(), Waits()

    async def go(graph: Any) -> str:
        snapshot = (await graph.list_snapshots())[-1]
        slot = _slot(graph, clock, events, poll=10, wait=None)
        return await _create(slot, graph.start_preview_job, snapshot)

    job_id = with_graph(emulator, go)
    assert job_id
    assert (clock.sleeps, events.seen) == ([], [])


def test_a_busy_tenant_stops_at_once_naming_the_job(
    make_emulator: Any, with_graph: WithGraph
) -> None:
    """Without a wait, the running job is named in the error and nothing sleeps."""
    server = make_emulator(job_durations=SLOW_JOBS)
    clock, events = FakeClock(), Waits()

    async def go(graph: Any) -> tuple[str, JobConflictError]:
        _, blocker = await _block(graph)
        with pytest.raises(JobConflictError) as info:
            await _slot(graph, clock, events, poll=10, wait=None).wait_until_free()
        return blocker, info.value

    blocker, error = with_graph(server, go)
    assert error.running_job_id == blocker
    assert f"another preview job ({blocker}," in str(error)
    assert f"entra-recovery job cancel {blocker}" in (error.hint or "")
    assert (clock.sleeps, events.seen) == ([], [])


@pytest.mark.parametrize(
    ("poll", "sleeps"),
    [
        (10, [10, 15, 22.5, 33.75, 50.625, 60, 60]),  # backs off to a minute at most
        (100, [100, 100, 100, 100, 100, 100, 100]),  # a longer poll interval is kept
    ],
)
def test_waiting_backs_off_until_the_job_ends(
    make_emulator: Any, with_graph: WithGraph, poll: float, sleeps: list[float]
) -> None:
    """With a wait, the slot looks again after each (growing) pause until the job is gone."""
    server = make_emulator(job_durations=SLOW_JOBS)
    blocker: dict[str, str] = {}
    events = Waits()

    async def go(graph: Any) -> None:
        async def end_blocker_after_seven(n: int) -> None:
            if n == 7:
                await graph.cancel_job(blocker["id"])

        clock = FakeClock(end_blocker_after_seven)
        _, blocker["id"] = await _block(graph)
        await _slot(graph, clock, events, poll=poll, wait=24 * 3600).wait_until_free()
        assert clock.sleeps == sleeps

    with_graph(server, go)
    elapsed = [sum(sleeps[:n]) for n in range(len(sleeps))]
    assert events.seen == [(blocker["id"], seconds) for seconds in elapsed]


def test_waiting_gives_up_when_the_wait_runs_out(make_emulator: Any, with_graph: WithGraph) -> None:
    """The wait is measured on the injected clock; past it, the running job is named."""
    server = make_emulator(job_durations=SLOW_JOBS)
    clock, events = FakeClock(), Waits()

    async def go(graph: Any) -> tuple[str, JobConflictError]:
        _, blocker = await _block(graph)
        with pytest.raises(JobConflictError) as info:
            await _slot(graph, clock, events, poll=10, wait=30).wait_until_free()
        return blocker, info.value

    blocker, error = with_graph(server, go)
    assert error.running_job_id == blocker
    assert clock.sleeps == [10, 15, 5]  # looked at 0, 10, 25 and 30 s: never past the wait
    assert [elapsed for _, elapsed in events.seen] == [0, 10, 25]
    assert error.message.startswith(f"another preview job ({blocker}, ")
    assert error.message.endswith(
        ") still holds the tenant's one job slot after waiting 30 s (the wait for the slot was "
        "30 s); no job was created"
    )
    assert f"entra-recovery job cancel {blocker}" in (error.hint or "")


@pytest.mark.parametrize("wait", [None, 3600])
def test_a_conflict_on_create_is_waited_out_only_when_allowed(
    make_emulator: Any, with_graph: WithGraph, count_posts: Callable[..., int], wait: float | None
) -> None:
    """Another client takes the slot between our look and our request (409): with a wait we
    queue behind it and try again; without one the conflict stops us."""
    server = make_emulator(job_durations=SLOW_JOBS)
    attempts: list[str] = []
    blocker: dict[str, str] = {}
    events = Waits()

    async def go(graph: Any) -> str:
        async def end_blocker(_: int) -> None:
            await graph.cancel_job(blocker["id"])

        async def create_after_someone_else(snapshot_id: str, criteria: Any) -> str:
            attempts.append(snapshot_id)
            if not blocker:
                _, blocker["id"] = await _block(graph)
            job_id: str = await graph.start_preview_job(snapshot_id, criteria)
            return job_id

        clock = FakeClock(end_blocker)
        snapshot = (await graph.list_snapshots())[-1]
        slot = _slot(graph, clock, events, poll=10, wait=wait)
        return await _create(slot, create_after_someone_else, snapshot)

    if wait is None:
        with pytest.raises(JobConflictError):
            with_graph(server, go)
        assert len(attempts) == 1
        assert count_posts(server, "recoveryPreviewJobs") == 2  # the blocker's and our 409
        return
    job_id = with_graph(server, go)
    assert len(attempts) == 2 and job_id != blocker["id"]
    assert events.seen == [(blocker["id"], 0)]


def test_a_conflict_caused_by_our_own_resent_request_follows_that_job(
    make_emulator: Any, with_graph: WithGraph, count_posts: Callable[..., int]
) -> None:
    """A client that re-sends a create whose answer was lost gets a 409 from its own first
    attempt: the runner follows that job, and neither waits for the slot nor asks again."""
    server = make_emulator(job_durations=SLOW_JOBS)
    first: list[str] = []

    async def go(graph: Any) -> str:
        async def sent_twice(snapshot_id: str, criteria: FilteringCriteria) -> str:
            first.append(await graph.start_preview_job(snapshot_id, criteria))  # answer "lost"
            job_id: str = await graph.start_preview_job(snapshot_id, criteria)  # 409
            return job_id

        snapshot = (await graph.list_snapshots())[-1]
        slot = _slot(graph, FakeClock(), Waits(), poll=10, wait=3600)
        return await _create(slot, sent_twice, snapshot)

    assert with_graph(server, go) == first[0]
    assert count_posts(server, "recoveryPreviewJobs") == 2  # the two the client sent, no third
