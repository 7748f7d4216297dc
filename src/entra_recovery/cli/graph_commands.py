"""
PowerShell-parity commands: `snapshot` and `job` (and the list of all parity groups).

Thin shells: one click command per cmdlet, declared here so each stays greppable. They parse
options (the cmdlets' parameters, see `graph_options`); list, get and count hand their
`graph.resources` entry to the shared bodies in `graph_options`, the others call one
`entra_recovery.graph.parity` function in `asyncio.run` and print with `graph_output.emit`.
The parity module (and so msgraph) is imported only inside the command bodies, so `--help` and
commands that fail on their arguments never load the SDK.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from entra_recovery.cli.graph_job_commands import preview_job
from entra_recovery.cli.graph_job_commands import recovery_job
from entra_recovery.cli.graph_options import before_option
from entra_recovery.cli.graph_options import confirm
from entra_recovery.cli.graph_options import count_filter_option
from entra_recovery.cli.graph_options import finish
from entra_recovery.cli.graph_options import graph_settings
from entra_recovery.cli.graph_options import list_options
from entra_recovery.cli.graph_options import output_format_option
from entra_recovery.cli.graph_options import progress
from entra_recovery.cli.graph_options import resolve_snapshot
from entra_recovery.cli.graph_options import run
from entra_recovery.cli.graph_options import select_option
from entra_recovery.cli.graph_options import show_count
from entra_recovery.cli.graph_options import show_item
from entra_recovery.cli.graph_options import show_list
from entra_recovery.cli.graph_options import snapshot_count_filter_option
from entra_recovery.cli.graph_options import snapshot_list_options
from entra_recovery.cli.graph_options import what_if_option
from entra_recovery.cli.graph_output import RECOVERY_JOB_COLUMNS
from entra_recovery.cli.graph_output import emit
from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import yes_option
from entra_recovery.graph.resources import JOBS
from entra_recovery.graph.resources import SNAPSHOTS

# --- snapshot ---------------------------------------------------------------------------------


@click.group()
def snapshot() -> None:
    """Daily snapshots (Get-MgDirectoryRecoverySnapshot)."""


@snapshot.command("list")
@snapshot_list_options
@output_format_option
@error_handler
def snapshot_list(output_format: str, filter_: str | None, select: Any, **kw: Any) -> int:
    """List snapshots, all pages (Get-MgDirectoryRecoverySnapshot -All)."""
    return show_list(SNAPSHOTS, output_format, filter_, select, kw)


@snapshot.command("get")
@click.argument("snapshot_id")
@before_option
@select_option
@output_format_option
@error_handler
def snapshot_get(snapshot_id: str, before: datetime | None, select: Any, output_format: str) -> int:
    """Show one snapshot (Get-MgDirectoryRecoverySnapshot -SnapshotId)."""
    snapshot_id = resolve_snapshot(snapshot_id, before)
    return show_item(SNAPSHOTS, snapshot_id, select, output_format)


@snapshot.command("count")
@snapshot_count_filter_option
@output_format_option
@error_handler
def snapshot_count(filter_: str | None, output_format: str) -> int:
    """Count snapshots (Get-MgDirectoryRecoverySnapshotCount)."""
    return show_count(SNAPSHOTS, filter_, output_format)


# --- job --------------------------------------------------------------------------------------


@click.group()
def job() -> None:
    """Jobs of both kinds, tenant-wide (Get-MgDirectoryRecoveryJob, Stop-MgDirectoryRecoveryJob)."""


@job.command("list")
@list_options
@output_format_option
@error_handler
def job_list(output_format: str, filter_: str | None, select: Any, **kw: Any) -> int:
    """List preview and recovery jobs of every snapshot (Get-MgDirectoryRecoveryJob -All)."""
    return show_list(JOBS, output_format, filter_, select, kw)


@job.command("get")
@click.argument("job_id")
@select_option
@output_format_option
@error_handler
def job_get(job_id: str, select: Any, output_format: str) -> int:
    """Show one job (Get-MgDirectoryRecoveryJob -RecoveryJobBaseId)."""
    return show_item(JOBS, job_id, select, output_format)


@job.command("count")
@count_filter_option
@output_format_option
@error_handler
def job_count(filter_: str | None, output_format: str) -> int:
    """Count jobs (Get-MgDirectoryRecoveryJobCount)."""
    return show_count(JOBS, filter_, output_format)


@job.command("cancel")
@click.argument("job_id")
@what_if_option
@yes_option
@error_handler
def job_cancel(job_id: str, what_if: bool, yes: bool) -> int:
    """Cancel a running job (Stop-MgDirectoryRecoveryJob); it becomes `abandoned`.

    Changes a recovery job already applied stay applied.
    """
    from entra_recovery.graph import parity

    if what_if:
        click.echo(f"What if: would cancel job {job_id} (its status becomes abandoned).")
        return 0
    confirm(f"Cancel job {job_id}?", yes)
    location = run(parity.cancel_job_async(graph_settings(), job_id))
    click.echo(f"Cancellation requested for job {job_id}.")
    if location:
        click.echo(f"Follow it with: entra-recovery job wait {job_id}", err=True)
    return 0


@job.command("wait")
@click.argument("job_id")
@click.option("--timeout", type=DURATION, default=None, help="Give up after this long (2h).")
@output_format_option
@error_handler
def job_wait(job_id: str, timeout: float | None, output_format: str) -> int:
    """Poll a job until it is successful, failed or abandoned; print the final job."""
    from entra_recovery.graph import parity

    with progress(f"job {job_id}") as status:
        item = run(
            parity.wait_job_async(
                graph_settings(), job_id, timeout=timeout, on_poll=status.job_polled
            )
        )
    emit(item, output_format, columns=RECOVERY_JOB_COLUMNS, title="job")
    return finish(item, waited=True)


GRAPH_GROUPS: list[click.Group] = [snapshot, job, preview_job, recovery_job]
