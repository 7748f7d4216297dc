"""
What Ctrl-C left behind, from the run's journal: a job still running (it holds the tenant's only
job slot until it ends, so say how to cancel it), or nothing. Never a traceback.
"""

from __future__ import annotations

import click

from entra_recovery.runner.journal import RunRecord

FINISHED = frozenset({"successful", "failed", "abandoned", "cancelled", "canceled"})


def explain_preview_interrupt(record: RunRecord | None) -> None:
    """After Ctrl-C in `plan preview`: is its preview job still running, and how to cancel it."""
    job_id = record.preview_job_id if record is not None else None
    status = (record.preview_status or "").lower() if record is not None else ""
    if not job_id or status in FINISHED:
        click.echo("Interrupted. No job of this preview is running.", err=True)
        return
    click.echo(
        f"Interrupted. Preview job {job_id} is still running on the service side and holds "
        "the tenant's only job slot until it ends (no other preview or recovery can start).\n"
        f"  cancel it:  entra-recovery job cancel {job_id}",
        err=True,
    )


def explain_apply_interrupt(record: RunRecord | None) -> None:
    """After Ctrl-C in `plan apply`: a job to follow or cancel, or nothing recovered."""
    if record is None:
        click.echo("Interrupted. No job of this run is running.", err=True)
        return
    if record.recovery_job_id:
        click.echo(
            f"Interrupted. Recovery job {record.recovery_job_id} continues on the service side "
            "and holds the tenant's only job slot until it ends.\n"
            f"  follow it:  entra-recovery run resume {record.run_id}\n"
            f"  cancel it:  entra-recovery job cancel {record.recovery_job_id}",
            err=True,
        )
    elif record.recovery_intent_at:
        click.echo(
            "Interrupted while requesting the recovery job; it may have been created.\n"
            f"  check and follow it:  entra-recovery run resume {record.run_id}",
            err=True,
        )
    else:
        explain_preview_interrupt(record)
        click.echo("No recovery job was requested; nothing was recovered.", err=True)
