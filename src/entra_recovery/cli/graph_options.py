"""
Options and helpers shared by the PowerShell-parity commands.

The cmdlets' list parameters (-Filter -Top -All -Property -Sort -PageSize -CountVariable; a
`--filter` where the docs list no `$filter` is hidden and refused, `--count` counts here), the
job scope (--entity-type / --object), --wait/--timeout, -WhatIf/-Confirm (`--what-if`, the
confirmation prompt, `--yes`), and the exit code of a printed job. Also the one body of every
list, get and count command (`show_list`, `show_item`, `show_count`), driven by the
`graph.resources` table, and of the two change-list commands (`show_changes`). The parity
module (and so msgraph) is imported only inside those bodies, so `--help` and commands that
fail on their arguments never load the SDK.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Coroutine
from datetime import datetime
from typing import Any
from typing import TypeVar

import click

from entra_recovery import aio
from entra_recovery.cli.graph_output import CHANGE_COLUMNS
from entra_recovery.cli.graph_output import FAILED_CHANGE_COLUMNS
from entra_recovery.cli.graph_output import columns_for
from entra_recovery.cli.graph_output import emit
from entra_recovery.cli.graph_output import emit_count
from entra_recovery.cli.graph_output import output_format_option as output_format_option
from entra_recovery.cli.graph_output import stream_jsonl
from entra_recovery.cli.options import DURATION
from entra_recovery.cli.options import app_context
from entra_recovery.cli.progress import TerminalProgress
from entra_recovery.constants import ENTITY_TYPES
from entra_recovery.constants import ExitCode
from entra_recovery.errors import GateRefused
from entra_recovery.graph.models import Job
from entra_recovery.graph.models import JobKind
from entra_recovery.graph.resources import Resource
from entra_recovery.graph.settings import GraphSettings

F = TypeVar("F", bound=Callable[..., Any])
R = TypeVar("R")


def comma_list(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...] | None:
    """Accept `--select a,b` and repeated `--select a --select b`."""
    if not value:
        return None
    items = [part.strip() for v in value for part in str(v).split(",")]
    return tuple(i for i in items if i) or None


# Help for a --filter kept only to explain why it is refused (nothing is sent).
_UNDOCUMENTED_FILTER = "Not sent: $filter is undocumented here (UNCONFIRMED); filter the output."


def filter_option(documented: bool = True) -> Callable[[F], F]:
    """--filter: OData $filter where the docs list it; elsewhere hidden, and refused with a
    usage error that says why (the graph layer refuses it before anything is sent)."""
    if documented:
        return click.option("--filter", "filter_", metavar="ODATA", help="OData $filter (-Filter).")
    return click.option(
        "--filter", "filter_", metavar="ODATA", hidden=True, help=_UNDOCUMENTED_FILTER
    )


def _list_options(func: F, *, filterable: bool) -> F:
    """The cmdlets' list parameters."""
    options = [
        filter_option(filterable),
        click.option("--top", type=click.IntRange(1, 999), help="Return at most N items (-Top)."),
        click.option(
            "--all/--first-page",
            "all_pages",
            default=True,
            show_default=True,
            help="Follow every @odata.nextLink (-All), or stop after the first page.",
        ),
        click.option(
            "--select",
            multiple=True,
            callback=comma_list,
            metavar="PROP[,PROP]",
            help="Properties to return ($select, -Property).",
        ),
        click.option(
            "--orderby",
            multiple=True,
            callback=comma_list,
            metavar="EXPR[,EXPR]",
            help="Sort order ($orderby, -Sort).",
        ),
        click.option(
            "--page-size", type=click.IntRange(1, 999), help="Items per request ($top, -PageSize)."
        ),
        click.option(
            "--count",
            is_flag=True,
            help="Print how many items were listed (-CountVariable); counted here, "
            "$count is not sent.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def list_options(func: F) -> F:
    """The cmdlets' list parameters, for the job collections ($filter documented)."""
    return _list_options(func, filterable=True)


def snapshot_list_options(func: F) -> F:
    """The list parameters for snapshots: the docs list no $filter there."""
    return _list_options(func, filterable=False)


def change_list_options(func: F) -> F:
    """getChanges / getFailedChanges parameters (no cmdlet): $top and the page size.

    Their docs list `$top`, `$skip` and `$select` only: a --filter is refused, not sent."""
    options = [
        filter_option(documented=False),
        click.option("--top", type=click.IntRange(1, 999), help="Return at most N changes."),
        click.option(
            "--page-size", type=click.IntRange(1, 999), help="$top per request (default 999)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def select_option(func: F) -> F:
    return click.option(
        "--select",
        multiple=True,
        callback=comma_list,
        metavar="PROP[,PROP]",
        help="Properties to return ($select, -Property).",
    )(func)


def count_filter_option(func: F) -> F:
    return filter_option(documented=True)(func)


def snapshot_count_filter_option(func: F) -> F:
    return filter_option(documented=False)(func)


def scope_options(func: F) -> F:
    """The job scope: entity types or objects (neither: every supported type)."""
    func = click.option(
        "--object",
        "objects",
        multiple=True,
        metavar="TYPE:ID",
        help="Only this object (repeatable), e.g. user:a1b2c3d4-0001-4000-8000-000000000001.",
    )(func)
    return click.option(
        "--entity-type",
        "entity_types",
        multiple=True,
        type=click.Choice(ENTITY_TYPES),
        metavar="TYPE",
        help="Only objects of this type (repeatable): " + ", ".join(ENTITY_TYPES) + ".",
    )(func)


def wait_options(func: F) -> F:
    func = click.option(
        "--timeout", type=DURATION, default=None, help="Give up waiting after this long (2h)."
    )(func)
    return click.option(
        "--wait", is_flag=True, help="Poll until the job is terminal; print the final job."
    )(func)


what_if_option = click.option(
    "--what-if", is_flag=True, help="Show what would happen and do nothing (-WhatIf)."
)


def graph_settings() -> GraphSettings:
    return app_context().graph_settings()


def run(coro: Coroutine[Any, Any, R]) -> R:
    return aio.run(coro)


def list_query(
    filter_: str | None,
    top: int | None,
    all_pages: bool,
    select: tuple[str, ...] | None,
    orderby: tuple[str, ...] | None,
    page_size: int | None,
    count: bool,
) -> dict[str, Any]:
    return {
        "filter": filter_,
        "top": top,
        "all": all_pages,
        "select": select,
        "orderby": orderby,
        "page_size": page_size,
        "count": count,
    }


def print_count(output_format: str) -> Callable[[int], None]:
    def show(value: int) -> None:
        click.echo(f"count: {value}", err=output_format != "table")

    return show


def confirm(prompt: str, yes: bool) -> None:
    """Ask before changing state; `--yes` skips; without a terminal, refuse (exit 3)."""
    if yes:
        return
    if not sys.stdin.isatty():
        raise GateRefused(
            "not confirmed: this changes state and there is no terminal to ask",
            gate="confirmation",
            hint="pass --yes to confirm in unattended runs",
        )
    if not click.confirm(prompt, default=False, err=True):
        raise GateRefused("not confirmed", gate="confirmation")


def progress(label: str) -> TerminalProgress:
    return TerminalProgress.for_stderr(quiet=app_context().quiet, label=label)


def finish(job_json: dict[str, Any], waited: bool) -> int:
    """Exit code for a printed job: 1 if it failed, 4 if a recovery had failed changes."""
    if not waited:
        return int(ExitCode.OK)
    job = Job.from_json(job_json)
    if job.status.is_failed:
        click.echo(f"Error: job {job.id} ended {job.status_text}", err=True)
        return int(ExitCode.ERROR)
    if job.kind is JobKind.RECOVERY and (job.total_failed_changes or 0) > 0:
        click.echo(
            f"Warning: {job.total_failed_changes} change(s) failed; "
            f"see: entra-recovery recovery-job failed-changes SNAPSHOT_ID {job.id}",
            err=True,
        )
        return int(ExitCode.FAILED_CHANGES)
    return int(ExitCode.OK)


# --- snapshot selectors and the output format ----------------------------------------------


class Instant(click.ParamType[datetime]):
    """An ISO 8601 date and time with a zone (`2026-11-27T08:00:00Z`, `...+01:00`)."""

    name = "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date and time", param, ctx)
        if parsed.tzinfo is None:
            self.fail(f"{value!r} has no zone: add Z or an offset such as +01:00", param, ctx)
        return parsed


def before_option(func: F) -> F:
    """--before DATE: with SNAPSHOT `latest`, the newest snapshot created at or before DATE."""
    return click.option(
        "--before",
        type=Instant(),
        default=None,
        metavar="DATE",
        help="With SNAPSHOT `latest`: the newest snapshot created at or before DATE "
        "(ISO 8601 with a zone, e.g. 2026-11-27T08:00:00Z).",
    )(func)


def resolve_snapshot(value: str, before: datetime | None) -> str:
    """The snapshot id a SNAPSHOT argument names: an id as is; `latest` through the list."""
    from entra_recovery.graph import snapshots

    if not snapshots.is_selector(value) and before is None:
        return value
    snapshot = run(snapshots.resolve_snapshot_async(graph_settings(), value, before=before))
    if not app_context().quiet:
        created = snapshot.created.isoformat() if snapshot.created else "unknown time"
        click.echo(f"Snapshot: {snapshot.id} (created {created})", err=True)
    return snapshot.id


# --- the bodies of the list, get and count commands (one per resource and verb) ---------------


def show_list(
    resource: Resource[Any],
    output_format: str,
    filter_: str | None,
    select: tuple[str, ...] | None,
    list_parameters: dict[str, Any],
    *,
    snapshot_id: str = "",
) -> int:
    """List a resource (its `Get-Mg...` cmdlet without an id) and print it."""
    from entra_recovery.graph import parity

    query = list_query(filter_, select=select, **list_parameters)
    items = run(
        parity.list_items_async(
            graph_settings(),
            resource,
            snapshot_id=snapshot_id,
            on_count=print_count(output_format),
            **query,
        )
    )
    columns = columns_for(resource)
    emit(items, output_format, columns=columns, title=resource.plural, select=select)
    return 0


def show_item(
    resource: Resource[Any],
    item_id: str,
    select: tuple[str, ...] | None,
    output_format: str,
    *,
    snapshot_id: str = "",
) -> int:
    """Get one item of a resource (its `Get-Mg...` cmdlet with an id) and print it."""
    from entra_recovery.graph import parity

    item = run(
        parity.get_item_async(
            graph_settings(), resource, item_id, snapshot_id=snapshot_id, select=select
        )
    )
    columns = columns_for(resource)
    emit(item, output_format, columns=columns, title=resource.singular, select=select)
    return 0


def show_count(
    resource: Resource[Any], filter_: str | None, output_format: str, *, snapshot_id: str = ""
) -> int:
    """Count a resource (its `...Count` cmdlet) and print the bare number."""
    from entra_recovery.graph import parity

    settings = graph_settings()
    value = run(
        parity.count_items_async(settings, resource, snapshot_id=snapshot_id, filter=filter_)
    )
    emit_count(value, output_format)
    return 0


def show_changes(
    kind: JobKind,
    snapshot_id: str,
    job_id: str,
    query: dict[str, Any],
    output_format: str,
) -> int:
    """getChanges (preview job) or getFailedChanges (recovery job), raw; JSON Lines streamed."""
    from entra_recovery.graph import parity

    settings = graph_settings()
    columns: tuple[str, ...]
    if kind is JobKind.PREVIEW:
        stream, collect = parity.iter_changes_async, parity.get_changes_async
        columns, title = CHANGE_COLUMNS, "changes"
    else:
        stream, collect = parity.iter_failed_changes_async, parity.get_failed_changes_async
        columns, title = FAILED_CHANGE_COLUMNS, "failed changes"
    if output_format == "jsonl":
        run(stream_jsonl(stream(settings, snapshot_id, job_id, **query)))
        return 0
    items = run(collect(settings, snapshot_id, job_id, **query))
    emit(items, output_format, columns=columns, title=title, select=query.get("select"))
    return 0
