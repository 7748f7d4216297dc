"""
`PlanRunner`: resolve -> preview job -> poll -> changes -> diff -> gates -> recovery job -> poll ->
failed changes: the state machine, with a journal entry around every step and an audit line
per run (`bookkeeping`).

Two public calls with no hidden side effects on the tenant:
- `preview(plan)` creates a preview job (read-only for the tenant) and returns a `Preview`.
- `apply(plan, fingerprint=..., confirm=...)` runs a fresh preview in the same run, then the
  gates (mode, fingerprint, guards, confirmation) and only then the recovery job.
`resume(run_id)` finishes an apply run that was interrupted, never creating a second job
(`resume`). Jobs wait for the tenant's one job slot (`slot`); a batch shares preview jobs
(`shared`). Nothing here changes process-wide state such as the garbage collector.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import AuditOutcome
from entra_recovery.constants import ExitCode
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.diff import Diff
from entra_recovery.diff import DiffBuilder
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.errors import ChangeListMismatch
from entra_recovery.errors import JobFailedError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import JobStatus
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.plan import Plan
from entra_recovery.runner.bookkeeping import RunBook
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.changes import PAGE_SIZE
from entra_recovery.runner.changes import ChangeSet
from entra_recovery.runner.changes import read_changes
from entra_recovery.runner.creation import JobRequest
from entra_recovery.runner.creation import create_once
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.gates import check_fingerprint
from entra_recovery.runner.gates import check_guards
from entra_recovery.runner.gates import check_mode
from entra_recovery.runner.gates import evaluate_plan_guards
from entra_recovery.runner.jobmatch import owned_job_ids
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.resolve import criteria_for
from entra_recovery.runner.resolve import select_snapshot
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.runner.resume import resume_run
from entra_recovery.runner.saved import PreviewStore
from entra_recovery.runner.shared import SharedPreviewKey
from entra_recovery.runner.shared import SharedPreviews
from entra_recovery.runner.slot import CreateJob
from entra_recovery.runner.slot import TenantSlot
from entra_recovery.runner.totals import max_pages
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import iso_z
from entra_recovery.timestamps import utc_now

Confirm = Callable[[Preview], bool]

# How a recovery job that failed without listing a failed change is audited.
_FAILED_JOB_OUTCOMES = {
    JobStatus.FAILED: AuditOutcome.JOB_FAILED,
    JobStatus.ABANDONED: AuditOutcome.JOB_ABANDONED,
}


class PlanRunner:
    """Runs plans against a `GraphApi`; all state on disk lives under `state_dir`.

    `recorder` keeps the journals and the audit log (one is made under `state_dir` unless the
    caller passes its own, to read the last run after an interruption). `share_previews` makes
    the plans previewed by this runner share preview jobs (`SharedPreviews`).
    """

    def __init__(
        self,
        graph: GraphApi,
        *,
        state_dir: Path,
        poll_interval: float,
        events: RunnerEvents | None = None,
        job_timeout: float | None = None,
        wait_for_slot: float | None = None,
        clock: Clock = utc_now,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        share_previews: bool = False,
        recorder: RunRecorder | None = None,
    ) -> None:
        self.graph = graph
        self.state_dir = state_dir
        self.poll_interval = poll_interval
        self.events: RunnerEvents = events or NoopEvents()
        self.job_timeout = job_timeout
        self.wait_for_slot = wait_for_slot
        self.clock = clock
        self.sleep = sleep
        self.monotonic = monotonic
        self.recorder = recorder or RunRecorder(state_dir, clock=clock)
        self.previews = PreviewStore(state_dir)
        self.shared_previews = SharedPreviews() if share_previews else None

    # --- public calls ----------------------------------------------------------------------

    async def preview(self, plan: Plan) -> Preview:
        """Preview the plan: a preview job, its changes, the diff, fingerprint and guards."""
        book = self.recorder.start(AuditEvent.PREVIEW, plan)
        try:
            preview = await self._preview(plan, book)
        except BaseException as exc:
            book.abort(exc)
            raise
        if preview.has_changes:
            book.finish(AuditOutcome.CHANGES, ExitCode.CHANGES)
        else:
            book.finish(AuditOutcome.NO_CHANGES, ExitCode.OK)
        return preview

    async def apply(
        self,
        plan: Plan,
        *,
        confirm: Confirm,
        fingerprint: str | None = None,
        approved_report: Path | None = None,
    ) -> ApplyResult:
        """Fresh preview, gates, confirmation, then the recovery job; see module docstring."""
        book = self.recorder.start(AuditEvent.APPLY, plan)
        try:
            with book.step(JournalStep.MODE):
                approved = check_mode(plan, fingerprint)
                book.update(approved_fingerprint=approved)
            preview = await self._preview(plan, book)
            with book.step(JournalStep.GATES):
                check_fingerprint(approved, preview, self.previews, approved_report)
                check_guards(preview)
            if not preview.has_changes:
                book.finish(AuditOutcome.NO_CHANGES, ExitCode.OK)
                return ApplyResult(preview, None, DiffBuilder().build(), self.clock())
            with book.step(JournalStep.CONFIRM):
                if not confirm(preview):
                    raise ApplyNotApproved()
            with book.step(JournalStep.RECOVERY_JOB):
                request = self._request(
                    book,
                    JobKind.RECOVERY,
                    preview.snapshot,
                    preview.criteria,
                    next_step=f"run `entra-recovery run resume {book.run_id}`: it follows the "
                    "job if it exists and never creates another",
                    # The service's own clock: the recovery job starts after this run's preview.
                    service_not_before=preview.job.started,
                )
                job_id = await self._create(request, self.graph.start_recovery_job)
                book.update(recovery_job_id=job_id)
            return await self._finish_recovery(book, preview, job_id)
        except BaseException as exc:
            book.abort(exc)
            raise

    async def resume(self, run_id: str) -> ApplyResult:
        """Finish an interrupted apply run without ever creating a second recovery job."""
        return await resume_run(self, run_id)

    # --- steps -------------------------------------------------------------------------------

    async def _preview(self, plan: Plan, book: RunBook) -> Preview:
        with book.step(JournalStep.RESOLVE):
            self.events.stage_started(JournalStep.RESOLVE, "checking the tenant and the snapshot")
            identity = await self.graph.identity()
            book.update(user=identity.display)
            check_tenant(plan.tenant, identity)
            snapshots = await self.graph.list_snapshots()
            snapshot = select_snapshot(plan.snapshot, snapshots)
            criteria = criteria_for(plan.scope)
            book.update(
                snapshot_id=snapshot.id,
                snapshot_created=_iso(snapshot),
                criteria=criteria.to_json(),
            )
            self.events.stage_finished(JournalStep.RESOLVE, f"snapshot {snapshot.id}")
        job, changes = await self._preview_changes(book, snapshot, criteria)
        preview = Preview(
            plan=plan,
            run_id=book.run_id,
            identity=identity,
            snapshot=snapshot,
            criteria=criteria,
            job=job,
            diff=changes.diff,
            fingerprint=changes.fingerprint,
            guards=evaluate_plan_guards(plan, changes.diff),
            generated_at=self.clock(),
            digests=changes.digests,
        )
        self.previews.save(preview)
        return preview

    async def _preview_changes(
        self, book: RunBook, snapshot: Snapshot, criteria: FilteringCriteria
    ) -> tuple[Job, ChangeSet]:
        """The preview job and its change set: shared with an earlier plan, or made now."""
        key = SharedPreviewKey(snapshot.id, criteria)
        shared = self.shared_previews.get(key) if self.shared_previews is not None else None
        if shared is not None:
            # Another plan of this batch has the same snapshot and scope: share its job, as the
            # one-job-per-tenant rule asks, instead of queueing an identical one.
            job, changes = shared.job, shared.changes
            book.mark(JournalStep.PREVIEW_JOB, StepState.FINISHED, f"shared {job.id}")
            book.update(
                preview_job_id=job.id,
                preview_status=job.status_text,
                change_count=len(changes.diff.changes),
                fingerprint=changes.fingerprint,
            )
            return job, changes
        job = await self._preview_job(book, snapshot, criteria)
        with book.step(JournalStep.CHANGES):
            changes = await read_changes(self.graph, self.events, snapshot, criteria, job)
            book.update(change_count=len(changes.diff.changes), fingerprint=changes.fingerprint)
        if self.shared_previews is not None:
            self.shared_previews.add(key, job, changes)
        return job, changes

    async def _preview_job(
        self, book: RunBook, snapshot: Snapshot, criteria: FilteringCriteria
    ) -> Job:
        """Create the preview job (queueing behind a running one if allowed) and poll it."""
        with book.step(JournalStep.PREVIEW_JOB):
            self.events.stage_started(JournalStep.PREVIEW_JOB, criteria.describe())
            request = self._request(
                book,
                JobKind.PREVIEW,
                snapshot,
                criteria,
                next_step="see the tenant's jobs with `entra-recovery job list`, and preview "
                "again once none is running",
            )
            job_id = await self._create(request, self.graph.start_preview_job)
            book.update(preview_job_id=job_id)
        with book.step(JournalStep.POLL_PREVIEW, job_id):
            job = await self._poll(lambda: self.graph.get_preview_job(snapshot.id, job_id))
            book.update(preview_status=job.status_text)
            if not job.status.is_succeeded:
                raise JobFailedError(
                    f"preview job {job.id} ended {job.status_text}",
                    job_id=job.id,
                    status=job.status_text,
                )
        return job

    def _request(
        self,
        book: RunBook,
        kind: JobKind,
        snapshot: Snapshot,
        criteria: FilteringCriteria,
        *,
        next_step: str,
        service_not_before: datetime | None = None,
    ) -> JobRequest:
        """A job request whose intent is journalled (with the time) right before it is sent."""
        intent = "recovery_intent_at" if kind is JobKind.RECOVERY else "preview_intent_at"

        def on_send() -> datetime:
            now = self.clock()
            book.update(**{intent: iso_z(now)})
            return now

        return JobRequest(
            kind,
            snapshot,
            criteria,
            on_send=on_send,
            owned=lambda: owned_job_ids(self.state_dir, except_run=book.run_id),
            next_step=next_step,
            service_not_before=service_not_before,
        )

    async def _create(self, request: JobRequest, create: CreateJob) -> str:
        """Create the job exactly once (`creation`): a lost answer is looked up, never resent.

        When nothing is listed at first, the lookup looks once more after one poll interval.
        """
        return await create_once(
            self._slot(), request, create, sleep=self.sleep, recheck_delay=self.poll_interval
        )

    def _slot(self) -> TenantSlot:
        """The tenant's job slot, seen through the current events and clocks."""
        return TenantSlot(
            self.graph,
            self.events,
            poll_interval=self.poll_interval,
            wait_for_slot=self.wait_for_slot,
            sleep=self.sleep,
            monotonic=self.monotonic,
        )

    async def _poll(self, fetch: Callable[[], Awaitable[Job]]) -> Job:
        return await wait_for_job(
            fetch,
            interval=self.poll_interval,
            timeout=self.job_timeout,
            on_poll=self.events.job_polled,
            sleep=self.sleep,
            clock=self.monotonic,
        )

    async def _finish_recovery(self, book: RunBook, preview: Preview, job_id: str) -> ApplyResult:
        """Poll the recovery job to its end, read its failed changes, end the run.

        Shared with `resume`; a resumed run's end is audited as the apply it finishes.
        """
        snapshot_id = preview.snapshot.id
        with book.step(JournalStep.POLL_RECOVERY, job_id):
            self.events.stage_started(JournalStep.RECOVERY_JOB, f"recovery job {job_id}")
            job = await self._poll(lambda: self.graph.get_recovery_job(snapshot_id, job_id))
            book.update(recovery_status=job.status_text)
        with book.step(JournalStep.FAILED_CHANGES):
            failed = await self._failed_changes(snapshot_id, job)
        result = ApplyResult(preview, job, failed, self.clock())
        if job.status.is_failed:
            book.finish(
                _FAILED_JOB_OUTCOMES[job.status],
                ExitCode.ERROR,
                status=RunStatus.FAILED,
                event=AuditEvent.APPLY,
                failed_change_count=0,
            )
            failures = job.total_failed_changes
            counted = f" with {failures} failed change(s)" if failures else ""
            raise JobFailedError(
                f"recovery job {job.id} ended {job.status_text}{counted}; changes already "
                "applied stay applied",
                job_id=job.id,
                status=job.status_text,
            )
        book.finish(
            AuditOutcome.FAILED_CHANGES if failed.changes else AuditOutcome.APPLIED,
            ExitCode.FAILED_CHANGES if failed.changes else ExitCode.OK,
            event=AuditEvent.APPLY,
            failed_change_count=len(failed.changes),
        )
        return result

    async def _failed_changes(self, snapshot_id: str, job: Job) -> Diff:
        """getFailedChanges, read only as documented: the job completed (`successful`) and
        says `totalFailedChanges > 0`; every failure it counted must be listed."""
        total = job.total_failed_changes or 0
        builder = DiffBuilder()
        if not (job.status.is_succeeded and total > 0):
            return builder.build()
        pages = self.graph.iter_failed_change_pages(
            snapshot_id, job.id, top=PAGE_SIZE, max_pages=max_pages(total, PAGE_SIZE)
        )
        async for page in pages:
            builder.add_page(page)
        failed = builder.build()
        if len(failed.changes) != total:
            raise ChangeListMismatch(
                f"recovery job {job.id} counted {total} failed change(s) (totalFailedChanges), "
                f"but getFailedChanges listed {len(failed.changes)}",
                hint="list them with `entra-recovery recovery-job failed-changes "
                f"{snapshot_id} {job.id}`",
            )
        return failed


def _iso(snapshot: Snapshot) -> str | None:
    return snapshot.created.isoformat() if snapshot.created else None
