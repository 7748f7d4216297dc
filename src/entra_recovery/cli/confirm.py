"""
The last gate of `plan apply`: the person at the terminal types `yes`.

Before the question: the diff (without the "to apply exactly this change set" line, since this
is that apply), a note that the fresh fingerprint matched the approved one, and right above the
prompt what the recovery does: tenant, snapshot, object counts by action, fingerprint. Every
live display is stopped first, so no spinner draws over the question. Only `yes` proceeds (as
Terraform asks); `--yes` answers for unattended runs; a run nobody can answer refuses.
"""

from __future__ import annotations

import dataclasses

import click

from entra_recovery.cli.output import ReportWriter
from entra_recovery.cli.progress import paused_displays
from entra_recovery.errors import ApplyNotApproved
from entra_recovery.plan import Plan
from entra_recovery.runner.reporting import build_report
from entra_recovery.runner.results import Preview
from entra_recovery.runner.runner import Confirm

ANSWER = "yes"


def summary_lines(plan: Plan, preview: Preview) -> list[str]:
    """What the recovery is about to do, shown right above the question."""
    totals = preview.diff.action_totals
    counts = ", ".join(f"{count} to {action}" for action, count in totals.items() if count)
    return [
        "",
        "This recovery writes to the directory and cannot be undone:",
        f"  tenant:       {plan.tenant}",
        f"  snapshot:     {preview.snapshot.id}",
        f"  objects:      {preview.diff.total_objects} ({counts or 'none'})",
        f"  fingerprint:  {preview.fingerprint}",
    ]


def make_confirmer(writer: ReportWriter, plan: Plan, *, yes: bool, interactive: bool) -> Confirm:
    """Show the diff, then `--yes`, the typed `yes`, or a refusal when nobody can answer."""

    def confirm(preview: Preview) -> bool:
        with paused_displays():
            report = dataclasses.replace(build_report(preview), approve_command=None)
            writer.show_terminal(report)
            click.echo(
                f"The fresh preview's fingerprint matches the approved one "
                f"({preview.fingerprint}).",
                err=True,
            )
            if yes:
                return True
            if not interactive:
                raise ApplyNotApproved(
                    "confirmation needed, but this run is not interactive",
                    hint="pass --yes for an unattended apply",
                )
            for line in summary_lines(plan, preview):
                click.echo(line, err=True)
            answer = click.prompt(
                f"Type {ANSWER!r} to recover, anything else to stop",
                default="",
                show_default=False,
                err=True,
            )
            if answer.strip() != ANSWER:
                raise ApplyNotApproved(
                    f"the recovery was not confirmed (only {ANSWER!r} confirms; "
                    f"the answer was {answer.strip()!r})",
                    hint="nothing was recovered; run again and type yes to recover",
                )
            return True

    return confirm
