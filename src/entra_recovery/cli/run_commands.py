"""`entra-recovery run`: inspect and resume run journals."""

from __future__ import annotations

import json
from pathlib import Path

import click

from entra_recovery import aio
from entra_recovery.cli.gcpause import paused_gc
from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import app_context
from entra_recovery.cli.output import echo_apply_summary
from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.cli.runtime import build_recorder
from entra_recovery.cli.runtime import open_runner
from entra_recovery.cli.runtime import state_dir_of
from entra_recovery.constants import SCOPE_READ
from entra_recovery.constants import SCOPE_RECOVERY
from entra_recovery.constants import AuditEvent
from entra_recovery.constants import RunStatus
from entra_recovery.runner.journal import RunJournal
from entra_recovery.runner.journal import RunRecord
from entra_recovery.runner.journal import scan_runs
from entra_recovery.runner.results import ApplyResult


def state_dir() -> Path:
    return state_dir_of(app_context())


@click.group()
def run() -> None:
    """Inspect and resume runs (journals of plan preview/apply)."""


@run.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the journals as a JSON array.")
@error_handler
def list_command(as_json: bool) -> int:
    """List runs, newest first."""
    scan = scan_runs(state_dir())
    records = scan.records
    for damaged in scan.damaged:
        click.echo(
            f"warning: skipped damaged run journal {damaged.path}: {damaged.reason}", err=True
        )
    if as_json:
        click.echo(json.dumps([r.to_json() for r in records], indent=2))
        return 0
    if not records:
        click.echo(
            f"No readable runs in {state_dir()}." if scan.damaged else f"No runs in {state_dir()}."
        )
        return 0
    for record in records:
        click.echo(_one_line(record))
    return 0


@run.command("show")
@click.argument("run_id")
@click.option("--json", "as_json", is_flag=True, help="Print the journal as JSON.")
@error_handler
def show_command(run_id: str, as_json: bool) -> int:
    """Show what a run did, step by step, and what to do next."""
    record = RunJournal.load(state_dir(), run_id).record
    if as_json:
        click.echo(json.dumps(record.to_json(), indent=2))
        return 0
    click.echo(_one_line(record))
    rows = [
        ("plan", f"{record.plan_path} (sha256 {record.plan_sha256[:12]}…)"),
        ("tenant", record.tenant),
        ("user", record.user or "-"),
        ("snapshot", record.snapshot_id or "-"),
        ("preview job", f"{record.preview_job_id or '-'} ({record.preview_status or '-'})"),
        ("changes", "-" if record.change_count is None else str(record.change_count)),
        ("fingerprint", record.fingerprint or "-"),
        ("approved", record.approved_fingerprint or "-"),
        ("recovery job", f"{record.recovery_job_id or '-'} ({record.recovery_status or '-'})"),
        (
            "failed changes",
            "-" if record.failed_change_count is None else str(record.failed_change_count),
        ),
        ("error", record.error or "-"),
    ]
    for label, value in rows:
        click.echo(f"  {label:<15} {value}")
    click.echo("  steps:")
    for step in record.steps:
        detail = f" ({step.detail})" if step.detail else ""
        click.echo(f"    {step.at}  {step.name:<15} {step.state}{detail}")
    hint = next_step_hint(record)
    if hint:
        click.echo(f"  next: {hint}")
    return 0


def next_step_hint(record: RunRecord) -> str | None:
    """What the user should do about a run that did not finish."""
    if record.status in (RunStatus.FINISHED, RunStatus.REFUSED):
        return None
    if record.command == AuditEvent.APPLY and record.recovery_intent_at:
        job = record.recovery_job_id
        cancel = f"; or cancel it: entra-recovery job cancel {job}" if job else ""
        return f"entra-recovery run resume {record.run_id}{cancel}"
    command = f"entra-recovery plan {record.command} {record.plan_path}"
    return f"nothing was recovered; run `{command}` again"


def _one_line(record: RunRecord) -> str:
    code = "" if record.exit_code is None else f" exit {record.exit_code}"
    return (
        f"{record.run_id}  {record.command:<7} {record.status:<11}{code}  "
        f"{record.plan_name}  ({record.started_at})"
    )


@run.command("resume")
@click.argument("run_id")
@click.option("--timeout", type=DURATION, default=None, help="Give up waiting after DURATION.")
@error_handler
def resume_command(run_id: str, timeout: float | None) -> int:
    """Finish an interrupted `plan apply` run; never creates a second recovery job."""
    app = app_context()
    recorder = build_recorder(app)
    tenant = recorder.load(run_id).record.tenant  # its stored sign-in and authority

    async def resume() -> ApplyResult:
        async with open_runner(
            app,
            permissions=(SCOPE_READ, SCOPE_RECOVERY),
            timeout=timeout,
            recorder=recorder,
            tenant=tenant,
        ) as runner:
            with TerminalProgress.for_stderr(quiet=app.quiet, label=run_id) as progress:
                runner.events = progress
                return await runner.resume(run_id)

    with paused_gc():
        return echo_apply_summary(aio.run(resume()))
