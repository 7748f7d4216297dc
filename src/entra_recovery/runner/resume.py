"""
`run resume`: finish an interrupted `plan apply` from its journal, never creating a second job.

Step in the flow: journal -> **resume** -> poll recovery job -> failed changes. The journal says
how far the run got: no recovery job requested (nothing to resume: apply again), requested with
its id lost (find it among the tenant's jobs; refuse to guess between several), or a known job
(poll it). The preview the run approved is re-read from its retained preview job and must read
back to the same fingerprint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.errors import RunJournalError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.changes import read_changes
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.gates import evaluate_plan_guards
from entra_recovery.runner.journal import RunRecord
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.timestamps import Clock

if TYPE_CHECKING:
    from entra_recovery.runner.runner import PlanRunner


async def resume_run(runner: PlanRunner, run_id: str) -> ApplyResult:
    """Finish run `run_id` with `runner`; see the module docstring."""
    journal = runner.recorder.load(run_id)
    record = journal.record
    plan = resumable_plan(record)
    book = runner.recorder.reopen(journal, plan)
    try:
        preview = await rebuild_preview(runner.graph, runner.events, plan, record, runner.clock)
        job_id = record.recovery_job_id or await find_lost_job(runner.graph, record, preview)
        book.update(recovery_job_id=job_id, status=RunStatus.RUNNING)
        book.mark(JournalStep.RESUME, StepState.STARTED, job_id)
        result = await runner._finish_recovery(book, preview, job_id)
    except BaseException as exc:
        book.abort(exc)
        raise
    return result


def resumable_plan(record: RunRecord) -> Plan:
    """The plan of a run that can be resumed, unchanged since the run; else `RunJournalError`."""
    if record.command != AuditEvent.APPLY:
        raise RunJournalError(
            f"run {record.run_id} was a preview; nothing to resume",
            hint="run `entra-recovery plan preview` again for a fresh report",
        )
    if record.status == RunStatus.FINISHED:
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
    return plan


async def rebuild_preview(
    graph: GraphApi, events: RunnerEvents, plan: Plan, record: RunRecord, clock: Clock
) -> Preview:
    """The preview an interrupted run had, re-read from its (retained) preview job."""
    if not (record.snapshot_id and record.preview_job_id and record.fingerprint):
        raise RunJournalError(f"run {record.run_id} has no finished preview to resume from")
    identity = await graph.identity()
    check_tenant(plan.tenant, identity)
    snapshot = await graph.get_snapshot(record.snapshot_id)
    criteria = FilteringCriteria.from_json(record.criteria)
    job = await graph.get_preview_job(snapshot.id, record.preview_job_id)
    changes = await read_changes(graph, events, snapshot, criteria, job.id)
    if changes.fingerprint != record.fingerprint:
        raise RunJournalError(
            f"the preview of run {record.run_id} no longer reads back the same "
            f"(fingerprint {changes.fingerprint}, journal {record.fingerprint})"
        )
    return Preview(
        plan,
        record.run_id,
        identity,
        snapshot,
        criteria,
        job,
        changes.diff,
        changes.fingerprint,
        evaluate_plan_guards(plan, changes.diff),
        clock(),
        changes.digests,
    )


async def find_lost_job(graph: GraphApi, record: RunRecord, preview: Preview) -> str:
    """The recovery job requested just before the run died, looked up, never recreated."""
    # Times are compared on the service's clock only (the preview job of this run started
    # before the recovery job was requested), so a skewed local clock cannot mislead us.
    not_before = preview.job.started
    candidates = []
    for job in await graph.list_jobs():
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
