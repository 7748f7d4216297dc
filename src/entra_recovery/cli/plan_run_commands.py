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
from entra_recovery.cli.batch import DEFAULT_PARALLEL
from entra_recovery.cli.batch import BatchPreview
from entra_recovery.cli.batch import LoadedPlan
from entra_recovery.cli.batch import check_index_clashes
from entra_recovery.cli.batch import load_batch
from entra_recovery.cli.batchoutput import Notifications
from entra_recovery.cli.batchoutput import NotifyOn
from entra_recovery.cli.batchoutput import append_step_summary
from entra_recovery.cli.batchoutput import echo_table
from entra_recovery.cli.batchoutput import notify
from entra_recovery.cli.batchoutput import stdout_is_terminal
from entra_recovery.cli.batchoutput import write_index
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
from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.cli.runtime import build_recorder
from entra_recovery.cli.runtime import open_runner
from entra_recovery.constants import SCOPE_PREVIEW
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.constants import ExitCode
from entra_recovery.errors import GateRefused
from entra_recovery.errors import UsageError
from entra_recovery.notify import WebhookPolicy
from entra_recovery.notify import check_webhook_url
from entra_recovery.notify.webhook import DEFAULT_TIMEOUT
from entra_recovery.plan import Plan
from entra_recovery.plan import load_plan
from entra_recovery.plan.loader import expand_paths
from entra_recovery.report import RENDERERS
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.chat import PAYLOADS
from entra_recovery.runner.bookkeeping import RunRecorder
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.runner import Confirm

FORMAT_NAMES = tuple(RENDERERS)


def _check_notify_urls(
    ctx: click.Context, param: click.Parameter, urls: tuple[str, ...]
) -> tuple[str, ...]:
    """Every --notify URL vetted before any job (the message never shows its path or query)."""
    try:
        return tuple(check_webhook_url(url) for url in urls)
    except UsageError as exc:
        raise click.BadParameter(str(exc).removeprefix("--notify: "), ctx, param) from None


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


parallel_option = click.option(
    "--parallel",
    type=click.IntRange(min=1),
    default=DEFAULT_PARALLEL,
    show_default=True,
    metavar="N",
    help="Preview at most N tenants at once (plans of one tenant always run one after another).",
)
notify_option = click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    metavar="URL",
    callback=_check_notify_urls,
    help="Post a summary to this chat webhook (https; repeat for several). Only the URL's "
    "scheme and host are ever printed.",
)
notify_format_option = click.option(
    "--notify-format",
    type=click.Choice(tuple(PAYLOADS)),
    default="slack",
    show_default=True,
    help='slack: {"text": ...} (Slack and compatible receivers); teams: an Adaptive Card '
    "(Teams incoming webhooks and Workflows).",
)
notify_on_option = click.option(
    "--notify-on",
    type=click.Choice([str(member.value) for member in NotifyOn]),
    default=NotifyOn.CHANGES.value,
    show_default=True,
    help="When to post: changes (a plan has changes, was refused or failed), failures, always, "
    "never.",
)
notify_timeout_option = click.option(
    "--notify-timeout",
    type=DURATION,
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Deadline for each attempt to post a notification (seconds, or e.g. 30s).",
)


@click.command("preview")
@click.argument("paths", nargs=-1, required=True)
@format_option
@output_dir_option
@output_option
@wait_option
@timeout_option
@verbose_option
@parallel_option
@notify_option
@notify_format_option
@notify_on_option
@notify_timeout_option
@error_handler
def preview_command(
    paths: Sequence[str],
    formats: Sequence[str],
    output_dir: Path | None,
    output: Path | None,
    wait_for_slot: float | None,
    timeout: float | None,
    verbose: int,
    parallel: int,
    notify_urls: tuple[str, ...],
    notify_format: str,
    notify_on: str,
    notify_timeout: float,
) -> int:
    """Preview what recovering PLAN(s) would change; files or folders of plans.

    A batch groups its plans by tenant and previews up to --parallel tenants at once. With
    --output-dir, DIR also gets the batch index: summary.json, summary.md, junit.xml and
    index.html; summary.md is appended to $GITHUB_STEP_SUMMARY when that is set.

    Exit codes: 0 no changes, 2 changes found, 1 error (in a batch: any plan that failed to
    load, was refused or errored; the other plans are still previewed). One plan: 3 refused.
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
    loaded = load_batch(plans)
    check_index_clashes(loaded, writer)
    notifications = Notifications(
        urls=notify_urls,
        format=notify_format,
        on=NotifyOn(notify_on),
        policy=WebhookPolicy(timeout=notify_timeout),
    )
    recorder = build_recorder(app)
    batch = BatchPreview(
        app, writer, recorder, parallel=parallel, wait_for_slot=wait_for_slot, timeout=timeout
    )
    try:
        with paused_gc():  # see gcpause: one big acyclic graph, built once, then written out
            summary = aio.run(_preview_all(batch, loaded, notifications))
    except KeyboardInterrupt:
        explain_preview_interrupt(recorder.last_record)
        return int(ExitCode.INTERRUPTED)
    writer.finish()
    if len(loaded) == 1 and batch.errors:
        raise next(iter(batch.errors.values()))  # one plan: reported as every command does
    return int(summary.exit_code)


async def _preview_all(
    batch: BatchPreview, loaded: Sequence[LoadedPlan], notifications: Notifications
) -> BatchSummary:
    """Preview the batch, then write its index and summaries and post the notifications."""
    summary = await batch.run(loaded)
    writer = batch.writer
    if writer.output_dir is not None:
        write_index(writer.output_dir, summary)
    append_step_summary(summary)
    if len(loaded) > 1:
        err = not stdout_is_terminal(writer.formats, writer.output, writer.output_dir)
        echo_table(summary, color=color_enabled(batch.app.color), err=err)
    await notify(summary, notifications)
    return summary


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
