"""
Output of the PowerShell-parity commands: `-o table|json|jsonl|csv`.

JSON and JSON Lines print Graph's objects exactly as received (camelCase, `@odata.type`, change
objects with `@removed` and `*@delta` untouched), for jq or `ConvertFrom-Json`. Tables are for
people: a few useful columns per kind of object (or the `--select`ed ones), drawn with rich;
identifier columns never wrap inside an id. CSV (RFC 4180, for `Import-Csv` and spreadsheets)
has the table's columns under Graph's property names, one header row, nested values as compact
JSON and missing values empty.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from collections.abc import Sequence
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from entra_recovery.cli.options import OUTPUT_FORMATS
from entra_recovery.constants import ODATA_TYPE_PREVIEW_JOB
from entra_recovery.constants import ODATA_TYPE_RECOVERY_JOB
from entra_recovery.graph.resources import Resource
from entra_recovery.redaction import redact_known

GRAPH_OUTPUT_FORMATS = (*OUTPUT_FORMATS, "csv")

output_format_option = click.option(
    "-o",
    "--output-format",
    type=click.Choice(GRAPH_OUTPUT_FORMATS),
    default="table",
    show_default=True,
    help="table for people; json/jsonl keep Graph's camelCase names for jq or "
    "ConvertFrom-Json; csv (RFC 4180) for Import-Csv and spreadsheets.",
)

SNAPSHOT_COLUMNS = ("id", "createdDateTime", "totalChangedObjects")
JOB_COLUMNS = (
    "id",
    "kind",
    "status",
    "targetStateDateTime",
    "jobStartDateTime",
    "jobCompletionDateTime",
    "totalChangedObjectsCalculated",
    "totalChangedLinksCalculated",
)
RECOVERY_JOB_COLUMNS = (*JOB_COLUMNS, "totalObjectsModified", "totalFailedChanges")
# Table columns of each graph.resources.Resource, by its name (tenant-wide jobs may be either kind).
RESOURCE_COLUMNS = {
    "snapshots": SNAPSHOT_COLUMNS,
    "jobs": RECOVERY_JOB_COLUMNS,
    "preview_jobs": JOB_COLUMNS,
    "recovery_jobs": RECOVERY_JOB_COLUMNS,
}
CHANGE_COLUMNS = ("entityTypeName", "id", "displayName", "recoveryAction")
FAILED_CHANGE_COLUMNS = (*CHANGE_COLUMNS, "failureMessage")

_HEADERS = {
    "createdDateTime": "created",
    "totalChangedObjects": "changed objects",
    "targetStateDateTime": "snapshot time",
    "jobStartDateTime": "started",
    "jobCompletionDateTime": "completed",
    "totalChangedObjectsCalculated": "objects",
    "totalChangedLinksCalculated": "links",
    "totalObjectsModified": "modified",
    "totalFailedChanges": "failed",
    "entityTypeName": "type",
    "displayName": "name",
    "recoveryAction": "action",
    "failureMessage": "failure",
}


def _kind(item: dict[str, Any]) -> str:
    odata_type = item.get("@odata.type")
    if odata_type == ODATA_TYPE_PREVIEW_JOB:
        return "preview"
    if odata_type == ODATA_TYPE_RECOVERY_JOB:
        return "recovery"
    return str(odata_type or "").rsplit(".", 1)[-1] or "-"


def _cell(item: dict[str, Any], column: str, missing: str = "-") -> str:
    if column == "kind":
        return _kind(item)
    value = item.get(column)
    if value is None:
        return missing
    if isinstance(value, dict | list | bool):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


# Columns holding identifiers: kept on one line (a GUID folded mid-token cannot be copied).
ID_COLUMNS = frozenset({"id"})


def render_csv(items: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    """RFC 4180 CSV: one header row of property names, then one row per item (CRLF ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow([_cell(item, column, missing="") for column in columns])
    return buffer.getvalue()


def columns_for(resource: Resource[Any]) -> tuple[str, ...]:
    """The default table columns for items of `resource`."""
    return RESOURCE_COLUMNS[resource.name]


def render_table(items: Sequence[dict[str, Any]], columns: Sequence[str], *, title: str) -> str:
    """A plain-text table (no colour codes) of the given columns."""
    table = Table(title=title, title_justify="left", show_lines=False)
    rows = [[_cell(item, column) for column in columns] for item in items]
    for index, column in enumerate(columns):
        header = _HEADERS.get(column, column)
        if column in ID_COLUMNS:
            width = max([len(header), *(len(row[index]) for row in rows)])
            table.add_column(header, no_wrap=True, overflow="ignore", min_width=width)
        else:
            table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*row)
    buffer = io.StringIO()
    console = Console(file=buffer, width=160, color_system=None, highlight=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())


def emit(
    data: dict[str, Any] | Sequence[dict[str, Any]],
    output_format: str,
    *,
    columns: Sequence[str],
    title: str,
    select: Sequence[str] | None = None,
) -> None:
    """Print one object or a list in the chosen format (quietly stops on a closed pipe)."""
    try:
        _emit(data, output_format, columns=columns, title=title, select=select)
    except BrokenPipeError:
        _silence_stdout()


def _emit(
    data: dict[str, Any] | Sequence[dict[str, Any]],
    output_format: str,
    *,
    columns: Sequence[str],
    title: str,
    select: Sequence[str] | None,
) -> None:
    if output_format == "json":
        click.echo(redact_known(json.dumps(data, indent=2, ensure_ascii=False)))
        return
    items = [data] if isinstance(data, dict) else list(data)
    if output_format == "jsonl":
        for item in items:
            click.echo(redact_known(json.dumps(item, ensure_ascii=False, separators=(",", ":"))))
        return
    chosen = list(select) if select else list(columns)
    if output_format == "csv":
        click.echo(redact_known(render_csv(items, chosen)), nl=False)
        return
    if not items:
        click.echo(f"No {title}.")
        return
    heading = title if isinstance(data, dict) else f"{title} ({len(items)})"
    click.echo(redact_known(render_table(items, chosen, title=heading)))


async def stream_jsonl(items: AsyncIterator[dict[str, Any]]) -> int:
    """Print objects one per line as they arrive (no list held in memory); return how many."""
    count = 0
    try:
        async for item in items:
            click.echo(redact_known(json.dumps(item, ensure_ascii=False, separators=(",", ":"))))
            count += 1
    except BrokenPipeError:
        # The reader went away (`... | head -1`): stop quietly, as Unix tools do.
        _silence_stdout()
    return count


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def emit_count(value: int, output_format: str) -> None:
    """A count is a bare integer in every format (valid JSON too)."""
    click.echo(redact_known(str(value)))
