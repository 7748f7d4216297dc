"""
`PlanRunner`: resolve -> preview job -> poll -> changes -> diff -> gates -> recovery job -> poll ->
failed changes, with a journal entry before and after every step and an audit record per run.

Two public calls with no hidden side effects on the tenant:
- `preview(plan)` creates a preview job (read-only for the tenant) and returns a `Preview`.
- `apply(plan, fingerprint=..., confirm=...)` runs a fresh preview in the same run, then the
  gates (mode, fingerprint, guards, confirmation) and only then the recovery job.
`resume(run_id)` finishes an apply run that was interrupted, never creating a second job.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable
from collections.abc import Callable
from contextlib import aclosing
from pathlib import Path

from entra_recovery.diff import Diff
from entra_recovery.diff import DiffBuilder
from entra_recovery.diff import Fingerprinter
from entra_recovery.diff import evaluate_guards
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.errors import GateRefused
from entra_recovery.errors import JobConflictError
from entra_recovery.errors import JobFailedError
from entra_recovery.errors import RecoveryError
from entra_recovery.errors import RunJournalError
from entra_recovery.gcpause import paused_gc
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.models import Snapshot
from entra_recovery.graph.polling import wait_for_job
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.audit import AuditLog
from entra_recovery.runner.audit import AuditRecord
from entra_recovery.runner.events import NoopEvents
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.gates import check_fingerprint
from entra_recovery.runner.gates import check_guards
from entra_recovery.runner.gates import check_mode
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.prefetch import prefetch
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.resolve import criteria_for
from entra_recovery.runner.resolve import select_snapshot
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.runner.saved import PreviewStore
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import utc_now

Confirm = Callable[[Preview], bool]

# Changes processed between two visits to the event loop while pages stream in.
_CHUNK = 200


class PlanRunner:
    """Runs plans against a `GraphApi`; all state on disk lives under `state_dir`."""

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
        self.audit = AuditLog(state_dir)
        self.previews = PreviewStore(state_dir)
        self.last_journal: RunJournal | None = None
        self.share_previews = share_previews
        self._shared_previews: dict[
            tuple[str, str], tuple[Job, Diff, str, dict[tuple[str, str], str]]
        ] = {}

    # --- public calls ----------------------------------------------------------------------

    async def preview(self, plan: Plan) -> Preview:
        """Preview the plan: a preview job, its changes, the diff, fingerprint and guards."""
        journal = self._journal("preview", plan)
        try:
            preview = await self._preview(plan, journal)
        except BaseException as exc:
            self._finish_failed(journal, plan, "preview", exc)
            raise
        outcome = "changes" if preview.has_changes else "no-changes"
        journal.update(status="finished", exit_code=2 if preview.has_changes else 0)
        self._audit("preview", outcome, journal, plan)
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
        journal = self._journal("apply", plan)
        try:
            with journal.step("mode"):
                approved = check_mode(plan, fingerprint)
                journal.update(approved_fingerprint=approved)
            preview = await self._preview(plan, journal)
            with journal.step("gates"):
                check_fingerprint(approved, preview, self.previews, approved_report)
                check_guards(preview)
            if not preview.has_changes:
                journal.update(status="finished", exit_code=0)
                self._audit("apply", "no-changes", journal, plan)
                return ApplyResult(preview, None, DiffBuilder().build(), self.clock())
            with journal.step("confirm"):
                if not confirm(preview):
                    raise ApplyNotApproved()
            with journal.step("recovery-job"):
                journal.update(recovery_intent_at=journal.now_stamp())
                job_id = await self._create_job(
                    self.graph.start_recovery_job, preview.snapshot.id, preview.criteria
                )
                journal.update(recovery_job_id=job_id)
            result = await self._finish_recovery(journal, preview, job_id)
        except BaseException as exc:
            self._finish_failed(journal, plan, "apply", exc)
            raise
        return result

    async def resume(self, run_id: str) -> ApplyResult:
        """Finish an interrupted apply run without ever creating a second recovery job."""
        journal = RunJournal.load(self.state_dir, run_id, clock=self.clock)
        self.last_journal = journal
        record = journal.record
        if record.command != "apply":
            raise RunJournalError(
                f"run {record.run_id} was a preview; nothing to resume",
                hint="run `entra-recovery plan preview` again for a fresh report",
            )
        if record.status == "finished":
            raise RunJournalError(f"run {record.run_id} already finished (exit {record.exit_code})")
        if not record.recovery_intent_at:
            raise RunJournalError(
                f"run {record.run_id} stopped before a recovery job was requested "
                f"(last step: {record.last_step.name if record.last_step else 'none'}); "
                "nothing was changed in the tenant",
                hint=f"run `entra-recovery plan apply {record.plan_path}` again",
            )
        plan = load_plan(record.plan_path)
        if plan.sha256 != record.plan_sha256:
            raise RunJournalError(
                f"{record.plan_path} changed since run {record.run_id} started",
                hint="restore the plan file as it was, or inspect the job with "
                "`entra-recovery job list`",
            )
        try:
            preview = await self._rebuild_preview(plan, journal)
            job_id = record.recovery_job_id or await self._find_lost_job(journal, preview)
            journal.update(recovery_job_id=job_id, status="running")
            journal.mark("resume", "started", job_id)
            result = await self._finish_recovery(journal, preview, job_id)
        except BaseException as exc:
            self._finish_failed(journal, plan, "resume", exc)
            raise
        return result

    # --- steps -------------------------------------------------------------------------------

    def _journal(self, command: str, plan: Plan) -> RunJournal:
        self.last_journal = RunJournal.create(
            self.state_dir,
            command=command,
            plan_path=plan.path,
            plan_name=plan.name,
            plan_sha256=plan.sha256,
            tenant=plan.tenant,
            clock=self.clock,
        )
        return self.last_journal

    async def _preview(self, plan: Plan, journal: RunJournal) -> Preview:
        with journal.step("resolve"):
            self.events.stage_started("resolve", "checking the tenant and the snapshot")
            identity = await self.graph.identity()
            journal.update(user=identity.display)
            check_tenant(plan.tenant, identity)
            snapshots = await self.graph.list_snapshots()
            snapshot = select_snapshot(plan.snapshot, snapshots)
            criteria = criteria_for(plan.scope)
            journal.update(
                snapshot_id=snapshot.id,
                snapshot_created=_iso(snapshot),
                criteria=criteria.to_json(),
            )
            self.events.stage_finished("resolve", f"snapshot {snapshot.id}")
        shared_key = (snapshot.id, json.dumps(criteria.to_json(), sort_keys=True))
        shared = self._shared_previews.get(shared_key) if self.share_previews else None
        if shared is not None:
            # Another plan of this batch has the same snapshot and scope: share its job, as the
            # one-job-per-tenant rule asks, instead of queueing an identical one.
            job, diff, fingerprint, digests = shared
            journal.mark("preview-job", "finished", f"shared {job.id}")
            journal.update(
                preview_job_id=job.id,
                preview_status=job.status_text,
                change_count=len(diff.changes),
                fingerprint=fingerprint,
            )
        else:
            job = await self._preview_job(journal, snapshot, criteria)
        # One pause from the first change page to the saved preview (see gcpause): a collection
        # in between would walk every record just made.
        with paused_gc():
            if shared is None:
                with journal.step("changes"):
                    diff, fingerprint, digests = await self._read_changes(
                        snapshot, criteria, job.id
                    )
                    journal.update(change_count=len(diff.changes), fingerprint=fingerprint)
                self._shared_previews[shared_key] = (job, diff, fingerprint, digests)
            guards = evaluate_guards(
                diff,
                max_changes=plan.guards.max_changes,
                allowed_actions=plan.guards.allowed_actions,
                protected_objects=plan.guards.protected_objects,
            )
            preview = Preview(
                plan=plan,
                run_id=journal.record.run_id,
                identity=identity,
                snapshot=snapshot,
                criteria=criteria,
                job=job,
                diff=diff,
                fingerprint=fingerprint,
                guards=guards,
                generated_at=self.clock(),
                digests=digests,
            )
            self.previews.save(preview)
        return preview

    async def _preview_job(
        self, journal: RunJournal, snapshot: Snapshot, criteria: FilteringCriteria
    ) -> Job:
        """Create the preview job (queueing behind a running one if allowed) and poll it."""
        with journal.step("preview-job"):
            self.events.stage_started("preview-job", criteria.describe())
            job_id = await self._create_job(self.graph.start_preview_job, snapshot.id, criteria)
            journal.update(preview_job_id=job_id)
        with journal.step("poll-preview", job_id):
            job = await self._poll(lambda: self.graph.get_preview_job(snapshot.id, job_id))
            journal.update(preview_status=job.status_text)
            if not job.status.is_succeeded:
                raise JobFailedError(
                    f"preview job {job.id} ended {job.status_text}",
                    job_id=job.id,
                    status=job.status_text,
                )
        return job

    async def _read_changes(
        self, snapshot: Snapshot, criteria: FilteringCriteria, job_id: str
    ) -> tuple[Diff, str, dict[tuple[str, str], str]]:
        """Stream every change page into the diff and the fingerprint.

        The next page is requested before the current one is processed (`prefetch`), and the
        processing yields to the event loop every `_CHUNK` changes, so the service's (or
        emulator's) time to produce a page overlaps with our diffing. The cyclic garbage
        collector is paused meanwhile (`paused_gc`).
        """
        self.events.stage_started("changes", "reading the difference report")
        builder = DiffBuilder()
        fingerprinter = Fingerprinter(snapshot.id, criteria.to_json())
        count = 0
        with paused_gc():
            async with (
                aclosing(self.graph.iter_change_pages(snapshot.id, job_id)) as source,
                aclosing(prefetch(source)) as pages,
            ):
                async for page in pages:
                    floats = page.has_floats
                    for start in range(0, len(page), _CHUNK):
                        chunk = page[start : start + _CHUNK]
                        builder.add_page(chunk)
                        fingerprinter.add_page(chunk, floats=floats)
                        await asyncio.sleep(0)  # let the next page's request move on
                    count += len(page)
                    self.events.changes_listed(count)
            self.events.stage_finished("changes", f"{count} change(s)")
            return builder.build(), fingerprinter.hexdigest(), fingerprinter.digests()

    async def _create_job(
        self,
        create: Callable[[str, FilteringCriteria], Awaitable[str]],
        snapshot_id: str,
        criteria: FilteringCriteria,
    ) -> str:
        """Create a job, queueing politely behind a running one when allowed."""
        await self._wait_for_free_slot()
        while True:
            try:
                return await create(snapshot_id, criteria)
            except JobConflictError:
                if self.wait_for_slot is None:
                    raise
                await self._wait_for_free_slot()

    async def _wait_for_free_slot(self) -> None:
        """Stop (or wait, with wait_for_slot) while another job runs in the tenant."""
        start = self.monotonic()
        interval = self.poll_interval
        while True:
            running = [j for j in await self.graph.list_jobs() if not j.status.is_terminal]
            if not running:
                return
            job = running[0]
            elapsed = self.monotonic() - start
            kind = "recovery" if job.kind is JobKind.RECOVERY else "preview"
            if self.wait_for_slot is None or elapsed >= self.wait_for_slot:
                raise JobConflictError(
                    f"another {kind} job ({job.id}, {job.status_text}) is running in the tenant; "
                    "only one job may run at a time",
                    status=409,
                    running_job_id=job.id,
                    hint="wait for it (--wait-for-slot 2h) or cancel it with "
                    f"`entra-recovery job cancel {job.id}`",
                )
            self.events.waiting_for_slot(job, elapsed)
            await self.sleep(interval)
            interval = min(interval * 1.5, max(self.poll_interval, 60.0))

    async def _poll(self, fetch: Callable[[], Awaitable[Job]]) -> Job:
        return await wait_for_job(
            fetch,
            interval=self.poll_interval,
            timeout=self.job_timeout,
            on_poll=self.events.job_polled,
            sleep=self.sleep,
            clock=self.monotonic,
        )

    async def _finish_recovery(
        self, journal: RunJournal, preview: Preview, job_id: str
    ) -> ApplyResult:
        snapshot_id = preview.snapshot.id
        with journal.step("poll-recovery", job_id):
            self.events.stage_started("recovery-job", f"recovery job {job_id}")
            job = await self._poll(lambda: self.graph.get_recovery_job(snapshot_id, job_id))
            journal.update(recovery_status=job.status_text)
        with journal.step("failed-changes"), paused_gc():
            builder = DiffBuilder()
            if job.status.is_failed or (job.total_failed_changes or 0) > 0:
                async for page in self.graph.iter_failed_change_pages(snapshot_id, job_id):
                    builder.add_page(page)
            failed = builder.build()
        result = ApplyResult(preview, job, failed, self.clock())
        if job.status.is_failed and not failed.changes:
            journal.update(status="failed", exit_code=1, failed_change_count=0)
            self._audit("apply", f"job-{job.status_text}", journal, preview.plan)
            raise JobFailedError(
                f"recovery job {job.id} ended {job.status_text}; changes already applied stay "
                "applied",
                job_id=job.id,
                status=job.status_text,
            )
        exit_code = 4 if failed.changes else 0
        outcome = "failed-changes" if failed.changes else "applied"
        journal.update(
            status="finished", exit_code=exit_code, failed_change_count=len(failed.changes)
        )
        self._audit("apply", outcome, journal, preview.plan)
        return result

    async def _rebuild_preview(self, plan: Plan, journal: RunJournal) -> Preview:
        """The preview an interrupted run had, re-read from its (retained) preview job."""
        record = journal.record
        if not (record.snapshot_id and record.preview_job_id and record.fingerprint):
            raise RunJournalError(f"run {record.run_id} has no finished preview to resume from")
        identity = await self.graph.identity()
        check_tenant(plan.tenant, identity)
        snapshot = await self.graph.get_snapshot(record.snapshot_id)
        criteria = FilteringCriteria.from_json(record.criteria)
        job = await self.graph.get_preview_job(snapshot.id, record.preview_job_id)
        diff, fingerprint, digests = await self._read_changes(snapshot, criteria, job.id)
        if fingerprint != record.fingerprint:
            raise RunJournalError(
                f"the preview of run {record.run_id} no longer reads back the same "
                f"(fingerprint {fingerprint}, journal {record.fingerprint})"
            )
        guards = evaluate_guards(
            diff,
            max_changes=plan.guards.max_changes,
            allowed_actions=plan.guards.allowed_actions,
            protected_objects=plan.guards.protected_objects,
        )
        return Preview(
            plan,
            record.run_id,
            identity,
            snapshot,
            criteria,
            job,
            diff,
            fingerprint,
            guards,
            self.clock(),
            digests,
        )

    async def _find_lost_job(self, journal: RunJournal, preview: Preview) -> str:
        """The recovery job requested just before the run died, looked up, never recreated."""
        record = journal.record
        # Times are compared on the service's clock only (the preview job of this run started
        # before the recovery job was requested), so a skewed local clock cannot mislead us.
        not_before = preview.job.started
        candidates = []
        for job in await self.graph.list_jobs():
            if job.kind is not JobKind.RECOVERY or job.criteria != preview.criteria:
                continue
            if preview.snapshot.created and job.target_state != preview.snapshot.created:
                continue
            if not_before and job.started and job.started < not_before:
                continue
            candidates.append(job)
        if len(candidates) == 1:
            return candidates[0].id
        if not candidates:
            raise RunJournalError(
                f"run {record.run_id} asked for a recovery job at {record.recovery_intent_at} "
                "but no such job exists: the request did not reach the service, so nothing "
                "was recovered",
                hint=f"run `entra-recovery plan apply {record.plan_path}` again",
            )
        ids = ", ".join(j.id for j in candidates)
        raise RunJournalError(
            f"several recovery jobs match run {record.run_id}: {ids}",
            hint="inspect them with `entra-recovery job get ID`; resume will not guess",
        )

    # --- bookkeeping -------------------------------------------------------------------------

    def _finish_failed(
        self, journal: RunJournal, plan: Plan, event: str, exc: BaseException
    ) -> None:
        if isinstance(exc, GateRefused):
            status, outcome, code = "refused", "refused", int(exc.exit_code)
        elif isinstance(exc, KeyboardInterrupt | asyncio.CancelledError):
            status, outcome, code = "interrupted", "interrupted", 130
        elif isinstance(exc, RecoveryError):
            status, outcome, code = "failed", "error", int(exc.exit_code)
        else:
            status, outcome, code = "failed", "error", 1
        if journal.record.status == "running":
            journal.update(status=status, exit_code=code, error=_short(exc))
            self._audit(event, outcome, journal, plan, detail=_short(exc))

    def _audit(
        self, event: str, outcome: str, journal: RunJournal, plan: Plan, detail: str | None = None
    ) -> None:
        record = journal.record
        approval = plan.approval
        self.audit.append(
            AuditRecord(
                at=journal.now_stamp(),
                event=event,
                outcome=outcome,
                run_id=record.run_id,
                user=record.user,
                tenant=plan.tenant,
                plan_name=plan.name,
                plan_path=plan.path,
                plan_sha256=plan.sha256,
                change=plan.metadata.change,
                approvers=approval.approved_by if approval else (),
                snapshot_id=record.snapshot_id,
                fingerprint=record.fingerprint,
                preview_job_id=record.preview_job_id,
                recovery_job_id=record.recovery_job_id,
                change_count=record.change_count,
                failed_change_count=record.failed_change_count,
                detail=detail,
            )
        )


def _iso(snapshot: Snapshot) -> str | None:
    return snapshot.created.isoformat() if snapshot.created else None


def _short(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 500 else text[:497] + "..."
