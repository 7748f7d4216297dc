"""
Preview jobs shared by the plans of one batch: one preview job per tenant, snapshot and scope.

Step in the flow: resolve -> **shared preview?** -> preview job -> changes. Only one job may run
in a tenant at a time and real jobs take minutes to hours, so when two plans of a `plan preview`
batch resolve to the same snapshot and job criteria, the second reuses the first one's job and
change set instead of queueing another job. The job criteria are the plan's own, or, after
`PlanRunner.plan_batch`, the merged criteria of every plan of its snapshot (`batch`, `merge`);
each plan then takes its share of the change set kept here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import dataclass

from entra_recovery.constants import JournalStep
from entra_recovery.constants import StepState
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.runner.bookkeeping import RunBook
from entra_recovery.runner.changes import ChangeSet
from entra_recovery.runner.merge import job_share
from entra_recovery.runner.merge import share_of

MakeJob = Callable[[], Awaitable[tuple[Job, ChangeSet]]]


@dataclass(frozen=True)
class SharedPreviewKey:
    """What makes two previews the same job: the snapshot and the filtering criteria."""

    snapshot_id: str
    criteria: FilteringCriteria


@dataclass(frozen=True)
class SharedPreview:
    """A finished preview job and the change set read from it."""

    job: Job
    changes: ChangeSet


class SharedPreviews:
    """The finished preview jobs of one batch, by snapshot and filtering criteria.

    Owner: the `PlanRunner` built with `share_previews=True` (the CLI's `plan preview`, for the
    plans it was given); it exists only then, so a runner that does not share keeps no diff
    after its preview returns. Lifetime: the runner's. Entries are never refreshed: a batch is
    one point in time, and every plan of it must see the same change set for the same job.
    Each entry holds a whole diff, so memory grows with the distinct jobs of the batch; an
    entry of a planned batch is discarded once every plan of its group had its share.
    """

    def __init__(self) -> None:
        self._entries: dict[SharedPreviewKey, SharedPreview] = {}
        # Held while a job is made and read: one job at a time, and a plan that comes while its
        # job is being made waits for it instead of making another.
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: SharedPreviewKey) -> SharedPreview | None:
        """The preview another plan of the batch made for `key`, if any."""
        return self._entries.get(key)

    def add(self, key: SharedPreviewKey, job: Job, changes: ChangeSet) -> SharedPreview:
        """Keep a finished preview for the plans that follow; the first one for a key wins."""
        return self._entries.setdefault(key, SharedPreview(job, changes))

    def discard(self, key: SharedPreviewKey) -> None:
        """Let an entry go (its batch group is done); a later plan for `key` makes a new job."""
        self._entries.pop(key, None)

    async def get_or_make(self, key: SharedPreviewKey, make: MakeJob) -> tuple[SharedPreview, bool]:
        """The entry for `key`, made with `make()` when there is none; True when made now.

        One `make` runs at a time. A `make` that fails keeps nothing: the next plan tries again.
        """
        async with self._lock:
            found = self._entries.get(key)
            if found is not None:
                return found, False
            job, changes = await make()
            return self.add(key, job, changes), True

    async def take_share(
        self, book: RunBook, key: SharedPreviewKey, criteria: FilteringCriteria, make: MakeJob
    ) -> tuple[Job, ChangeSet]:
        """A plan's job and change set from the entry for `key` (made now when there is none):
        the share its own `criteria` select (`merge.share_of`), the job seen as its share
        (`merge.job_share`). The plan's journal names the shared job, and its criteria when
        they are not the plan's."""
        shared, made = await self.get_or_make(key, make)
        if not made:
            # Another plan of this batch made the job for this snapshot (and a scope that
            # covers ours): share it, as the one-job-per-tenant rule asks.
            book.mark(JournalStep.PREVIEW_JOB, StepState.FINISHED, f"shared {shared.job.id}")
        job_criteria = key.criteria
        changes = share_of(shared.changes, key.snapshot_id, job_criteria, criteria)
        book.update(
            preview_job_id=shared.job.id,
            preview_status=shared.job.status_text,
            preview_job_criteria=(
                None if job_criteria == criteria else json.dumps(job_criteria.to_json())
            ),
            change_count=len(changes.diff.changes),
            fingerprint=changes.fingerprint,
        )
        return job_share(shared.job, shared.changes, changes, criteria), changes
