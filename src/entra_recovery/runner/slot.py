"""
The tenant's one job slot: create a preview or recovery job only when no other job runs.

Step in the flow: resolve -> **slot** -> preview job, and gates -> **slot** -> recovery job. The
service runs one job per tenant at a time (409 otherwise). Without `wait_for_slot` a busy tenant
stops the run at once, naming the running job; with it, the run waits (backing off from the poll
interval to at most a minute between looks, the last look at the end of the wait) until the
job ends or the wait runs out; then it stops naming the job, and creates none. Creating
the job itself, and a 409 on create (another client took the slot between our look and our
request, or an earlier attempt of ours did), is `creation.create_once`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

from entra_recovery.errors import JobConflictError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.runner.events import RunnerEvents

CreateJob = Callable[[str, FilteringCriteria], Awaitable[str]]

# The longest pause between two looks at a busy tenant (unless the poll interval is longer).
MAX_SLOT_INTERVAL = 60.0


@dataclass(frozen=True)
class TenantSlot:
    """Waits for the tenant's job slot with an injected `sleep` and `monotonic` clock.

    `wait_for_slot` is how long to wait in seconds; None stops at the first sight of a job.
    """

    graph: GraphApi
    events: RunnerEvents
    poll_interval: float
    wait_for_slot: float | None
    sleep: Callable[[float], Awaitable[None]]
    monotonic: Callable[[], float]

    async def wait_until_free(self) -> frozenset[str]:
        """Return once no job runs, with the ids of every job listed then (none of them can be
        the answer to a request sent afterwards); raise `JobConflictError` when we may not (or
        no longer) wait."""
        start = self.monotonic()
        interval = self.poll_interval
        while True:
            jobs = await self.graph.list_jobs()
            running = [j for j in jobs if not j.status.is_terminal]
            if not running:
                return frozenset(j.id for j in jobs)
            job = running[0]
            elapsed = self.monotonic() - start
            if self.wait_for_slot is None or elapsed >= self.wait_for_slot:
                raise _busy(job, elapsed, self.wait_for_slot)
            self.events.waiting_for_slot(job, elapsed)
            # Never sleep past the end of the wait: the last look is at its end, not after it.
            await self.sleep(min(interval, self.wait_for_slot - elapsed))
            interval = min(interval * 1.5, max(self.poll_interval, MAX_SLOT_INTERVAL))


def _busy(job: Job, elapsed: float, wait_for_slot: float | None) -> JobConflictError:
    """The error for a slot held by `job`: at once (no wait allowed), or after the wait ran out.

    It names the job holding the slot; nothing was created, and that job is left alone (only
    the user may cancel a job this run did not start)."""
    kind = "recovery" if job.kind is JobKind.RECOVERY else "preview"
    holder = f"another {kind} job ({job.id}, {job.status_text})"
    if wait_for_slot is None:
        message = f"{holder} is running in the tenant; only one job may run at a time"
        hint = "wait for it (--wait-for-slot 2h) or cancel it with "
    else:
        message = (
            f"{holder} still holds the tenant's one job slot after waiting {elapsed:g} s (the "
            f"wait for the slot was {wait_for_slot:g} s); no job was created"
        )
        hint = "wait longer (--wait-for-slot) or cancel it with "
    return JobConflictError(
        message,
        status=409,
        running_job_id=job.id,
        hint=hint + f"`entra-recovery job cancel {job.id}`",
    )
