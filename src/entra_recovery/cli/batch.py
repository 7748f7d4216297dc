"""
`plan preview` of a batch: plans grouped by tenant, tenants side by side, one entry per plan.

Step in the flow: load every plan -> group by `tenant` -> per tenant (at most `--parallel` tenants
at once, in the one event loop): open a runner for that tenant's sign-in with shared previews,
`plan_batch(plans)` once, then `preview(plan)` for one plan after the other (a tenant runs one
job at a time) -> write each plan's reports as soon as it is done -> one `BatchEntry` per plan,
in the order the plans were given -> `BatchSummary`.

A plan that fails (does not load, is refused by a gate, or its preview fails) is recorded and
the batch goes on; only an unexpected bug stops it. The grouping and the concurrency live in
`preview_groups`, which takes the runner factory as an argument (the seam the tests use).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import click

from entra_recovery.cli.context import AppContext
from entra_recovery.cli.output import ReportWriter
from entra_recovery.cli.output import echo_next_step
from entra_recovery.cli.progress import LineProgress
from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.cli.runtime import open_runner
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.errors import GateRefused
from entra_recovery.errors import PlanError
from entra_recovery.errors import PlanLoadError
from entra_recovery.errors import PlanValidationError
from entra_recovery.errors import RecoveryError
from entra_recovery.errors import UsageError
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.redaction import redact
from entra_recovery.report import RENDERERS
from entra_recovery.report.batch import INDEX_FILES
from entra_recovery.report.batch import BatchEntry
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.batch import PlanOutcome
from entra_recovery.report.text import clean
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.events import RunnerEvents
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import Preview
from entra_recovery.timestamps import utc_now

DEFAULT_PARALLEL = 4


@dataclass(frozen=True)
class LoadedPlan:
    """A plan file of the batch: the plan, or why it could not be loaded."""

    path: str
    plan: Plan | None
    error: RecoveryError | None = None


class PreviewRunner(Protocol):
    """What a batch needs of a runner (`PlanRunner` opened with `share_previews=True`)."""

    events: RunnerEvents

    async def plan_batch(self, plans: Sequence[Plan]) -> None: ...

    async def preview(self, plan: Plan) -> Preview: ...


OpenTenant = Callable[[str], AbstractAsyncContextManager[PreviewRunner]]
EventsFor = Callable[[Plan], AbstractContextManager[RunnerEvents]]
OnResult = Callable[[Plan, Preview | RecoveryError], None]


def load_batch(paths: Sequence[str]) -> list[LoadedPlan]:
    """Every plan of a batch loaded up front (one that fails to load is recorded, not raised);
    plans sharing a name are refused before any job is created, since their reports, saved
    indexes and audit lines would be told apart by that name alone."""
    loaded: list[LoadedPlan] = []
    by_name: dict[str, list[str]] = {}
    for path in paths:
        try:
            plan = load_plan(path)
        except RecoveryError as exc:
            loaded.append(LoadedPlan(path, None, exc))
            continue
        loaded.append(LoadedPlan(path, plan))
        by_name.setdefault(plan.name, []).append(path)
    clashes = {name: files for name, files in by_name.items() if len(files) > 1}
    if clashes:
        listed = "; ".join(f"{name!r} in {', '.join(files)}" for name, files in clashes.items())
        raise PlanError(
            f"several plans of this batch have the same metadata.name: {listed}; their reports "
            "would overwrite each other, so nothing was previewed",
            hint="give each plan its own metadata.name",
        )
    return loaded


def check_index_clashes(loaded: Iterable[LoadedPlan], writer: ReportWriter) -> None:
    """Refuse a plan whose report would overwrite a batch index file (a plan named `summary`
    with a JSON or Markdown report, `index` with HTML, `junit` with JUnit) before any job."""
    if writer.output_dir is None:
        return
    for item in loaded:
        if item.plan is None:
            continue
        for name in writer.formats_for(item.plan):
            target = f"{item.plan.name}{RENDERERS[name].suffix}"
            if name != "terminal" and target in INDEX_FILES:
                raise UsageError(
                    f"{item.path}: the {name} report of plan {item.plan.name!r} would overwrite "
                    f"the batch index file {target} in --output-dir",
                    hint="rename the plan (metadata.name)",
                )


def group_by_tenant(plans: Iterable[Plan]) -> dict[str, list[Plan]]:
    """Plans by tenant (case-insensitive), tenants in the order first named, plans in order."""
    groups: dict[str, list[Plan]] = {}
    for plan in plans:
        groups.setdefault(plan.tenant.lower(), []).append(plan)
    return groups


async def preview_groups(
    groups: Mapping[str, Sequence[Plan]],
    *,
    open_tenant: OpenTenant,
    parallel: int,
    events_for: EventsFor,
    on_result: OnResult,
) -> None:
    """Preview each tenant's plans one after another, at most `parallel` tenants at once.

    `on_result` gets every plan exactly once, with its preview or the `RecoveryError` that ended
    it (a failure to sign in to a tenant ends each of its plans). Anything else propagates, and
    the other tenants' work is cancelled.
    """
    slots = asyncio.Semaphore(max(1, parallel))

    async def one_tenant(plans: Sequence[Plan]) -> None:
        async with slots:
            await _preview_tenant(plans, open_tenant, events_for, on_result)

    tasks = [asyncio.ensure_future(one_tenant(plans)) for plans in groups.values()]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _preview_tenant(
    plans: Sequence[Plan], open_tenant: OpenTenant, events_for: EventsFor, on_result: OnResult
) -> None:
    done = 0
    try:
        async with open_tenant(plans[0].tenant) as runner:
            await runner.plan_batch(plans)
            for plan in plans:
                result: Preview | RecoveryError
                with events_for(plan) as events:
                    runner.events = events
                    try:
                        result = await runner.preview(plan)
                    except RecoveryError as exc:
                        result = exc
                done += 1
                on_result(plan, result)  # after the progress display stopped drawing
    except RecoveryError as exc:  # signing in to the tenant, or planning its batch, failed
        for plan in plans[done:]:
            on_result(plan, exc)


def problems_of(exc: RecoveryError) -> tuple[str, ...]:
    """`file:line:col: message` for each problem of a plan that did not load."""
    if isinstance(exc, PlanValidationError):
        return tuple(issue.headline() for issue in exc.issues)
    if isinstance(exc, PlanLoadError):
        return (exc.message,)
    return ()


def entry_for_error(path: str, plan: Plan | None, exc: RecoveryError) -> BatchEntry:
    return BatchEntry(
        file=path,
        outcome=PlanOutcome.REFUSED if isinstance(exc, GateRefused) else PlanOutcome.ERROR,
        name=plan.name if plan else None,
        tenant=plan.tenant if plan else None,
        error=redact(str(exc)),
        problems=tuple(redact(problem) for problem in problems_of(exc)),
    )


def entry_for_preview(path: str, preview: Preview, reports: Mapping[str, str]) -> BatchEntry:
    totals = preview.diff.action_totals
    return BatchEntry(
        file=path,
        outcome=PlanOutcome.CHANGES if preview.has_changes else PlanOutcome.CLEAN,
        name=preview.plan.name,
        tenant=preview.plan.tenant,
        snapshot_id=preview.snapshot.id,
        fingerprint=preview.fingerprint,
        counts={action: count for action, count in totals.items() if count},
        reports=dict(reports),
        guards_ok=preview.guards_ok,
    )


class BatchPreview:
    """One `plan preview` run over a list of plan files (one file is a batch of one)."""

    def __init__(
        self,
        app: AppContext,
        writer: ReportWriter,
        recorder: RunRecorder,
        *,
        parallel: int = DEFAULT_PARALLEL,
        wait_for_slot: float | None = None,
        timeout: float | None = None,
    ) -> None:
        self.app = app
        self.writer = writer
        self.recorder = recorder
        self.parallel = parallel
        self.wait_for_slot = wait_for_slot
        self.timeout = timeout
        self.several = False
        self.errors: dict[str, RecoveryError] = {}  # by plan file, for a batch of one to raise
        self._entries: dict[str, BatchEntry] = {}

    async def run(self, loaded: Sequence[LoadedPlan]) -> BatchSummary:
        """Preview every plan that loaded; a `BatchSummary` with an entry for each file."""
        started = utc_now()
        self.several = len(loaded) > 1
        for item in loaded:
            if item.error is not None:
                self._failed(item.path, None, item.error)
        groups = group_by_tenant(item.plan for item in loaded if item.plan is not None)
        concurrent = len(groups) > 1 and self.parallel > 1
        await preview_groups(
            groups,
            open_tenant=self._open_tenant,
            parallel=self.parallel,
            events_for=self._line_events if concurrent else self._live_events,
            on_result=self._record,
        )
        entries = tuple(self._entries[item.path] for item in loaded)
        return BatchSummary(entries, started, utc_now())

    def _open_tenant(self, tenant: str) -> AbstractAsyncContextManager[PreviewRunner]:
        return open_runner(
            self.app,
            permissions=(SCOPE_READ, SCOPE_PREVIEW),
            wait_for_slot=self.wait_for_slot,
            timeout=self.timeout,
            share_previews=True,
            recorder=self.recorder,
            tenant=tenant,
        )

    def _live_events(self, plan: Plan) -> TerminalProgress:
        return TerminalProgress.for_stderr(quiet=self.app.quiet, label=plan.name)

    def _line_events(self, plan: Plan) -> LineProgress:
        return LineProgress.for_stderr(quiet=self.app.quiet, label=plan.name)

    def _record(self, plan: Plan, result: Preview | RecoveryError) -> None:
        if isinstance(result, RecoveryError):
            self._failed(plan.path, plan, result)
            return
        self.writer.write(plan, build_report(result))
        reports = self.writer.reports_for(plan)
        self._entries[plan.path] = entry_for_preview(plan.path, result, reports)
        if result.has_changes:
            echo_next_step(result)

    def _failed(self, path: str, plan: Plan | None, exc: RecoveryError) -> None:
        entry = entry_for_error(path, plan, exc)
        self._entries[path] = entry
        self.errors[path] = exc
        if not self.several:
            return  # the command raises it, so it prints as any single-plan error does
        message = entry.error or ""
        if not message.startswith(path):  # a plan's own errors name its file already
            message = f"{path}: {message}"
        click.echo(f"Error: {clean(message)}", err=True)
        for problem in entry.problems:
            click.echo(f"  {clean(problem)}", err=True)
        if exc.hint and not entry.problems:
            click.echo(f"  hint: {clean(redact(exc.hint))}", err=True)
