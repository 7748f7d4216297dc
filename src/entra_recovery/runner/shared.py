"""
Preview jobs shared by the plans of one batch: one preview job per tenant, snapshot and scope.

Step in the flow: resolve -> **shared preview?** -> preview job -> changes. Only one job may run
in a tenant at a time and real jobs take minutes to hours, so when two plans of a `plan preview`
batch resolve to the same snapshot and filtering criteria, the second reuses the first one's
job and change set instead of queueing an identical job.
"""

from __future__ import annotations

from dataclasses import dataclass

from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.runner.changes import ChangeSet


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
    after its preview returns. Lifetime: the runner's. Entries are never evicted or refreshed:
    a batch is one point in time, and every plan of it must see the same change set for the
    same scope. Each entry holds a whole diff, so memory grows with the distinct scopes of the
    batch.
    """

    def __init__(self) -> None:
        self._entries: dict[SharedPreviewKey, SharedPreview] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: SharedPreviewKey) -> SharedPreview | None:
        """The preview another plan of the batch made for `key`, if any."""
        return self._entries.get(key)

    def add(self, key: SharedPreviewKey, job: Job, changes: ChangeSet) -> SharedPreview:
        """Keep a finished preview for the plans that follow; the first one for a key wins."""
        return self._entries.setdefault(key, SharedPreview(job, changes))
