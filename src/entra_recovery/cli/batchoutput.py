"""
Where a batch's summary goes: the index files in --output-dir, `$GITHUB_STEP_SUMMARY`, the
table at the end of the terminal output, and the `--notify` webhooks.

Step in the flow: after `cli.batch` built the `BatchSummary`, this module writes what
`report.batch`, `report.batchindex` and `report.chat` render, and posts through
`entra_recovery.notify`. Nothing here changes the exit code: a file or a webhook that fails is a
warning on stderr (a missing --output-dir is the exception: it was asked for, like the reports).
"""

from __future__ import annotations

import enum
import io
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from entra_recovery.notify import WebhookPolicy
from entra_recovery.notify import post_webhook
from entra_recovery.redaction import redact_known
from entra_recovery.report.batch import SUMMARY_HTML
from entra_recovery.report.batch import SUMMARY_JSON
from entra_recovery.report.batch import SUMMARY_JUNIT
from entra_recovery.report.batch import SUMMARY_MARKDOWN
from entra_recovery.report.batch import BatchSummary
from entra_recovery.report.batch import PlanOutcome
from entra_recovery.report.batch import render_json
from entra_recovery.report.batchindex import action_cells
from entra_recovery.report.batchindex import render_html
from entra_recovery.report.batchindex import render_junit
from entra_recovery.report.batchindex import render_markdown
from entra_recovery.report.batchindex import short_fingerprint
from entra_recovery.report.chat import PAYLOADS
from entra_recovery.report.text import clean

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
# Objects by action, in the terminal report's symbols: update, restore, softDelete, other.
_SYMBOLS = ("~", "+", "-", "?")
_LEGEND = "~ update, + restore, - soft-delete, ? other action (objects per plan)"
_OUTCOME_STYLES = {
    PlanOutcome.CLEAN: "green",
    PlanOutcome.CHANGES: "yellow",
    PlanOutcome.REFUSED: "red",
    PlanOutcome.ERROR: "bold red",
}


class NotifyOn(enum.StrEnum):
    """When `--notify` posts: always, on changes or failures (default), on failures, never."""

    ALWAYS = "always"
    CHANGES = "changes"
    FAILURES = "failures"
    NEVER = "never"

    def wants(self, summary: BatchSummary) -> bool:
        failed = any(entry.outcome.failed for entry in summary.entries)
        changed = any(entry.outcome is PlanOutcome.CHANGES for entry in summary.entries)
        if self is NotifyOn.ALWAYS:
            return True
        if self is NotifyOn.CHANGES:
            return failed or changed
        return failed if self is NotifyOn.FAILURES else False


@dataclass(frozen=True)
class Notifications:
    """The `--notify*` options of one run."""

    urls: tuple[str, ...] = ()
    format: str = "slack"
    on: NotifyOn = NotifyOn.CHANGES
    policy: WebhookPolicy = field(default_factory=WebhookPolicy)


def write_index(output_dir: Path, summary: BatchSummary) -> None:
    """summary.json, summary.md, junit.xml and index.html into `output_dir`."""
    output_dir.mkdir(parents=True, exist_ok=True)
    files = (
        (SUMMARY_JSON, render_json(summary)),
        (SUMMARY_MARKDOWN, render_markdown(summary)),
        (SUMMARY_JUNIT, render_junit(summary)),
        (SUMMARY_HTML, render_html(summary)),
    )
    for name, text in files:
        target = output_dir / name
        with target.open("w", encoding="utf-8", newline="\n") as handle:
            handle.write(redact_known(text))
        click.echo(f"Wrote {target}", err=True)


def append_step_summary(summary: BatchSummary) -> None:
    """Append summary.md to the file `$GITHUB_STEP_SUMMARY` names (GitHub Actions), if set."""
    target = os.environ.get(STEP_SUMMARY_ENV)
    if not target:
        return
    try:
        with open(target, "a", encoding="utf-8", newline="\n") as handle:
            handle.write(redact_known(render_markdown(summary)))
    except OSError as exc:
        click.echo(f"Warning: could not append to ${STEP_SUMMARY_ENV}: {exc.strerror}", err=True)


def echo_table(summary: BatchSummary, *, color: bool, err: bool) -> None:
    """One row per plan (outcome, objects by action as in the report's `~`/`+`/`-`/`?`, short
    fingerprint; the tenant when the batch has several), then a legend and the headline."""
    tenants = {entry.tenant for entry in summary.entries if entry.tenant}
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("Plan", overflow="fold", min_width=16)
    if len(tenants) > 1:
        table.add_column("Tenant", overflow="ellipsis", no_wrap=True, max_width=9)
    table.add_column("Outcome", no_wrap=True)
    for symbol in _SYMBOLS:
        table.add_column(symbol, justify="right")
    table.add_column("Fingerprint", no_wrap=True)
    for entry in summary.entries:
        cells: list[Text | str] = [Text(clean(entry.label))]
        if len(tenants) > 1:
            cells.append(Text(clean(entry.tenant or "")))
        cells.append(Text(str(entry.outcome), style=_OUTCOME_STYLES[entry.outcome]))
        cells.extend(str(n) if entry.counts else "" for n in action_cells(entry))
        cells.append(Text(short_fingerprint(entry.fingerprint, digits=8)))
        table.add_row(*cells)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=max(80, shutil.get_terminal_size().columns),
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
    )
    console.print(table)
    console.print(Text(f"{_LEGEND}\n{summary.headline}; exit code {int(summary.exit_code)}"))
    click.echo(buffer.getvalue(), nl=False, err=err)


async def notify(summary: BatchSummary, notifications: Notifications) -> None:
    """Post the summary to every `--notify` URL when `--notify-on` wants it; warn on failure."""
    if not notifications.urls or not notifications.on.wants(summary):
        return
    payload = PAYLOADS[notifications.format](summary)
    for url in notifications.urls:
        delivery = await post_webhook(url, payload, policy=notifications.policy)
        if not delivery.ok:
            click.echo(
                f"Warning: notification to {delivery.where} failed: {delivery.detail} "
                "(the exit code is not affected)",
                err=True,
            )


def stdout_is_terminal(
    formats: Sequence[str], output: Path | None, output_dir: Path | None
) -> bool:
    """True when standard output shows only the terminal report (or nothing), so the batch
    table may follow it there; otherwise a machine format is on stdout and the table goes to
    stderr."""
    if output is not None and str(output) == "-":
        return False
    if output is not None or output_dir is not None:
        return True
    return set(formats) <= {"terminal"}
