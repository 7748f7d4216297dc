"""
What the runner returns: `Preview` (a computed, fingerprinted change set) and `ApplyResult`.

Both are frozen; renderers turn them into reports through `report.Report`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from entra_recovery.diff import Diff
from entra_recovery.diff import GuardResult
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Identity
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import Snapshot
from entra_recovery.plan import Plan


@dataclass(frozen=True)
class Preview:
    """A finished preview: the snapshot, the preview job, its diff, fingerprint and guards."""

    plan: Plan
    run_id: str
    identity: Identity
    snapshot: Snapshot
    criteria: FilteringCriteria
    job: Job
    diff: Diff
    fingerprint: str
    guards: tuple[GuardResult, ...]
    generated_at: datetime
    # Fingerprint digest of each change by (entity type, id), to explain a later mismatch.
    digests: Mapping[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_changes(self) -> bool:
        return bool(self.diff.changes)

    @property
    def guards_ok(self) -> bool:
        return all(g.ok for g in self.guards)

    @property
    def failed_guards(self) -> tuple[GuardResult, ...]:
        return tuple(g for g in self.guards if not g.ok)


@dataclass(frozen=True)
class ApplyResult:
    """A finished recovery job and the changes that failed to apply."""

    preview: Preview
    job: Job | None  # None when the preview had nothing to recover (no job was created)
    failed: Diff
    finished_at: datetime

    @property
    def failed_count(self) -> int:
        return len(self.failed.changes)

    @property
    def succeeded(self) -> bool:
        if self.job is None:
            return True
        return self.job.status.is_succeeded and self.failed_count == 0
