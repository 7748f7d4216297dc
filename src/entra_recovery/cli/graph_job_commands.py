"""
PowerShell-parity commands for the jobs of a snapshot: `preview-job` and `recovery-job`.

Creating jobs, getChanges and getFailedChanges have no cmdlet (Microsoft's sample scripts use
Invoke-MgGraphRequest); here they are commands. `recovery-job create` is the raw, ungated
operation: it says what it will do, warns that it writes to the tenant, and asks first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from entra_recovery.cli.graph_options import before_option
from entra_recovery.cli.graph_options import change_list_options
from entra_recovery.cli.graph_options import confirm
from entra_recovery.cli.graph_options import count_filter_option
from entra_recovery.cli.graph_options import finish
from entra_recovery.cli.graph_options import graph_settings
from entra_recovery.cli.graph_options import list_options
from entra_recovery.cli.graph_options import output_format_option
from entra_recovery.cli.graph_options import progress
from entra_recovery.cli.graph_options import resolve_snapshot
from entra_recovery.cli.graph_options import run
from entra_recovery.cli.graph_options import scope_options
from entra_recovery.cli.graph_options import select_option
from entra_recovery.cli.graph_options import show_changes
from entra_recovery.cli.graph_options import show_count
from entra_recovery.cli.graph_options import show_item
from entra_recovery.cli.graph_options import show_list
from entra_recovery.cli.graph_options import wait_options
from entra_recovery.cli.graph_options import what_if_option
from entra_recovery.cli.graph_output import JOB_COLUMNS
from entra_recovery.cli.graph_output import RECOVERY_JOB_COLUMNS
from entra_recovery.cli.graph_output import emit
from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import yes_option
from entra_recovery.graph.models import FilteringCriteria
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import PREVIEW_JOBS
from entra_recovery.graph.resources import RECOVERY_JOBS

# --- preview-job ------------------------------------------------------------------------------


@click.group("preview-job")
def preview_job() -> None:
    """Preview jobs of a snapshot: create one, read its changes (dry run, no tenant change)."""


@preview_job.command("list")
@click.argument("snapshot_id")
@before_option
@list_options
@output_format_option
@error_handler
def preview_job_list(
    snapshot_id: str,
    before: datetime | None,
    output_format: str,
    filter_: str | None,
    select: Any,
    **kw: Any,
) -> int:
    """List a snapshot's preview jobs (Get-MgDirectoryRecoverySnapshotRecoveryPreviewJob)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_list(PREVIEW_JOBS, output_format, filter_, select, kw, snapshot_id=snapshot_id)


@preview_job.command("get")
@click.argument("snapshot_id")
@click.argument("job_id")
@before_option
@select_option
@output_format_option
@error_handler
def preview_job_get(
    snapshot_id: str, job_id: str, before: datetime | None, select: Any, output_format: str
) -> int:
    """Show one preview job (... -RecoveryPreviewJobId)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_item(PREVIEW_JOBS, job_id, select, output_format, snapshot_id=snapshot_id)


@preview_job.command("count")
@click.argument("snapshot_id")
@before_option
@count_filter_option
@output_format_option
@error_handler
def preview_job_count(
    snapshot_id: str, before: datetime | None, filter_: str | None, output_format: str
) -> int:
    """Count a snapshot's preview jobs (...RecoveryPreviewJobCount)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_count(PREVIEW_JOBS, filter_, output_format, snapshot_id=snapshot_id)


@preview_job.command("create")
@click.argument("snapshot_id")
@before_option
@scope_options
@wait_options
@what_if_option
@output_format_option
@error_handler
def preview_job_create(
    snapshot_id: str,
    before: datetime | None,
    entity_types: tuple[str, ...],
    objects: tuple[str, ...],
    wait: bool,
    timeout: float | None,
    what_if: bool,
    output_format: str,
) -> int:
    """Start a preview job (POST .../recoveryPreviewJobs; no cmdlet): a dry run that lists
    what a recovery to this snapshot would change. Only one job runs per tenant."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    from entra_recovery.graph import parity

    criteria = parity.criteria_from(entity_types, objects)
    if what_if:
        click.echo(
            f"What if: would start a preview job on snapshot {snapshot_id} "
            f"for {criteria.describe()}."
        )
        return 0
    with progress("preview job") as status:
        item = run(
            parity.create_preview_job_async(
                graph_settings(),
                snapshot_id,
                criteria,
                wait=wait,
                timeout=timeout,
                on_poll=status.job_polled,
            )
        )
    emit(item, output_format, columns=JOB_COLUMNS, title="preview job")
    return finish(item, waited=wait)


@preview_job.command("changes")
@click.argument("snapshot_id")
@click.argument("job_id")
@before_option
@change_list_options
@select_option
@output_format_option
@error_handler
def preview_job_changes(
    snapshot_id: str,
    job_id: str,
    before: datetime | None,
    filter_: str | None,
    top: int | None,
    page_size: int | None,
    select: Any,
    output_format: str,
) -> int:
    """Every change of a successful preview job, raw as Graph sent it (getChanges; no cmdlet)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    query = {"filter": filter_, "top": top, "page_size": page_size, "select": select}
    return show_changes(JobKind.PREVIEW, snapshot_id, job_id, query, output_format)


# --- recovery-job -----------------------------------------------------------------------------


@click.group("recovery-job")
def recovery_job() -> None:
    """Recovery jobs of a snapshot. `create` WRITES TO THE TENANT; `plan apply` is the safe path."""


@recovery_job.command("list")
@click.argument("snapshot_id")
@before_option
@list_options
@output_format_option
@error_handler
def recovery_job_list(
    snapshot_id: str,
    before: datetime | None,
    output_format: str,
    filter_: str | None,
    select: Any,
    **kw: Any,
) -> int:
    """List a snapshot's recovery jobs (Get-MgDirectoryRecoverySnapshotRecoveryJob)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_list(RECOVERY_JOBS, output_format, filter_, select, kw, snapshot_id=snapshot_id)


@recovery_job.command("get")
@click.argument("snapshot_id")
@click.argument("job_id")
@before_option
@select_option
@output_format_option
@error_handler
def recovery_job_get(
    snapshot_id: str, job_id: str, before: datetime | None, select: Any, output_format: str
) -> int:
    """Show one recovery job (... -RecoveryJobId)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_item(RECOVERY_JOBS, job_id, select, output_format, snapshot_id=snapshot_id)


@recovery_job.command("count")
@click.argument("snapshot_id")
@before_option
@count_filter_option
@output_format_option
@error_handler
def recovery_job_count(
    snapshot_id: str, before: datetime | None, filter_: str | None, output_format: str
) -> int:
    """Count a snapshot's recovery jobs (...RecoveryJobCount)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_count(RECOVERY_JOBS, filter_, output_format, snapshot_id=snapshot_id)


RECOVERY_WARNING = (
    "WARNING: a recovery job WRITES TO THE TENANT at once and cannot be undone. It is applied "
    "to the tenant as it is now, without a fresh preview, fingerprint check or guards.\n"
    "The safe path is a plan: entra-recovery plan preview PLAN, review, then "
    "entra-recovery plan apply PLAN."
)


@recovery_job.command("create")
@click.argument("snapshot_id")
@before_option
@scope_options
@wait_options
@what_if_option
@yes_option
@output_format_option
@error_handler
def recovery_job_create(
    snapshot_id: str,
    before: datetime | None,
    entity_types: tuple[str, ...],
    objects: tuple[str, ...],
    wait: bool,
    timeout: float | None,
    what_if: bool,
    yes: bool,
    output_format: str,
) -> int:
    """Start a recovery job (POST .../recoveryJobs; no cmdlet): the raw, UNGATED operation,
    like Invoke-MgGraphRequest. Prefer `plan apply`, which previews and checks first."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    from entra_recovery.graph import parity

    criteria = parity.criteria_from(entity_types, objects)
    _describe_recovery(snapshot_id, criteria)
    if what_if:
        click.echo("What if: nothing was started.", err=True)
        return 0
    confirm("Start this recovery job now?", yes)
    with progress("recovery job") as status:
        item = run(
            parity.create_recovery_job_async(
                graph_settings(),
                snapshot_id,
                criteria,
                wait=wait,
                timeout=timeout,
                on_poll=status.job_polled,
            )
        )
    emit(item, output_format, columns=RECOVERY_JOB_COLUMNS, title="recovery job")
    return finish(item, waited=wait)


def _describe_recovery(snapshot_id: str, criteria: FilteringCriteria) -> None:
    click.echo("About to start a recovery job:", err=True)
    click.echo(f"  snapshot: {snapshot_id}", err=True)
    click.echo(f"  scope:    {criteria.describe()}", err=True)
    if criteria.is_everything:
        click.echo(
            "  (every supported object type: objects created since the snapshot are soft-deleted)",
            err=True,
        )
    click.echo(RECOVERY_WARNING, err=True)


@recovery_job.command("failed-changes")
@click.argument("snapshot_id")
@click.argument("job_id")
@before_option
@change_list_options
@select_option
@output_format_option
@error_handler
def recovery_job_failed_changes(
    snapshot_id: str,
    job_id: str,
    before: datetime | None,
    filter_: str | None,
    top: int | None,
    page_size: int | None,
    select: Any,
    output_format: str,
) -> int:
    """Changes a recovery job could not apply, raw (getFailedChanges; no cmdlet)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    query = {"filter": filter_, "top": top, "page_size": page_size, "select": select}
    return show_changes(JobKind.RECOVERY, snapshot_id, job_id, query, output_format)
