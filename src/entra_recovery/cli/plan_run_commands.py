"""
`entra-recovery plan preview` and `plan apply`: run plans through the runner, write reports.

Thin: parse options, open the runner (`open_runner`), make one library call per plan, hand the
result to renderers, map the outcome to an exit code (0 no changes, 2 changes, 3 refused,
4 failed changes, 1 error).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from entra_recovery import aio
from entra_recovery.cli.confirm import make_confirmer
from entra_recovery.cli.context import AppContext
from entra_recovery.cli.gcpause import paused_gc
from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.interrupts import explain_apply_interrupt
from entra_recovery.cli.interrupts import explain_preview_interrupt
from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import app_context
from entra_recovery.cli.options import yes_option
from entra_recovery.cli.output import ReportWriter
from entra_recovery.cli.output import color_enabled
from entra_recovery.cli.output import echo_apply_summary
from entra_recovery.cli.output import echo_next_step
from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.cli.runtime import build_recorder
from entra_recovery.cli.runtime import open_runner
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.constants import ExitCode
from entra_recovery.errors import GateRefused
from entra_recovery.errors import PlanError
from entra_recovery.errors import RecoveryError
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.plan.loader import expand_paths
from entra_recovery.report import RENDERERS
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.runner import Confirm

FORMAT_NAMES = tuple(RENDERERS)

format_option = click.option(
    "--format",
    "formats",
    type=click.Choice(FORMAT_NAMES),
    multiple=True,
    help="Report format(s); repeat for several. Default: terminal, plus the plan's "
    "report.formats when --output-dir is given.",
)
output_dir_option = click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write each report to DIR/<plan-name>.<ext>.",
)
output_option = click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the (single) report format to FILE.",
)
wait_option = click.option(
    "--wait-for-slot",
    type=DURATION,
    default=None,
    help="If another job runs in the tenant, wait up to DURATION (e.g. 2h) instead of stopping.",
)
timeout_option = click.option(
    "--timeout",
    type=DURATION,
    default=None,
    help="Give up waiting for a job after DURATION (the job itself continues).",
)
verbose_option = click.option(
    "-v", "--verbose", count=True, help="Show more objects and rows on the terminal."
)


@click.command("preview")
@click.argument("paths", nargs=-1, required=True)
@format_option
@output_dir_option
@output_option
@wait_option
@timeout_option
@verbose_option
@error_handler
def preview_command(
    paths: Sequence[str],
    formats: Sequence[str],
    output_dir: Path | None,
    output: Path | None,
    wait_for_slot: float | None,
    timeout: float | None,
    verbose: int,
) -> int:
    """Preview what recovering PLAN(s) would change; a file or a folder of plans.

    Exit codes: 0 no changes, 2 changes found, 1 error.
    """
    app = app_context()
    plans = expand_paths(paths)
    writer = ReportWriter(
        formats=formats,
        output_dir=output_dir,
        output=output,
        color=color_enabled(app.color),
        verbose=verbose,
        several=len(plans) > 1,
    )
    recorder = build_recorder(app)
    try:
        with paused_gc():  # see gcpause: one big acyclic graph, built once, then written out
            return aio.run(_preview_all(app, plans, writer, recorder, wait_for_slot, timeout))
    except KeyboardInterrupt:
        explain_preview_interrupt(recorder.last_record)
        return int(ExitCode.INTERRUPTED)


async def _preview_all(
    app: AppContext,
    plans: Sequence[str],
    writer: ReportWriter,
    recorder: RunRecorder,
    wait_for_slot: float | None,
    timeout: float | None,
) -> int:
    worst = ExitCode.OK
    failures = 0
    loaded = _load_batch(plans)
    tenants = {p.tenant for _, p in loaded if not isinstance(p, RecoveryError)}
    async with open_runner(
        app,
        permissions=(SCOPE_READ, SCOPE_PREVIEW),
        wait_for_slot=wait_for_slot,
        timeout=timeout,
        share_previews=True,
        recorder=recorder,
        tenant=next(iter(tenants)) if len(tenants) == 1 else None,
    ) as runner:
        for path, plan_or_error in loaded:
            try:
                if isinstance(plan_or_error, RecoveryError):
                    raise plan_or_error
                plan = plan_or_error
                with TerminalProgress.for_stderr(quiet=app.quiet, label=plan.name) as progress:
                    runner.events = progress
                    result = await runner.preview(plan)
            except RecoveryError as exc:
                if len(plans) == 1:
                    raise
                failures += 1
                click.echo(f"Error: {path}: {exc}", err=True)
                continue
            writer.write(plan, build_report(result))
            if result.has_changes:
                worst = ExitCode.CHANGES
                echo_next_step(result)
    writer.finish()
    if failures:
        return int(ExitCode.ERROR)
    return int(worst)


def _load_batch(paths: Sequence[str]) -> list[tuple[str, Plan | RecoveryError]]:
    """Every plan of a batch loaded up front (a plan that fails to load is reported in turn);
    plans sharing a name are refused before any job is created, since their reports, saved
    indexes and audit lines would be told apart by that name alone."""
    loaded: list[tuple[str, Plan | RecoveryError]] = []
    by_name: dict[str, list[str]] = {}
    for path in paths:
        try:
            plan = load_plan(path)
        except RecoveryError as exc:
            if len(paths) == 1:
                raise
            loaded.append((path, exc))
            continue
        loaded.append((path, plan))
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


@click.command("apply")
@click.argument("path")
@yes_option
@click.option(
    "--fingerprint",
    metavar="sha256:HEX",
    default=None,
    help="The approved fingerprint (overrides the plan's approval.fingerprint).",
)
@click.option(
    "--approved-report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The JSON report reviewers approved; used to explain a fingerprint mismatch.",
)
@format_option
@output_dir_option
@output_option
@wait_option
@timeout_option
@verbose_option
@error_handler
def apply_command(
    path: str,
    yes: bool,
    fingerprint: str | None,
    approved_report: Path | None,
    formats: Sequence[str],
    output_dir: Path | None,
    output: Path | None,
    wait_for_slot: float | None,
    timeout: float | None,
    verbose: int,
) -> int:
    """Recover what PLAN says, after a fresh preview that matches the approved fingerprint.

    Refuses (exit 3) unless the plan's mode is apply, the fresh change set matches the approved
    fingerprint, the guards pass and you confirm (--yes for unattended runs). Exit 0 when the
    recovery succeeded, 4 when some changes failed, 1 on error.
    """
    app = app_context()
    plan = load_plan(path)
    writer = ReportWriter(
        formats=formats,
        output_dir=output_dir,
        output=output,
        color=color_enabled(app.color),
        verbose=verbose,
        several=False,
    )
    confirm = make_confirmer(writer, plan, yes=yes, interactive=sys.stdin.isatty())
    recorder = build_recorder(app)
    run = _apply(app, plan, confirm, recorder, fingerprint, approved_report, wait_for_slot, timeout)
    try:
        with paused_gc():
            result = aio.run(run)
    except GateRefused as exc:
        for line in exc.details:
            click.echo(f"  {line}", err=True)
        raise
    except KeyboardInterrupt:
        explain_apply_interrupt(recorder.last_record)
        return int(ExitCode.INTERRUPTED)
    return _finish_apply(writer, plan, result)


async def _apply(
    app: AppContext,
    plan: Plan,
    confirm: Confirm,
    recorder: RunRecorder,
    fingerprint: str | None,
    approved_report: Path | None,
    wait_for_slot: float | None,
    timeout: float | None,
) -> ApplyResult:
    """Open a runner with the recovery permission and apply the plan with it."""
    async with open_runner(
        app,
        permissions=(SCOPE_READ, SCOPE_PREVIEW, SCOPE_RECOVERY),
        wait_for_slot=wait_for_slot,
        timeout=timeout,
        recorder=recorder,
        tenant=plan.tenant,
    ) as runner:
        with TerminalProgress.for_stderr(quiet=app.quiet, label=plan.name) as progress:
            runner.events = progress
            return await runner.apply(
                plan, confirm=confirm, fingerprint=fingerprint, approved_report=approved_report
            )


def _finish_apply(writer: ReportWriter, plan: Plan, result: ApplyResult) -> int:
    if result.job is not None and (writer.output is not None or writer.output_dir is not None):
        writer.write(plan, build_report(result.preview, result))
    return echo_apply_summary(result)
