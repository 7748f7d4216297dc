"""
Where reports go: stdout, `--output FILE` or `--output-dir DIR/<plan>.<ext>`; colour decisions.

Renderers return text; this module streams it to the destination (big reports are written
chunk by chunk) and never renders anything itself.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import click

from entra_recovery.cli.gcpause import paused_gc
from entra_recovery.constants import ExitCode
from entra_recovery.constants import PlanMode
from entra_recovery.errors import UsageError
from entra_recovery.plan import Plan
from entra_recovery.redaction import redact_known
from entra_recovery.report import RENDERERS
from entra_recovery.report import RenderOptions
from entra_recovery.report import Report
from entra_recovery.runner.results import ApplyResult
from entra_recovery.runner.results import Preview

TERMINAL = "terminal"
_LIMITS = {0: (50, 25), 1: (1000, 200)}  # verbosity -> (max objects, max rows per object)


def color_enabled(setting: str, stream: TextIO | None = None) -> bool:
    """`always`/`never`, or auto: a TTY without NO_COLOR and TERM=dumb."""
    if setting == "always":
        return True
    if setting == "never" or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return (stream or sys.stdout).isatty()


class ReportWriter:
    """Writes each requested format of a report to its destination."""

    def __init__(
        self,
        *,
        formats: Sequence[str],
        output_dir: Path | None,
        output: Path | None,
        color: bool,
        verbose: int,
        several: bool,
    ) -> None:
        self.formats = tuple(dict.fromkeys(formats))
        self.output_dir = output_dir
        self.output = output
        self.color = color
        self.verbose = verbose
        if output is not None and output_dir is not None:
            raise UsageError("use --output or --output-dir, not both")
        # Several plans into one --output file: only JUnit has a form for that (a suite each).
        self._collected: list[Report] | None = (
            [] if output is not None and several and self.formats == ("junit",) else None
        )
        if output is not None and self._collected is None and (several or len(self.formats) != 1):
            raise UsageError(
                "--output takes exactly one --format and one plan "
                "(several plans: only with --format junit)",
                hint="use --output-dir DIR for several formats or plans",
            )
        stdout_formats = [f for f in self.formats if f != TERMINAL]
        if (
            output is None
            and output_dir is None
            and (len(stdout_formats) > 1 or (stdout_formats and TERMINAL in self.formats))
        ):
            raise UsageError(
                "several report formats cannot share standard output",
                hint="add --output-dir DIR",
            )

    def formats_for(self, plan: Plan) -> tuple[str, ...]:
        if self.formats:
            return self.formats
        if self.output_dir is not None:
            extra = [f for f in plan.report_formats if f != TERMINAL]
            return (TERMINAL, *dict.fromkeys(extra))
        return (TERMINAL,)

    def options(self, *, color: bool, full_report: str | None = None) -> RenderOptions:
        objects, rows = _LIMITS.get(self.verbose, (None, None))
        return RenderOptions(
            color=color, max_objects=objects, max_rows=rows, full_report=full_report
        )

    def write(self, plan: Plan, report: Report) -> list[Path]:
        """Render every format for this plan; return the files written."""
        if self._collected is not None:
            self._collected.append(report)
            return []
        with paused_gc():  # rendering allocates a lot, and makes no cycles
            return self._write(plan, report)

    def _write(self, plan: Plan, report: Report) -> list[Path]:
        written: list[Path] = []
        formats = self.formats_for(plan)
        full = self._full_report_name(plan, formats)
        for name in formats:
            renderer = RENDERERS[name]
            target = self._target(plan, name, renderer.suffix)
            if target is None:
                options = self.options(color=self.color and name == TERMINAL, full_report=full)
                for chunk in renderer.iter_render(report, options):
                    click.echo(redact_known(chunk), nl=False)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("w", encoding="utf-8", newline="\n") as handle:
                options = self.options(color=False, full_report=full)
                if name == TERMINAL:
                    options = RenderOptions(color=False)
                for chunk in renderer.iter_render(report, options):
                    handle.write(redact_known(chunk))
            written.append(target)
            click.echo(f"Wrote {target}", err=True)
        return written

    def reports_for(self, plan: Plan) -> dict[str, str]:
        """The report files `write` makes for this plan in --output-dir, by format, relative
        to it (empty without --output-dir)."""
        if self.output_dir is None or self.output is not None:
            return {}
        return {
            name: f"{plan.name}{RENDERERS[name].suffix}"
            for name in self.formats_for(plan)
            if name != TERMINAL
        }

    def finish(self) -> None:
        """Write what was collected across plans (one JUnit document, a suite per plan)."""
        if self._collected is None or self.output is None:
            return
        from entra_recovery.report.junit import iter_render_many

        if str(self.output) == "-":
            for chunk in iter_render_many(self._collected):
                click.echo(redact_known(chunk), nl=False)
            return
        with self.output.open("w", encoding="utf-8", newline="\n") as handle, paused_gc():
            for chunk in iter_render_many(self._collected):
                handle.write(redact_known(chunk))
        click.echo(f"Wrote {self.output}", err=True)

    def show_terminal(self, report: Report, *, err: bool = False) -> None:
        """The terminal rendering on stdout (or stderr), e.g. before a confirmation prompt."""
        options = self.options(color=self.color)
        for chunk in RENDERERS[TERMINAL].iter_render(report, options):
            click.echo(redact_known(chunk), nl=False, err=err)

    def _target(self, plan: Plan, name: str, suffix: str) -> Path | None:
        if self.output is not None:
            return None if str(self.output) == "-" else self.output
        if self.output_dir is not None and name != TERMINAL:
            return self.output_dir / f"{plan.name}{suffix}"
        return None

    def _full_report_name(self, plan: Plan, formats: Sequence[str]) -> str | None:
        if self.output_dir is None:
            return None
        for name in ("html", "json"):
            if name in formats:
                return f"{plan.name}{RENDERERS[name].suffix}"
        return None


def echo_apply_summary(result: ApplyResult) -> int:
    """One line for the recovery job, one per failed change; returns the exit code (0 or 4)."""
    job = result.job
    if job is None:
        click.echo("Nothing to recover: the fresh preview found no changes.", err=True)
        return int(ExitCode.OK)
    click.echo(
        f"Recovery job {job.id} {job.status_text}: "
        f"{job.total_objects_modified or 0} object(s) and {job.total_links_modified or 0} "
        f"link(s) modified, {result.failed_count} failed change(s)."
    )
    for change in result.failed.changes:
        click.echo(
            f"  ! {change.entity_type} {change.display_name or ''} ({change.id}): "
            f"{change.failure_message or 'failed'}"
        )
    return int(ExitCode.FAILED_CHANGES if result.failed.changes else ExitCode.OK)


def echo_next_step(preview: Preview) -> None:
    """After the preview of a `mode: preview` plan: how to approve it (`plan apply` would refuse
    it as it stands). A `mode: apply` plan's report already ends with its apply command."""
    if preview.plan.mode is PlanMode.APPLY:
        return
    click.echo(
        f"To recover this change set, approve it in the plan ({preview.plan.path}) in a reviewed "
        "commit:\n"
        "  mode: apply\n"
        "  metadata:\n"
        "    change: <your change reference>\n"
        "  approval:\n"
        f"    fingerprint: {preview.fingerprint}\n"
        f"then run: entra-recovery plan apply {shlex.quote(preview.plan.path)}",
        err=True,
    )
