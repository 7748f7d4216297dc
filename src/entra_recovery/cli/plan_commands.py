"""
`entra-recovery plan`: the group, and the commands that work on plan files offline.

`validate`, `init` and `schema` never talk to Graph (nothing here imports msgraph or builds a
credential). `preview` and `apply` live in `plan_run_commands.py` and are added to this group in
`main.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from entra_recovery.cli.handler import error_handler
from entra_recovery.cli.options import app_context
from entra_recovery.constants import PLAN_SCHEMA_FILE
from entra_recovery.constants import ExitCode
from entra_recovery.errors import RecoveryError
from entra_recovery.plan import validate_paths
from entra_recovery.plan.annotations import ANNOTATORS
from entra_recovery.plan.annotations import render_annotations
from entra_recovery.plan.render import render_json
from entra_recovery.plan.render import render_text
from entra_recovery.plan.render import summary
from entra_recovery.plan.template import STARTER_PLAN
from entra_recovery.resources import schema_text


@click.group()
def plan() -> None:
    """Recovery plans: validate, preview and apply YAML plan files."""


@plan.command("validate")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", *ANNOTATORS]),
    default="text",
    show_default=True,
    help="text: one `path:line:col: $.path: message` block per problem; json: for machines; "
    "github, azure: one CI annotation (error) per problem, the summary on stderr.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only problems (no ok lines, no summary).")
@error_handler
def validate_command(paths: Sequence[str], output_format: str, quiet: bool) -> int:
    """Check plan files (or folders of them) against the schema and the plan rules.

    Exit codes: 0 every plan valid, 1 any problem.
    """
    results = validate_paths(list(paths))
    quiet = quiet or app_context().quiet
    if output_format == "json":
        click.echo(render_json(results), nl=False)
    elif output_format in ANNOTATORS:
        click.echo(render_annotations(results, output_format), nl=False)
        if not quiet:
            click.echo(summary(results), err=True)
    else:
        click.echo(render_text(results, quiet=quiet), nl=False)
    return int(ExitCode.OK if all(r.ok for r in results) else ExitCode.ERROR)


@plan.command("init")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@error_handler
def init_command(path: Path | None, force: bool) -> int:
    """Write a commented starter plan to PATH (or print it when PATH is omitted)."""
    if path is None:
        click.echo(STARTER_PLAN, nl=False)
        return int(ExitCode.OK)
    if path.exists() and not force:
        raise RecoveryError(f"{path} already exists", hint="pass --force to overwrite it")
    try:
        path.write_text(STARTER_PLAN, encoding="utf-8")
    except OSError as exc:
        raise RecoveryError(f"cannot write {path}: {exc.strerror}") from None
    click.echo(f"Wrote {path}; check it with `entra-recovery plan validate {path}`.", err=True)
    return int(ExitCode.OK)


@plan.command("schema")
@error_handler
def schema_command() -> int:
    """Print the plan JSON Schema (2020-12), for editors and other tools."""
    click.echo(schema_text(PLAN_SCHEMA_FILE), nl=False)
    return int(ExitCode.OK)
