"""
PowerShell-parity commands: `snapshot` and `job` (and the list of all parity groups).

Thin shells: parse options (the cmdlets' parameters, see `graph_options`), call one
`entra_recovery.graph.parity` function in `asyncio.run`, print with `graph_output.emit`. The
parity module (and so msgraph) is imported only inside the command bodies, so `--help` and
commands that fail on their arguments never load the SDK.
"""

from __future__ import annotations

from typing import Any

import click

from entra_recovery.cli.graph_job_commands import preview_job
from entra_recovery.cli.graph_job_commands import recovery_job
from entra_recovery.cli.graph_options import confirm
from entra_recovery.cli.graph_options import count_filter_option
from entra_recovery.cli.graph_options import finish
from entra_recovery.cli.graph_options import graph_settings
from entra_recovery.cli.graph_options import list_options
from entra_recovery.cli.graph_options import list_query
from entra_recovery.cli.graph_options import print_count
from entra_recovery.cli.graph_options import progress
from entra_recovery.cli.graph_options import run
from entra_recovery.cli.graph_options import select_option
from entra_recovery.cli.graph_options import what_if_option
from entra_recovery.cli.graph_output import RECOVERY_JOB_COLUMNS
from entra_recovery.cli.graph_output import SNAPSHOT_COLUMNS
from entra_recovery.cli.graph_output import emit
from entra_recovery.cli.graph_output import emit_count
from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import output_format_option
from entra_recovery.cli.options import yes_option

# --- snapshot ---------------------------------------------------------------------------------


@click.group()
def snapshot() -> None:
    """Daily snapshots (Get-MgDirectoryRecoverySnapshot)."""


@snapshot.command("list")
@list_options
@output_format_option
@error_handler
def snapshot_list(output_format: str, filter_: str | None, select: Any, **kw: Any) -> int:
    """List snapshots, all pages (Get-MgDirectoryRecoverySnapshot -All)."""
    from entra_recovery.graph import parity

    query = list_query(filter_, select=select, **kw)
    items = run(
        parity.list_snapshots_async(graph_settings(), on_count=print_count(output_format), **query)
    )
    emit(items, output_format, columns=SNAPSHOT_COLUMNS, title="snapshots", select=select)
    return 0


@snapshot.command("get")
@click.argument("snapshot_id")
@select_option
@output_format_option
@error_handler
def snapshot_get(snapshot_id: str, select: Any, output_format: str) -> int:
    """Show one snapshot (Get-MgDirectoryRecoverySnapshot -SnapshotId)."""
    from entra_recovery.graph import parity

    item = run(parity.get_snapshot_async(graph_settings(), snapshot_id, select=select))
    emit(item, output_format, columns=SNAPSHOT_COLUMNS, title="snapshot", select=select)
    return 0


@snapshot.command("count")
@count_filter_option
@output_format_option
@error_handler
def snapshot_count(filter_: str | None, output_format: str) -> int:
    """Count snapshots (Get-MgDirectoryRecoverySnapshotCount)."""
    from entra_recovery.graph import parity

    emit_count(run(parity.count_snapshots_async(graph_settings(), filter=filter_)), output_format)
    return 0


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
    from entra_recovery.graph import parity

    query = list_query(filter_, select=select, **kw)
    items = run(
        parity.list_jobs_async(graph_settings(), on_count=print_count(output_format), **query)
    )
    emit(items, output_format, columns=RECOVERY_JOB_COLUMNS, title="jobs", select=select)
    return 0


@job.command("get")
@click.argument("job_id")
@select_option
@output_format_option
@error_handler
def job_get(job_id: str, select: Any, output_format: str) -> int:
    """Show one job (Get-MgDirectoryRecoveryJob -RecoveryJobBaseId)."""
    from entra_recovery.graph import parity

    item = run(parity.get_job_async(graph_settings(), job_id, select=select))
    emit(item, output_format, columns=RECOVERY_JOB_COLUMNS, title="job", select=select)
    return 0


@job.command("count")
@count_filter_option
@output_format_option
@error_handler
def job_count(filter_: str | None, output_format: str) -> int:
    """Count jobs (Get-MgDirectoryRecoveryJobCount)."""
    from entra_recovery.graph import parity

    emit_count(run(parity.count_jobs_async(graph_settings(), filter=filter_)), output_format)
    return 0


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
