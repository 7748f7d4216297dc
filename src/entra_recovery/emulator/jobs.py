"""
Preview and recovery jobs: creation, the status lifecycle, results, cancel.

No background threads: a job's status is computed from the monotonic clock whenever a
request looks at it (`JobStore.advance`), so runs are deterministic. Phases:
initialized -> loadingData (first use of a snapshot only) -> calculating -> running
(recovery only) -> successful | failed | abandoned. A preview computes and freezes its change
set when it finishes; a recovery computes its plan when it starts (against the tenant as it
is then) and writes it to the tenant when it finishes (or partly, when cancelled while
running). Scenario rules can make jobs end `failed` and chosen objects fail to recover.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from typing import Any

from entra_recovery.emulator.changelist import ChangeList
from entra_recovery.emulator.diff import Change
from entra_recovery.emulator.diff import Scope
from entra_recovery.emulator.diff import apply_change
from entra_recovery.emulator.diff import iter_changes
from entra_recovery.emulator.errors import EmulatorHttpError
from entra_recovery.emulator.errors import bad_request
from entra_recovery.emulator.state import TenantState
from entra_recovery.emulator.state import iso

PHASES = ("initialized", "loadingData", "calculating", "running")
TERMINAL = frozenset({"successful", "failed", "abandoned"})
PREVIEW = "preview"
RECOVERY = "recovery"
FAILED_CHANGE_TYPE = "#microsoft.graph.entraRecoveryServices.recoveryChangeObjectBase"


@dataclass(frozen=True)
class JobRules:
    """Scenario knobs for jobs: phase durations, forced outcomes, objects that fail."""

    durations: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))
    preview_outcome: str = "successful"
    recovery_outcome: str = "successful"
    failing_objects: dict[str, str] = field(default_factory=dict)


@dataclass
class Job:
    """One job; mutable only under the store's lock."""

    id: str
    kind: str
    snapshot_id: str
    snapshot_ts: float
    criteria: dict[str, Any] | None
    scope: Scope
    created: float
    start_ts: float
    phases: list[tuple[str, float]]
    outcome: str
    status: str = "initialized"
    completion_ts: float | None = None
    changes: ChangeList | None = None
    failures: ChangeList | None = None
    plan: list[Change] | None = None
    objects_calculated: int | None = None
    links_calculated: int | None = None
    objects_modified: int = 0
    links_modified: int = 0
    failed_count: int | None = None
    applied: int = 0

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


class JobStore:
    """All jobs of the tenant (newest last) and the one-running-job rule."""

    def __init__(
        self,
        state: TenantState,
        rules: JobRules,
        monotonic: Callable[[], float] = time.monotonic,
        seed: int | str | None = None,
    ) -> None:
        self.state = state
        # With a seed (pinned clock), job ids are the same sequence on every run.
        self._ids = random.Random(seed) if seed is not None else None
        self.rules = rules
        self.monotonic = monotonic
        self.jobs: dict[str, Job] = {}
        self.loaded_snapshots: set[str] = set()

    def _new_id(self) -> str:
        if self._ids is None:
            return str(uuid.uuid4())
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # -- lifecycle ---------------------------------------------------------------------------

    def create(
        self,
        kind: str,
        snapshot_id: str,
        snapshot_ts: float,
        criteria: dict[str, Any] | None,
        scope: Scope,
        force_outcome: str | None = None,
    ) -> Job:
        self.advance()
        if any(not job.terminal for job in self.jobs.values()):
            from entra_recovery.emulator.errors import MSG_CONFLICT

            raise EmulatorHttpError(409, MSG_CONFLICT)
        durations = self.rules.durations
        phases = [("initialized", durations.get("initialized", 0.0))]
        if snapshot_id not in self.loaded_snapshots:
            phases.append(("loadingData", durations.get("loadingData", 0.0)))
            self.loaded_snapshots.add(snapshot_id)
        phases.append(("calculating", durations.get("calculating", 0.0)))
        if kind == RECOVERY:
            phases.append(("running", durations.get("running", 0.0)))
        outcome = force_outcome or (
            self.rules.preview_outcome if kind == PREVIEW else self.rules.recovery_outcome
        )
        job = Job(
            id=self._new_id(),
            kind=kind,
            snapshot_id=snapshot_id,
            snapshot_ts=snapshot_ts,
            criteria=criteria,
            scope=scope,
            created=self.monotonic(),
            start_ts=self.state.clock(),
            phases=phases,
            outcome=outcome,
        )
        if kind == RECOVERY:
            # Keep the documents only of changes that will fail (getFailedChanges shows them).
            failing = self.rules.failing_objects
            with self.state.lock:
                job.plan = [
                    change if change.object_id in failing else replace(change, document={})
                    for change in iter_changes(self.state, snapshot_ts, scope)
                ]
        self.jobs[job.id] = job
        self.advance()
        return job

    def advance(self) -> None:
        """Bring every unfinished job's status up to the clock (and finish due jobs)."""
        now = self.monotonic()
        for job in self.jobs.values():
            if job.terminal:
                continue
            elapsed = now - job.created
            status = None
            for name, seconds in job.phases:
                if elapsed < seconds:
                    status = name
                    break
                elapsed -= seconds
            if status is None:
                self._finish(job)
            else:
                job.status = status
                if status == "running":
                    self._progress(job, elapsed / max(dict(job.phases)["running"], 1e-9))

    def _calculated(self, job: Job, changes: list[Change]) -> None:
        job.objects_calculated = len(changes)
        job.links_calculated = sum(change.links for change in changes)

    def _progress(self, job: Job, fraction: float) -> None:
        plan = job.plan or []
        self._calculated(job, plan)
        done = int(len(plan) * min(max(fraction, 0.0), 1.0))
        job.objects_modified = done
        job.links_modified = sum(change.links for change in plan[:done])

    def _finish(self, job: Job) -> None:
        job.completion_ts = job.start_ts + sum(seconds for _, seconds in job.phases)
        if job.outcome == "failed":
            job.status = "failed"
            if job.kind == RECOVERY:
                job.failed_count = 0
                job.plan = None  # nothing was applied
            return
        if job.kind == PREVIEW:
            with self.state.lock:
                changes = ChangeList(
                    change.document
                    for change in iter_changes(self.state, job.snapshot_ts, job.scope)
                )
            job.changes = changes
            job.objects_calculated = len(changes)
            job.links_calculated = changes.links
        else:
            self._apply(job, len(job.plan or []))
            job.plan = None  # applied; the counters and failures stay
        job.status = "successful"

    def _apply(self, job: Job, upto: int) -> None:
        """Write the first `upto` planned changes; record the ones a scenario makes fail."""
        plan = job.plan or []
        failed: list[dict[str, Any]] = []
        modified = links = 0
        with self.state.lock:
            for change in plan[job.applied : upto]:
                message = self.rules.failing_objects.get(change.object_id)
                if message is not None:
                    failed.append(
                        {
                            "@odata.type": FAILED_CHANGE_TYPE,
                            **change.document,
                            "failureMessage": message,
                        }
                    )
                    continue
                apply_change(self.state, change, job.snapshot_ts)
                modified += 1
                links += change.links
            job.applied = upto
            self.state.save()
        self._calculated(job, plan)
        job.objects_modified = modified
        job.links_modified = links
        job.failed_count = len(failed)
        job.failures = ChangeList(failed)

    def cancel(self, job: Job) -> None:
        self.advance()
        if job.terminal:
            raise bad_request(
                f"Job with identifier '{job.id}' has already completed with status "
                f"'{job.status}' and cannot be cancelled."
            )
        if job.kind == RECOVERY and job.status == "running":
            self._apply(job, job.objects_modified)
        job.plan = None
        job.status = "abandoned"
        job.completion_ts = self.state.clock()

    # -- views -------------------------------------------------------------------------------

    def to_json(self, job: Job, prefer: bool) -> dict[str, Any]:
        from entra_recovery.constants import ODATA_TYPE_PREVIEW_JOB
        from entra_recovery.constants import ODATA_TYPE_RECOVERY_JOB
        from entra_recovery.emulator.criteria import criteria_view

        status = job.status
        if not prefer and status in ("calculating", "loadingData"):
            status = "unknownFutureValue"
        data: dict[str, Any] = {
            "@odata.type": ODATA_TYPE_PREVIEW_JOB
            if job.kind == PREVIEW
            else ODATA_TYPE_RECOVERY_JOB,
            "id": job.id,
            "status": status,
            "targetStateDateTime": iso(job.snapshot_ts),
            "jobStartDateTime": iso(job.start_ts),
            "jobCompletionDateTime": iso(job.completion_ts) if job.completion_ts else None,
            "filteringCriteria": criteria_view(job.criteria, prefer),
            "totalChangedObjectsCalculated": job.objects_calculated,
            "totalChangedLinksCalculated": job.links_calculated,
        }
        if job.kind == RECOVERY:
            data["totalObjectsModified"] = job.objects_modified
            data["totalLinksModified"] = job.links_modified
            data["totalFailedChanges"] = job.failed_count
        return data
