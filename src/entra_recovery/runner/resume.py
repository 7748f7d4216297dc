"""
`run resume`: finish an interrupted `plan apply` from its journal, never creating a second job.

Step in the flow: journal -> **resume** -> poll recovery job -> failed changes. The journal says
how far the run got: no recovery job requested (nothing to resume: apply again), requested with
its id lost (find it among the tenant's jobs with `jobmatch`, the same question a lost answer
asks during the apply; never a job another run's journal records; refuse to guess between
several), or a known job (poll it). A run that finished, or that resume found had recovered
nothing (`nothing_recovered`), is closed: resuming it again would only risk adopting the job of
a later run. The preview the run approved is re-read from its retained preview job and must
read back to the same fingerprint.
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from typing import TYPE_CHECKING

from entra_recovery.constants import AuditEvent
from entra_recovery.constants import JournalStep
from entra_recovery.constants import RunStatus
from entra_recovery.constants import StepState
from entra_recovery.errors import NothingRecovered
from entra_recovery.errors import RunJournalError
from entra_recovery.graph.api import GraphApi
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.runner.changes import read_changes
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.gates import evaluate_plan_guards
from entra_recovery.runner.jobmatch import CLOCK_SKEW
from entra_recovery.runner.jobmatch import JobQuery
from entra_recovery.runner.jobmatch import matching_jobs
from entra_recovery.runner.jobmatch import owned_job_ids
from entra_recovery.runner.journal import RunRecord
from entra_recovery.runner.resolve import check_tenant
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview
from entra_recovery.timestamps import Clock
from entra_recovery.timestamps import parse_iso

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
        job_id = record.recovery_job_id
        if not job_id:
            owned = owned_job_ids(runner.state_dir, except_run=record.run_id)
            lookup = LostJobLookup(runner.graph, runner.sleep, runner.poll_interval)
            try:
                job_id = await lookup.find(record, preview, owned)
            except NothingRecovered:
                book.update(nothing_recovered=True)
                raise
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
    if record.nothing_recovered:
        raise RunJournalError(
            f"run {record.run_id} is closed: its recovery job request never created a job, so "
            "nothing was recovered",
            hint=f"run `entra-recovery plan apply {record.plan_path}` again",
        )
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
    changes = await read_changes(graph, events, snapshot, criteria, job)
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


class LostJobLookup:
    """Finds the recovery job a run asked for when its id was lost; never creates one.

    When no job matches at first, it looks once more after `delay` seconds (a job can take a
    moment to be listed), with the runner's injected `sleep`.
    """

    def __init__(
        self, graph: GraphApi, sleep: Callable[[float], Awaitable[None]], delay: float
    ) -> None:
        self.graph = graph
        self.sleep = sleep
        self.delay = delay

    async def find(self, record: RunRecord, preview: Preview, owned: frozenset[str]) -> str:
        """The one matching job's id; `NothingRecovered` or `RunJournalError` otherwise."""
        # The service's clock first: this run's preview job started before the recovery job
        # was requested, so a skewed local clock cannot mislead us; else the journalled intent.
        intent = parse_iso(record.recovery_intent_at)
        query = JobQuery(
            JobKind.RECOVERY,
            preview.snapshot.created,
            preview.criteria,
            preview.job.started or (intent - CLOCK_SKEW if intent else None),
            owned,
        )
        candidates = matching_jobs(await self.graph.list_jobs(), query)
        if not candidates:
            await self.sleep(self.delay)
            candidates = matching_jobs(await self.graph.list_jobs(), query)
        if len(candidates) == 1:
            return candidates[0].id
        if not candidates:
            raise NothingRecovered(
                f"run {record.run_id} asked for a recovery job at {record.recovery_intent_at} "
                "but no such job exists (jobs other runs recorded aside): the request did not "
                "reach the service, so nothing was recovered",
                hint=f"run `entra-recovery plan apply {record.plan_path}` again",
            )
        ids = ", ".join(j.id for j in candidates)
        raise RunJournalError(
            f"several recovery jobs match run {record.run_id}: {ids}",
            hint="inspect them with `entra-recovery job get ID`; resume will not guess",
        )
